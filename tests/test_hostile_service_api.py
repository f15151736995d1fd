"""A sceptical stranger's requests to the review service (in process, TestClient): numbers and dates at the edge
of what the database and the calendar hold, bodies the API refuses sent through the workbench's forms instead.
Every refusal is a 4xx with a clear message; nothing is a 500 and nothing half-done is saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import FIXTURES, PASSWORD, add_users
from web_support import csrf_of, login, make_app, saved_review

FX02 = (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes()
DATA_CENTRE = "art17-data-centre-without-approval"
HUGE = 10**20  # more than any database integer holds
BIGINT = 2**63 - 1  # the largest SQLite integer: one past it in a page offset overflows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    made = make_app(tmp_path_factory.mktemp("hostile-api"))
    add_users(made.state.settings.db_url, {"root": ("admin", None), "gat": ("reviewer", ["unit.fj.gat"]),
                                           "fin_other": ("finance", ["unit.nowhere"])})
    return made


@pytest.fixture(scope="module")
def review(app: Any) -> int:
    return saved_review(app, FX02)


def as_(app: Any, who: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)  # a bug answers 500 here, as it does to a real client
    assert c.post("/api/v1/login", json={"name": who, "password": PASSWORD}).status_code == 200
    return c


@pytest.fixture()
def rev(app: Any) -> Iterator[TestClient]:
    with as_(app, "rev") as c:
        yield c


@pytest.mark.parametrize("number", [HUGE, 2**31, BIGINT])
def test_an_id_no_database_can_hold_is_not_found(app: Any, review: int, rev: TestClient, number: int) -> None:
    for path in (f"/api/v1/reviews/{number}", f"/api/v1/reviews/{number}/versions",
                 f"/api/v1/reviews/{number}/waivers", f"/api/v1/reviews/{number}/funding",
                 f"/api/v1/reviews/{number}/diff?from=1&to=1", f"/api/v1/reviews/{review}?version={number}",
                 f"/api/v1/reviews/{review}/diff?from=1&to={number}"):
        answer = rev.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["code"] in ("review_not_found", "version_not_found"), path
    answer = rev.post(f"/api/v1/reviews/{number}/recheck", params={"lang": "zh"})
    assert answer.status_code == 404 and answer.json()["message"] == f"没有编号为 {number} 的审查记录"
    answer = rev.post(f"/api/v1/reviews/{review}/recheck", params={"version": number})
    assert answer.status_code == 404 and answer.json()["detail"] == f"review {review} has no version {number}"
    with as_(app, "boss") as boss:
        assert boss.get("/api/v1/audit", params={"review": number}).status_code == 404
    with as_(app, "root") as root:
        answer = root.post(f"/api/v1/tokens/{number}/revoke")
        assert answer.status_code == 404 and answer.json()["code"] == "token_not_found"


def test_a_page_far_past_the_end_is_empty(app: Any, review: int, rev: TestClient) -> None:
    for page in (HUGE // 10**2, BIGINT):
        answer = rev.get("/api/v1/reviews", params={"page": page, "per_page": 200})
        assert answer.status_code == 200, answer.text
        assert answer.json()["items"] == [] and answer.json()["total"] >= 1
    with as_(app, "boss") as boss:
        answer = boss.get("/api/v1/audit", params={"page": BIGINT, "per_page": 1000})
        assert answer.status_code == 200 and answer.json()["items"] == []


def test_the_last_day_of_the_calendar_is_a_period_end(app: Any, review: int, rev: TestClient) -> None:
    answer = rev.get("/api/v1/reviews", params={"until": "9999-12-31", "since": "0001-01-01"})
    assert answer.status_code == 200, answer.text
    assert review in [item["id"] for item in answer.json()["items"]]
    with TestClient(app, raise_server_exceptions=False) as page:
        login(page, "boss")
        answer = page.get("/portfolio", params={"until": "9999-12-31"})
        assert answer.status_code == 200, answer.text
        assert "unit.qz.wjw" in answer.text  # the saved review's unit is counted in the period


@pytest.mark.parametrize("number", [HUGE, 2**31])
def test_workbench_links_with_an_impossible_number_are_not_found(app: Any, review: int, number: int) -> None:
    with TestClient(app, raise_server_exceptions=False) as page:
        login(page, "rev", "en")
        for path in (f"/reviews/{number}", f"/reviews/{review}?version={number}",
                     f"/reviews/{review}/compare?a=1&b={number}", f"/interview?review={number}",
                     f"/reviews/{number}/explain?rule=x"):
            answer = page.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert answer.headers["content-type"].startswith("text/html"), path
            assert f"no review {number}" in answer.text or f"has no version {number}" in answer.text, path
        home = page.get("/", params={"page": BIGINT})
        assert home.status_code == 200, home.status_code


def finance_page(app: Any) -> TestClient:
    page = TestClient(app, raise_server_exceptions=False)
    return login(page, "fin")


@pytest.mark.parametrize(("field", "value", "said"), [
    ("amount", "lots of money", "金额（元）：不是以元为单位的金额：“lots of money”"),
    ("amount", "12.345", "金额（元）：不是以元为单位的金额"),
    ("amount", "-5", "金额（元）：不是以元为单位的金额"),
    ("reference", "r" * 501, "文号：超过 500 个字符"),
    ("note", "n" * 4001, "备注：超过 4000 个字符"),
], ids=["words", "three-places", "negative", "long-reference", "long-note"])
def test_the_funding_form_refuses_what_the_api_refuses(app: Any, review: int, field: str, value: str,
                                                        said: str) -> None:
    body = {"project": "prj.ex02", "action": "fund", field: value}
    with as_(app, "fin") as api:
        assert api.post(f"/api/v1/reviews/{review}/funding", json=body).status_code == 422
    with finance_page(app) as page:
        csrf = csrf_of(page.get(f"/reviews/{review}").text)
        answer = page.post(f"/reviews/{review}/funding", data={"csrf": csrf, **body}, follow_redirects=False)
        assert answer.status_code == 422, answer.status_code
        assert said in answer.text.replace("&#34;", '"')
    with as_(app, "fin") as api:  # neither way saved anything
        assert api.get(f"/api/v1/reviews/{review}/funding").json() == []


def test_a_funding_action_recorded_on_the_page_is_kept_with_who_and_when(app: Any, review: int) -> None:
    with finance_page(app) as page:
        csrf = csrf_of(page.get(f"/reviews/{review}").text)
        answer = page.post(f"/reviews/{review}/funding", follow_redirects=False,
                           data={"csrf": csrf, "project": "prj.ex02", "action": "withhold", "amount": "1250000.50",
                                 "reference": "闽财〔2027〕1号", "note": ""})
        assert answer.status_code == 303, answer.text
        shown = page.get(f"/reviews/{review}").text
        assert "不予拨付" in shown and "1250000.50" in shown  # the action in the reader's words, not its code
        assert ">withhold<" not in shown
    with as_(app, "fin") as api:
        [kept] = api.get(f"/api/v1/reviews/{review}/funding").json()
    assert kept["action"] == "withhold" and kept["amount"] == "1250000.50" and kept["created_by"] == "fin"
    assert kept["decision_outcome"] == "refuse_approval" and kept["created_at"].endswith("Z")
    with as_(app, "boss") as boss:  # and so is the Art 44 decision it acted on, with who saved it and when
        version = boss.get(f"/api/v1/reviews/{review}").json()["version"]
    assert version["created_by"] == "rev" and version["created_at"] <= kept["created_at"]


def rev_page(app: Any, lang: str = "zh") -> TestClient:
    page = TestClient(app, raise_server_exceptions=False)
    return login(page, "rev", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_what_if_value_nested_thousands_deep_is_refused(app: Any, review: int, lang: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    with rev_page(app, lang) as page:
        csrf = csrf_of(page.get(f"/reviews/{review}").text)
        answer = page.post(f"/reviews/{review}/whatif", data={"csrf": csrf, "pointer": "/projects/0/name",
                                                               "value": deep})
    assert answer.status_code == 422, answer.status_code
    said = "无法修改“/projects/0/name”：嵌套层次过深" if lang == "zh" else "/projects/0/name: nested too deeply"
    assert said in answer.text


@pytest.mark.parametrize("depth", [900, 5000])
def test_an_interview_state_nested_deep_is_refused_or_shown(app: Any, depth: int) -> None:
    """The interview's state comes back from the browser: JSON nested too deep to read is refused as a state the
    page could not have written; one that reads is never a 500."""
    states = ['{"base": ' + "[" * depth + "]" * depth + ', "answers": []}',
              '{"base": {"submission": {"id": "x", "note": ' + "[" * depth + "]" * depth + '}}, "answers": []}']
    with rev_page(app) as page:
        csrf = csrf_of(page.get("/interview").text)
        for state in states:
            answer = page.post("/interview", data={"csrf": csrf, "state": state})
            assert answer.status_code in (200, 422), (state[:60], answer.status_code)
            assert answer.headers["content-type"].startswith("text/html")
            if answer.status_code == 422 and depth > 1000:
                assert "问答进度数据有误" in answer.text or "输入无效" in answer.text


# ------------------------------------------------------------------------------------------- body sizes
@pytest.fixture(scope="module")
def small_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The service with --max-bytes 200000, so that bodies over it are cheap to send."""
    from egov_rules.input.load import Limits

    made = make_app(tmp_path_factory.mktemp("hostile-small"))
    made.state.settings.limits = Limits(max_bytes=200_000)
    made.state.checks.limits = made.state.settings.limits
    from egov_rules.service.app import create_app

    return create_app(made.state.settings, checks=made.state.checks)


