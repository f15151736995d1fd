"""End to end in a real browser: Playwright drives Debian's Chromium (never a downloaded browser) against an
`egov-rules serve` process on a loopback port.  Screenshots go to tmp/artifacts/ (EGOV_ARTIFACTS overrides)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_support import FIXTURES, PASSWORD, ROOT, Server, add_users, upgrade
from web_support import WEB_USERS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                                "(.ci/run installs it with apt-get)")
ARTIFACTS = Path(os.environ.get("EGOV_ARTIFACTS", ROOT / "tmp" / "artifacts"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{data_dir / 'egov-rules.sqlite3'}"
    upgrade(url)
    add_users(url, WEB_USERS)
    srv = Server(url, data_dir).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # a dev dependency: installed by the test command

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            yield b
        finally:
            b.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Any, server: Server, name: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def test_reviewer_journey(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, server, "rev")
    shot(page, "01-home")
    # upload a fixture and save it: the decision and a cited finding, in Chinese
    page.goto(server.url + "/reviews/new")
    page.set_input_files("#file", str(FIXTURES / "02_municipal_own_datacentre.yaml"))
    page.click("button[name=save][value='1']")
    page.wait_for_url("**/reviews/*")
    review_url = page.url
    assert "不予审批" in page.inner_text(".decisions")
    assert "第十七条" in page.inner_text("#art-17")
    shot(page, "02-review-zh")
    # one click to English, remembered
    page.click("#lang-switch")
    assert "Refuse approval" in page.inner_text(".decisions") and "Art 17" in page.inner_text("#art-17")
    shot(page, "03-review-en")
    page.goto(server.url + "/lang/zh?next=/")
    # waive the first Art 17 finding, then save again so the waiver applies: two versions to compare
    page.goto(review_url)
    first = page.locator("#art-17 article.finding").first
    first.locator("summary").click()
    first.locator("textarea[name=justification]").fill("经省数字办书面同意")
    first.locator("input[name=approver]").fill("李四")
    first.locator("input[name=expires]").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "经省数字办书面同意" in page.inner_text("#waivers")
    page.locator("#waivers button[type=submit]").click()
    page.wait_for_load_state()
    assert "已豁免" in page.inner_text("#art-17")
    page.locator("#versions button[type=submit]").click()
    page.wait_for_load_state()
    assert "未变化" in page.content()
    shot(page, "04-compare")
    assert not errors, errors
    context.close()


def test_interview_in_the_browser_with_live_updates(server: Server, browser: Any) -> None:
    """The first answers through the page (htmx swaps the panel); the whole interview to a saved review is
    driven through the library in tests/test_interview.py and through plain posts in test_web_pages.py."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, server, "rev")
    page.goto(server.url + "/interview")
    page.fill("fieldset.question input[name='v:/submission/id']", "browser01")
    page.click("#next")
    page.wait_for_selector("input[name='v:/submission/as_of']")
    page.fill("input[name='v:/submission/as_of']", "2020-06-01")
    page.click("#next")
    page.wait_for_selector("input[name='v:/submission/kind']")
    page.check("input[name='v:/submission/kind'][value='project_proposal']")
    page.click("#next")
    page.wait_for_selector("input[name='v:/projects/0/id']")
    shot(page, "05-interview")
    page.fill("input[name='v:/projects/0/id']", "prj.browser")
    page.click("button[name=action][value=back]")
    page.wait_for_selector("input[name='v:/submission/kind']")
    context.close()


def test_supervisor_portfolio(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, server, "boss")
    page.goto(server.url + "/portfolio")
    assert page.locator("svg").count() >= 3
    shot(page, "06-portfolio")
    page.goto(server.url + "/rulebook/17")
    shot(page, "07-rulebook")
    context.close()


