"""The workbench pages through the app (TestClient): each page per role, CSRF, escaping, languages, security
headers, waivers, funding, versions, what-if, portfolio exports and the interview without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import FIXTURES
from web_support import csrf_of, login, make_app

FX02 = (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("web"))


@pytest.fixture()
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def upload(c: TestClient, data: bytes, save: bool, name: str = "sub.yaml") -> Any:
    token = csrf_of(c.get("/reviews/new").text)
    return c.post("/reviews/new", data={"csrf": token, "save": "1" if save else "0"},
                  files={"file": (name, data, "application/yaml")}, follow_redirects=False)


def saved_review(c: TestClient, data: bytes = FX02) -> int:
    response = upload(c, data, save=True)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[-1])


def test_pages_need_a_login(client: TestClient) -> None:
    for path in ("/", "/reviews/new", "/interview", "/portfolio", "/rulebook", "/reviews/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_wrong_password_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"csrf": token, "name": "rev", "password": "nope nope nope"})
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_review_in_chinese_then_english(client: TestClient) -> None:
    login(client, "rev")
    review = saved_review(client)
    zh = client.get(f"/reviews/{review}")
    assert zh.status_code == 200
    assert "第十七条" in zh.text and "不予审批" in zh.text  # cited finding and the decision, in Chinese
    assert 'class="mark"' in zh.text  # the submission snippet with the finding's line marked
    client.get("/lang/en")
    en = client.get(f"/reviews/{review}")
    assert "Art 17" in en.text and "Refuse approval" in en.text and "第十七条" not in en.text
    assert client.cookies.get("egov_lang") == "en"


def test_security_headers_and_no_inline_script(client: TestClient) -> None:
    login(client, "rev")
    page = client.get("/reviews/new")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # every script is a file of this site
    assert "https://" not in page.text and "http://" not in page.text.replace("http://www.w3.org", "")
    assert client.get("/static/htmx.min.js").status_code == 200


def test_post_without_or_with_wrong_csrf_is_refused(client: TestClient) -> None:
    login(client, "rev")
    no_token = client.post("/reviews/new", data={"text": "x", "save": "1"})
    wrong = client.post("/reviews/new", data={"csrf": "A" * 43, "text": "x", "save": "1"})
    assert no_token.status_code == 403 and wrong.status_code == 403
    anonymous = TestClient(client.app)
    assert anonymous.post("/login", data={"name": "rev", "password": "x"}).status_code == 403


def test_script_in_a_submission_shows_as_text(client: TestClient) -> None:
    login(client, "rev")
    hostile = FX02.replace(b"id: ex02", b"id: ex02x").replace(
        b"units:\n", b"units:\n  # <script>alert(1)</script>\n", 1)
    hostile = hostile.replace(b"name: ", b"name: <script>alert(1)</script> ", 1)
    page = upload(client, hostile, save=False)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_bad_input_shows_the_cli_error_at_its_line(client: TestClient) -> None:
    login(client, "rev", "zh")
    page = upload(client, b"submission:\n  id: a\n  as_of: [\n", save=False, name="bad.yaml")
    assert page.status_code == 422
    assert "bad.yaml:" in page.text and "申报材料有误" in page.text


def test_roles_see_their_pages(client: TestClient) -> None:
    login(client, "rev")
    review = saved_review(client)
    login(client, "fin")
    assert client.get("/portfolio").status_code == 403
    page = client.get(f"/reviews/{review}")
    assert page.status_code == 200 and f'action="/reviews/{review}/funding"' in page.text
    assert "/waivers" not in page.text  # finance does not waive
    token = csrf_of(page.text)
    assert client.post(f"/reviews/{review}/waivers", data={"csrf": token}).status_code == 403
    login(client, "rev_other")
    assert client.get(f"/reviews/{review}").status_code == 404  # another unit's review does not exist for them
    login(client, "boss")
    assert client.get("/portfolio").status_code == 200
    assert upload(client, FX02, save=True).status_code == 403  # a supervisor reads, does not save


def test_waiver_funding_versions_and_compare(client: TestClient) -> None:
    login(client, "rev")
    data = FX02.replace(b"id: ex02", b"id: ex02w")
    review = saved_review(client, data)
    page = client.get(f"/reviews/{review}").text
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(f"/reviews/{review}/waivers", follow_redirects=False, data={
        "csrf": csrf_of(page), "fingerprint": fingerprint, "justification": "省级批复同意", "approver": "张三",
        "expires": expires})
    assert response.status_code == 303
    page = client.get(f"/reviews/{review}").text
    assert "省级批复同意" in page
    client.post(f"/reviews/{review}/recheck", data={"csrf": csrf_of(page)})
    page = client.get(f"/reviews/{review}").text
    assert "已豁免" in page  # version 2 applied the waiver
    diff = client.get(f"/reviews/{review}/compare?a=1&b=2")
    assert diff.status_code == 200 and "未变化" in diff.text
    login(client, "fin")
    page = client.get(f"/reviews/{review}").text
    response = client.post(f"/reviews/{review}/funding", follow_redirects=False, data={
        "csrf": csrf_of(page), "project": "prj.ex02", "action": "withhold", "reference": "财建〔2016〕1号"})
    assert response.status_code == 303
    assert "财建〔2016〕1号" in client.get(f"/reviews/{review}").text


def test_what_if_changes_the_decision_without_saving(client: TestClient) -> None:
    login(client, "rev")
    review = saved_review(client, FX02.replace(b"id: ex02", b"id: ex02y"))
    page = client.get(f"/reviews/{review}").text
    versions_before = page.count(f"/reviews/{review}?version=")
    # the own data centre becomes a use of the unified one: the Art 17 violation goes
    response = client.post(f"/reviews/{review}/whatif", data={
        "csrf": csrf_of(page), "pointer": "/projects/0/components/0/mode", "value": "use_unified"})
    assert response.status_code == 200
    fixed = response.text.split("已整改")[1].split("</section>")[0]
    assert "第十七条" in fixed
    assert client.get(f"/reviews/{review}").text.count(f"/reviews/{review}?version=") == versions_before


def test_portfolio_exports(client: TestClient) -> None:
    login(client, "rev")
    saved_review(client, FX02.replace(b"id: ex02", b"id: ex02p"))
    login(client, "boss")
    page = client.get("/portfolio")
    assert "<svg" in page.text and "不予审批" in page.text
    csv_text = client.get("/portfolio?export=csv").text
    assert csv_text.lstrip("\ufeff").startswith("review,submission") and "ex02p" in csv_text
    report = client.get("/portfolio?export=html")
    assert report.status_code == 200 and "<svg" in report.text
    assert client.get("/portfolio?since=not-a-date").status_code == 422


def test_rulebook_browser(client: TestClient) -> None:
    login(client, "boss")
    index = client.get("/rulebook").text
    assert all(f'href="/rulebook/{n}"' in index for n in range(1, 48))
    art17 = client.get("/rulebook/17").text
    # the examples' expected outcomes by their words (the default language is Chinese), the rule ids as written
    assert "art17-" in art17 and "for_each" in art17 and "→ 违规</h4>" in art17 and "→ violation" not in art17
    assert client.get("/rulebook/48").status_code == 404


def test_interview_without_javascript(client: TestClient) -> None:
    """Full-page posts: the first questions are the submission's id, date and kind; 'back' undoes one."""
    login(client, "rev", "zh")
    page = client.get("/interview").text
    assert 'name="pointer" value="/submission/id"' in page
    state = re.search(r'name="state" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    import html

    def post(**fields: str) -> str:
        response = client.post("/interview", data={"csrf": csrf_of(page), "state": html.unescape(state), **fields})
        assert response.status_code in (200, 422), response.text
        return response.text

    page = post(pointer="/submission/id", **{"v:/submission/id": "web1", "action": "answer"})
    assert 'value="/submission/as_of"' in page
    state = re.search(r'name="state" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    bad = post(pointer="/submission/as_of", **{"v:/submission/as_of": "yesterday", "action": "answer"})
    assert "日期" in bad
    state = re.search(r'name="state" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    back = post(action="back")
    assert 'value="/submission/id"' in back


def test_interview_save_outside_the_reviewers_units_is_refused(client: TestClient) -> None:
    """The interview's state comes back from the browser: a scoped reviewer cannot save a submission about
    another unit through it (403 on the page, nothing saved)."""
    import json

    from egov_rules.input.load import load_document

    data = load_document(FIXTURES / "14_lists_and_grid_team.yaml").data
    login(client, "boss")
    before = client.get("/").text.count('href="/reviews/')
    login(client, "rev_other")
    page = client.get("/interview").text
    response = client.post("/interview", data={"csrf": csrf_of(page), "action": "save",
                                               "state": json.dumps({"base": data, "answers": []})})
    assert response.status_code == 403 and "<html" in response.text
    login(client, "boss")
    assert client.get("/").text.count('href="/reviews/') == before


def test_a_workbook_upload_shows_its_findings_by_cell(client: TestClient, tmp_path: Any) -> None:
    from egov_rules.input.load import load_document
    from egov_rules.input.xlsx_template import write_template

    book = tmp_path / "ex02.xlsx"
    write_template(str(book), "zh", load_document(FIXTURES / "02_municipal_own_datacentre.yaml").data)
    login(client, "rev")
    response = upload(client, book.read_bytes(), save=False, name="ex02.xlsx")
    assert response.status_code == 200, response.text
    assert "第十七条" in response.text and "不予审批" in response.text  # the same finding and decision as its YAML
    assert re.search(r"!\$?[A-Z]+\$?[0-9]+", response.text)  # located by sheet and cell
    assert "PK\x03\x04" not in response.text  # the zip is never echoed back as text
    bad = upload(client, b"PK\x03\x04 not really a zip", save=False, name="broken.xlsx")
    assert bad.status_code == 422 and "broken.xlsx" in bad.text


def test_api_docs_come_from_the_service_itself(client: TestClient) -> None:
    # a closed network reaches no CDN: /docs, its script and Swagger UI's files are all served here
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # no inline script (the CSP forbids it)
    assert "https://" not in page.text and "http://" not in page.text
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/start.js"} <= set(refs)
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    start = client.get("/docs/start.js")
    assert start.headers["content-type"].startswith("text/javascript")
    assert '"url": "/openapi.json"' in start.text and '"validatorUrl": null' in start.text
    assert client.get("/openapi.json").json()["info"]["title"] == "egov-rules review service"
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN page is off, not left blank