def test_nobody_logged_in_can_make_the_service_hold_a_big_body(small_app: Any) -> None:
    """A login needs a few hundred bytes: an anonymous client is refused past 64 KiB, before anything parses it,
    whether it says the length or streams the body, and in the reader's language."""
    big = b'{"name": "rev", "password": "' + b"x" * 70_000 + b'"}'
    with TestClient(small_app, raise_server_exceptions=False) as c:
        for body in (big, iter([big[i:i + 4096] for i in range(0, len(big), 4096)])):
            answer = c.post("/api/v1/login", content=body, params={"lang": "zh"},
                            headers={"Content-Type": "application/json"})
            assert answer.status_code == 413, answer.text
            assert answer.json()["code"] == "body_too_large"
            assert answer.json()["message"] == "请求内容超过 65536 字节：登录请求无需更多内容"
        page = c.get("/login")
        answer = c.post("/login", data={"csrf": csrf_of(page.text), "name": "rev", "password": "x" * 70_000})
        assert answer.status_code == 413 and answer.headers["content-type"].startswith("text/html")
        assert "请求内容超过本服务允许的大小（65536 字节）" in answer.text
        assert c.post("/api/v1/login", json={"name": "rev", "password": PASSWORD}).status_code == 200


def test_json_bodies_past_max_bytes_are_413_and_nothing_is_saved(small_app: Any) -> None:
    review = saved_review(small_app, FX02)
    with as_(small_app, "rev") as c:
        fingerprint = c.get(f"/api/v1/reviews/{review}").json()["version"]["report"]["submissions"][0][
            "findings"][0]["fingerprint"]
        body = {"fingerprint": fingerprint, "justification": "j" * 300_000, "approver": "a", "expires": "2999-01-01"}
        answer = c.post(f"/api/v1/reviews/{review}/waivers", json=body)
        assert answer.status_code == 413 and answer.json()["detail"] == (
            "request body exceeds 200000 bytes (the service's --max-bytes limit)")
        assert c.get(f"/api/v1/reviews/{review}/waivers").json() == []
        assert c.get(f"/api/v1/reviews/{review}/versions").json()[-1]["number"] == 1


