"""What a browser makes of the workbench's error pages (Playwright, Debian's Chromium, a real server): the message
is inside the element announced as an alert, as a screen reader reads it.  The page had a ``<pre>`` inside a
``<p role="alert">``; a browser closes the paragraph before the ``<pre>``, leaving the alert empty."""

from __future__ import annotations

from typing import Any

from service_support import Server
from test_web_browser import browser, login, pytestmark, server  # noqa: F401  (its fixtures and its skip)


def test_an_error_page_announces_its_message(server: Server, browser: Any) -> None:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    login(page, server, "rev")
    page.goto(server.url + "/reviews/987654")
    alert = page.get_by_role("alert")
    assert alert.count() == 1
    assert alert.inner_text().strip() == "没有编号为 987654 的审查记录"
    page.goto(server.url + "/reviews/abc")
    assert "链接有误" in page.get_by_role("alert").inner_text()
    context.close()


def test_an_answer_the_interview_refuses_is_shown_with_javascript_too(server: Server, browser: Any) -> None:  # noqa: F811
    """htmx swaps only 2xx answers by default: the panel the server sends with 422 (an answer it refuses) was
    dropped, and clicking Next seemed to do nothing."""
    context = browser.new_context()
    page = context.new_page()
    login(page, server, "rev")
    page.goto(server.url + "/interview")
    page.fill("input[name='v:/submission/id']", "not an id!")
    page.fill("input[name='v:/submission/as_of']", "2020-06-01")
    page.check("input[name='v:/submission/kind'][value='project_proposal']")
    with page.expect_response(lambda r: r.url.endswith("/interview") and r.request.method == "POST") as answer:
        page.click("#next")
    assert answer.value.status == 422 and answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_selector("#interview .error")
    assert "应为编号（1 至 128 个字符，只能用字母、数字" in page.locator("#interview .error").first.inner_text()
    assert page.locator("input[name='v:/submission/id']").count() == 1  # the same question, asked again
    context.close()
