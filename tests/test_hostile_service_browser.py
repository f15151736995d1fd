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