def test_a_pasted_submission_over_one_megabyte_is_checked(app: Any) -> None:
    """The paste box takes what an upload takes (--max-bytes), not starlette's 1 MB per form field."""
    padding = b"".join(b"# " + b"x" * 98 + b"\n" for _ in range(12_000))  # 1.2 MB of comments
    with rev_page(app, "en") as page:
        csrf = csrf_of(page.get("/reviews/new").text)
        answer = page.post("/reviews/new", files={"file": ("", b"", "application/octet-stream")},
                           data={"csrf": csrf, "save": "0", "text": (FX02 + padding).decode()})
    assert answer.status_code == 200, answer.text[:300]
    assert "Refuse approval" in answer.text  # fixture 02's Art 44 decision


# ------------------------------------------------------------------------------------------- half-way writes
def shared_then_narrowed(app: Any) -> int:
    """A review whose first version was about unit.qz.wjw and unit.fj.gat and whose latest is about unit.qz.wjw
    alone: a reviewer of unit.fj.gat still sees it (a review is seen by the units it ever concerned)."""
    shared = FX02.replace(b"  kind: project_proposal\n",
                          b"  kind: project_proposal\n  units_under_review: [unit.qz.wjw, unit.fj.gat]\n", 1)
    shared = shared.replace(b"  id: ex02\n", b"  id: ex02-shared\n", 1)
    assert shared.count(b"units_under_review") == 1 and b"ex02-shared" in shared
    review = saved_review(app, shared)
    assert saved_review(app, shared.replace(b"units_under_review: [unit.qz.wjw, unit.fj.gat]",
                                            b"units_under_review: [unit.qz.wjw]")) == review
    return review