def _fill(page: Any, q: Any, answer: Any) -> None:
    """Put one answer into the question's form fields, as a person would."""
    from egov_rules.interview import NEW_PREFIX, UNKNOWN

    name = f"v:{q.pointer}"
    field = f"fieldset[data-pointer='{q.pointer}']"
    if q.kind in ("enum", "bool", "items") or (q.kind == "ref" and not str(answer).startswith(NEW_PREFIX)):
        page.check(f"{field} input[name='{name}'][value='{answer}']")
    elif q.kind == "ref":
        _new(page, field, q, [str(answer)])
    elif q.kind == "refs":
        values = [] if answer == UNKNOWN else list(answer)
        for v in values:
            if not v.startswith(NEW_PREFIX):
                page.check(f"{field} input[name='{name}'][value='{v}']")
        _new(page, field, q, [v for v in values if v.startswith(NEW_PREFIX)])
    elif q.kind == "strs":
        page.fill(f"{field} textarea", "" if answer == UNKNOWN else str(answer))
    elif answer == UNKNOWN:
        page.check(f"{field} input[name='{name}'][value='{UNKNOWN}']")
    else:
        page.fill(f"{field} input[name='{name}']", str(answer))


def _new(page: Any, field: str, q: Any, values: list[str]) -> None:
    """New entities by id; the page takes one kind of entity per answer (the scripted answers agree)."""
    from egov_rules.interview import NEW_PREFIX

    if not values:
        return
    bodies = [v[len(NEW_PREFIX):] for v in values]
    homes = {b.partition("/")[0] for b in bodies if "/" in b}
    if len(q.new_collections) > 1 and homes:
        page.select_option(f"{field} select[name='newcoll:{q.pointer}']", homes.pop())
    page.fill(f"{field} input[name='new:{q.pointer}']", " ".join(b.rpartition("/")[2] for b in bodies))


def test_interview_from_empty_to_a_saved_review(server: Server, browser: Any) -> None:
    """A reviewer with fixture 14 in front of them answers every question the page asks (the answers are
    read from the file by the scripted answerer; the page decides what to ask), then saves: the saved review
    has the fixture's violations and decisions."""
    import json

    from egov_rules.check import Checker
    from egov_rules.input.load import load_document
    from egov_rules.interview import Interview
    from egov_rules.interview.scripted import answer_for

    fixture = FIXTURES / "14_lists_and_grid_team.yaml"
    reference = load_document(fixture).data
    checker = Checker()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, server, "rev")
    page.goto(server.url + "/interview")
    for _ in range(400):
        if page.locator("button[name=action][value=save]").count():
            break
        state = json.loads(page.locator("form[hx-post] input[name=state]").input_value())
        interview = Interview(checker, state["base"], state["answers"], "zh")
        for pointer in page.locator("fieldset.question").evaluate_all(
                "nodes => nodes.map(n => n.dataset.pointer)"):
            q = interview.question(pointer, "format")
            answer = answer_for(q, reference, interview)
            _fill(page, q, answer)
            interview = interview.with_answer(pointer, answer)
        before = page.locator("form[hx-post] input[name=state]").input_value()
        page.click("#next")
        page.wait_for_function("s => document.querySelector('form[hx-post] input[name=state]').value !== s", arg=before)
    else:
        pytest.fail("the interview did not end")
    assert page.locator(".iv-side .decisions").count() == 1
    shot(page, "08-interview-done")
    page.click("button[name=action][value=save]")
    page.wait_for_url("**/reviews/*")
    saved = page.inner_text("main")
    expected = checker.check_path(fixture)
    for finding in (f for f in expected.findings if f.severity == "violation"):
        assert finding.rule in page.content() or finding.title["zh"] in saved
    context.close()


def test_api_docs_render_offline(server: Server, browser: Any) -> None:
    """/docs shows the operations with every file from this service (a closed network reaches no CDN)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(server.url) else elsewhere.append(r.url))
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/checks" in [p.replace("\u200b", "") for p in paths]
    shot(page, "06-api-docs")
    assert not errors, errors
    assert not elsewhere, elsewhere
    context.close()