def test_a_waiver_whose_new_version_is_refused_is_not_kept(app: Any) -> None:
    """The API applies a waiver at once by saving the latest submission again as a new version: when that save is
    refused, the waiver must not stay behind (it was committed first, and the client was told 403)."""
    review = shared_then_narrowed(app)
    with as_(app, "gat") as gat:
        seen = gat.get(f"/api/v1/reviews/{review}")
        assert seen.status_code == 200, seen.text
        finding = seen.json()["version"]["report"]["submissions"][0]["findings"][0]["fingerprint"]
        answer = gat.post(f"/api/v1/reviews/{review}/waivers", params={"lang": "zh"}, json={
            "fingerprint": finding, "justification": "经省厅批准", "approver": "张三", "expires": "2999-01-01"})
        kept = gat.get(f"/api/v1/reviews/{review}/waivers").json()
        versions = gat.get(f"/api/v1/reviews/{review}/versions").json()
    if answer.status_code == 201:  # allowed: then the waiver is applied in a new version
        assert [w["id"] for w in kept] == [answer.json()["id"]] and len(versions) == 3
    else:  # refused: then nothing of it is saved
        assert answer.status_code == 403 and answer.json()["code"] == "outside_scope", answer.text
        assert answer.json()["message"].startswith("报送材料涉及您权限范围以外的单位")
        assert kept == [] and len(versions) == 2
    with as_(app, "boss") as boss:
        actions = [e["action"] for e in boss.get("/api/v1/audit", params={"review": review}).json()["items"]]
    assert actions.count("waiver.add") == (1 if answer.status_code == 201 else 0)


def test_a_recheck_the_page_cannot_save_is_the_error_page(app: Any) -> None:
    review = shared_then_narrowed(app)
    with TestClient(app, raise_server_exceptions=False) as page:
        login(page, "gat", "zh")
        csrf = csrf_of(page.get(f"/reviews/{review}").text)
        answer = page.post(f"/reviews/{review}/recheck", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html"), answer.text[:200]
    assert "报送材料涉及您权限范围以外的单位" in answer.text


# ------------------------------------------------------------------------------------------- unknown fields
def test_a_misspelt_field_is_refused_not_dropped(app: Any, review: int) -> None:
    """A finance system's "ammount" was dropped and the funding action recorded without its amount, for good (the
    trail is append-only); an admin's "pasword" made an account nobody can log in to."""
    with as_(app, "fin") as fin:
        before = fin.get(f"/api/v1/reviews/{review}/funding").json()
        answer = fin.post(f"/api/v1/reviews/{review}/funding", params={"lang": "zh"},
                          json={"project": "prj.ex02", "action": "fund", "ammount": "1250000"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "body.ammount" and answer.json()["code"] == "invalid_request"
        assert answer.json()["message"] == "字段“body.ammount”：不允许的字段"
        assert fin.get(f"/api/v1/reviews/{review}/funding").json() == before
    with as_(app, "root") as root:
        answer = root.post("/api/v1/users", json={"name": "newbie", "role": "supervisor", "pasword": PASSWORD})
        assert answer.status_code == 422 and answer.json()["field"] == "body.pasword", answer.text
        assert "newbie" not in [u["name"] for u in root.get("/api/v1/users").json()]
    with as_(app, "rev") as rev:
        report = rev.get(f"/api/v1/reviews/{review}").json()["version"]["report"]
        body = {"fingerprint": report["submissions"][0]["findings"][0]["fingerprint"], "justification": "j",
                "approver": "a", "expires": "2999-01-01", "expiry": "2999-01-01"}
        answer = rev.post(f"/api/v1/reviews/{review}/waivers", json=body)
        assert answer.status_code == 422 and answer.json()["field"] == "body.expiry", answer.text
        assert rev.get(f"/api/v1/reviews/{review}/waivers").json() == []


# ------------------------------------------------------------------------------------------- credentials
def test_an_expired_or_ended_session_and_a_disabled_accounts_token_are_refused(app: Any) -> None:
    import datetime as dt

    from sqlalchemy import update

    from egov_rules.service.auth import SESSION_COOKIE, create_token
    from egov_rules.service.models import BrowserSession

    db = app.state.db
    add_users(db.url, {"temp": ("reviewer", ["unit.qz.wjw"])})
    with db.write() as session:
        token = create_token(session, "temp", "t")[1]
    c = as_(app, "temp")
    stolen = c.cookies[SESSION_COOKIE]
    assert c.get("/api/v1/me").status_code == 200
    with db.write() as session:  # twelve hours later
        session.execute(update(BrowserSession).values(expires_at=dt.datetime(2000, 1, 1)))
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/", follow_redirects=False).headers["location"].startswith("/login")
    assert TestClient(app, cookies={SESSION_COOKIE: stolen}).get("/api/v1/me").status_code == 401
    again = as_(app, "temp")
    ended = again.cookies[SESSION_COOKIE]
    assert again.post("/api/v1/logout").status_code == 200
    replay = TestClient(app, cookies={SESSION_COOKIE: ended})
    assert replay.get("/api/v1/me").status_code == 401  # a logged-out cookie stays dead
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/v1/me", headers=bearer).status_code == 200
    with as_(app, "root") as root:
        assert root.post("/api/v1/users/temp/disable").status_code == 200
    answer = c.get("/api/v1/me", headers={**bearer, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert answer.status_code == 401 and answer.json()["message"].startswith("需要登录")


# ------------------------------------------------------------------------------------------- multipart forms
MULTIPARTS = {  # name -> (headers, body): forms a client can get wrong
    "two files": ({}, {"files": [("file", ("a.yaml", FX02)), ("file", ("b.yaml", FX02))]}),
    "eleven fields": ({}, {"files": {"file": ("a.yaml", FX02)}, "data": {f"f{i}": "x" for i in range(11)}}),
    "no boundary": ({"Content-Type": "multipart/form-data"}, {"content": b"file=abc"}),
}


@pytest.mark.parametrize("case", sorted(MULTIPARTS))
def test_a_multipart_body_the_api_cannot_read_is_a_422_in_the_readers_language(rev: TestClient, case: str) -> None:
    headers, body = MULTIPARTS[case]
    before = rev.get("/api/v1/reviews").json()["total"]
    answer = rev.post("/api/v1/checks", params={"lang": "zh", "save": "true"}, headers=headers, **body)
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["error"]["problems"]
    assert problem["field"] == "file" and problem["message"] == "the multipart body cannot be read"
    assert answer.json()["detail"].startswith("<upload>：输入无效：字段“file”：无法读取表单内容；应为")
    assert rev.get("/api/v1/reviews").json()["total"] == before  # save=true saved nothing


def test_the_new_review_page_with_two_files_asks_for_one(app: Any) -> None:
    with rev_page(app) as page:
        csrf = csrf_of(page.get("/reviews/new").text)
        answer = page.post("/reviews/new", data={"csrf": csrf, "save": "1"},
                           files=[("file", ("a.yaml", FX02)), ("file", ("b.yaml", FX02))])
    assert answer.status_code == 422 and "请一次上传一个文件。" in answer.text, answer.status_code


# ------------------------------------------------------------------------------------------- other units
def test_another_units_review_is_not_there_for_any_request_api_or_page(app: Any, review: int) -> None:
    """A reviewer and a finance user of another unit guessing the id: every read and every write of the API and
    of the pages answers 404 (as if there were no such review), and nothing is recorded."""
    with as_(app, "boss") as boss:
        trail = boss.get("/api/v1/audit", params={"review": review}).json()["total"]
        funding = boss.get(f"/api/v1/reviews/{review}/funding").json()
        waivers = boss.get(f"/api/v1/reviews/{review}/waivers").json()
    fingerprint = "0" * 32
    with as_(app, "rev_other") as other, as_(app, "fin_other") as fin:
        for c in (other, fin):
            for path in ("", "/versions", "/waivers", "/funding", "/diff?from=1&to=1", "?version=1"):
                assert c.get(f"/api/v1/reviews/{review}{path}").status_code == 404, path
            assert c.post(f"/api/v1/reviews/{review}/recheck").status_code == 404
        answer = other.post(f"/api/v1/reviews/{review}/waivers", json={
            "fingerprint": fingerprint, "justification": "j", "approver": "a", "expires": "2999-01-01"})
        assert answer.status_code == 404 and answer.json()["code"] == "review_not_found"
        answer = fin.post(f"/api/v1/reviews/{review}/funding", json={"project": "prj.ex02", "action": "fund"})
        assert answer.status_code == 404 and answer.json()["code"] == "review_not_found"
    for who in ("rev_other", "fin_other"):
        with TestClient(app, raise_server_exceptions=False) as page:
            login(page, who, "zh")
            csrf = csrf_of(page.get("/reviews/new").text)
            for path in (f"/reviews/{review}", f"/reviews/{review}/compare?a=1&b=1", f"/interview?review={review}",
                         f"/reviews/{review}/explain?rule={DATA_CENTRE}"):
                answer = page.get(path)
                assert answer.status_code == 404 and f"没有编号为 {review} 的审查记录" in answer.text, (who, path)
            posts = {"whatif": {"pointer": "/projects/0/name", "value": "x"}, "recheck": {},
                     "waivers": {"fingerprint": fingerprint, "justification": "j", "approver": "a",
                                 "expires": "2999-01-01"},
                     "funding": {"project": "prj.ex02", "action": "fund"}}
            not_their_role = {"rev_other": {"funding"}, "fin_other": {"recheck", "waivers"}}[who]
            for action, form in posts.items():
                answer = page.post(f"/reviews/{review}/{action}", data={"csrf": csrf, **form})
                assert answer.status_code == (403 if action in not_their_role else 404), (who, action)
    with as_(app, "boss") as boss:
        assert boss.get("/api/v1/audit", params={"review": review}).json()["total"] == trail
        assert boss.get(f"/api/v1/reviews/{review}/funding").json() == funding
        assert boss.get(f"/api/v1/reviews/{review}/waivers").json() == waivers


@pytest.mark.parametrize(("units", "code", "message"), [
    ([], "scope_missing", "审查人员须指定可见范围：units 或 all_units"),
    (["unit.a unit.b"], "bad_unit_id", "“unit.a unit.b”不是单位编号；应为报送材料中的单位编号"),
])
def test_the_admin_api_refuses_a_scope_that_could_show_nothing(app: Any, units: list[str], code: str,
                                                               message: str) -> None:
    with as_(app, "root") as root:
        answer = root.post("/api/v1/users", params={"lang": "zh"},
                           json={"name": "wang", "role": "reviewer", "units": units, "password": PASSWORD})
        assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
        assert answer.json()["message"].startswith(message) and answer.json()["detail"]["field"] == "units"
        assert "wang" not in [u["name"] for u in root.get("/api/v1/users").json()]


# ------------------------------------------------------------------------------------------- stale decisions
def test_a_funding_action_on_a_decision_that_has_since_changed_is_refused(app: Any) -> None:
    """Finance opens a review, a reviewer saves a new version meanwhile: the action names the version whose Art 44
    decision it acts on, and is refused (409, nothing recorded) once that is no longer the latest."""
    data = FX02.replace(b"  id: ex02\n", b"  id: ex02-stale\n", 1)
    review = saved_review(app, data)
    with finance_page(app) as page:
        shown = page.get(f"/reviews/{review}").text
        assert 'name="version" value="1"' in shown
        assert saved_review(app, data + b"\n# saved again\n") == review  # version 2, meanwhile
        answer = page.post(f"/reviews/{review}/funding", data={
            "csrf": csrf_of(shown), "project": "prj.ex02", "action": "withhold", "version": "1"})
        assert answer.status_code == 409, answer.status_code
        assert f"审查记录 {review} 已有更新的版本（第 2 版），处理所依据的是第 1 版" in answer.text
        old = page.get(f"/reviews/{review}", params={"version": 1}).text
        assert f'action="/reviews/{review}/funding"' not in old and "这是较早的版本" in old  # no form on it
    with as_(app, "fin") as fin:
        stale = fin.post(f"/api/v1/reviews/{review}/funding", params={"lang": "zh"},
                         json={"project": "prj.ex02", "action": "withhold", "version": 1})
        assert stale.status_code == 409 and stale.json()["code"] == "version_stale", stale.text
        assert fin.get(f"/api/v1/reviews/{review}/funding").json() == []
        fresh = fin.post(f"/api/v1/reviews/{review}/funding", json={"project": "prj.ex02", "action": "withhold",
                                                                     "version": 2})
        assert fresh.status_code == 201 and fresh.json()["version"] == 2
        unpinned = fin.post(f"/api/v1/reviews/{review}/funding", json={"project": "prj.ex02", "action": "fund"})
        assert unpinned.status_code == 201  # without a version, as before: on the latest decision
