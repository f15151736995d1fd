"""The workbench's review pages on reviews that were not saved as plain YAML text: a workbook upload, and a YAML
body the API saved under a ``.json`` name.  Every page that reads the stored submission again (explain, what-if,
the interview from a review, check-and-save after a waiver) reads the bytes as stored, in the format they were
read in; a workbook's review page never shows its zip bytes as source lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import FIXTURES, PASSWORD
from web_support import csrf_of, login, make_app

from egov_rules.input.load import load_document
from egov_rules.input.xlsx_template import write_template

FIXTURE = FIXTURES / "02_municipal_own_datacentre.yaml"
DATA_CENTRE = "art17-data-centre-without-approval"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("hostile-pages"))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = load_document(FIXTURE).data
    data["submission"]["id"] = "ex02-book"
    path: Path = tmp_path_factory.mktemp("book") / "ex02.xlsx"
    write_template(str(path), "zh", data)
    return path.read_bytes()


@pytest.fixture()
def page(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield login(c, "rev", "en")


def api(app: Any) -> TestClient:
    c = TestClient(app)
    assert c.post("/api/v1/login", json={"name": "rev", "password": PASSWORD}).status_code == 200
    return c


def upload(page: TestClient, name: str, data: bytes) -> int:
    csrf = csrf_of(page.get("/reviews/new").text)
    saved = page.post("/reviews/new", data={"csrf": csrf, "save": "1"}, follow_redirects=False,
                      files={"file": (name, data, "application/octet-stream")})
    assert saved.status_code == 303, saved.text[:500]
    return int(saved.headers["location"].rsplit("/", 1)[-1])


def fingerprint_of(app: Any, review: int, rule: str) -> str:
    with api(app) as c:
        findings = c.get(f"/api/v1/reviews/{review}").json()["version"]["report"]["submissions"][0]["findings"]
    return str(next(f["fingerprint"] for f in findings if f["rule"] == rule))


def pages_that_read_it_again(app: Any, page: TestClient, review: int) -> None:
    csrf = csrf_of(page.get(f"/reviews/{review}").text)
    explained = page.get(f"/reviews/{review}/explain", params={"rule": DATA_CENTRE})
    assert explained.status_code == 200, explained.text[-600:]
    what_if = page.post(f"/reviews/{review}/whatif", data={"csrf": csrf, "pointer": "/projects/0/name",
                                                          "value": "another name"})
    assert what_if.status_code == 200, what_if.text[-600:]
    interview = page.get("/interview", params={"review": review})
    assert interview.status_code == 200, interview.text[-600:]
    waived = page.post(f"/reviews/{review}/waivers", follow_redirects=False, data={
        "csrf": csrf, "fingerprint": fingerprint_of(app, review, DATA_CENTRE), "justification": "approved late",
        "approver": "provincial egov dept", "expires": "2999-01-01"})
    assert waived.status_code == 303, waived.text[-600:]
    saved = page.post(f"/reviews/{review}/recheck", data={"csrf": csrf}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[-600:]
    with api(app) as c:
        versions = c.get(f"/api/v1/reviews/{review}/versions").json()
        again = c.post(f"/api/v1/reviews/{review}/recheck").json()
    assert [len(v["waivers_applied"]) for v in versions] == [0, 1]
    assert versions[0]["submission_sha256"] == versions[1]["submission_sha256"]  # the same bytes saved again
    assert again["identical"] is True


def test_a_workbook_review_is_read_again_as_the_workbook(app: Any, page: TestClient, book: bytes) -> None:
    form = page.get("/reviews/new").text
    assert 'accept=".yaml,.yml,.json,.xlsx"' in form and "Upload a file (YAML, JSON or an xlsx workbook)" in form
    review = upload(page, "ex02.xlsx", book)
    shown = page.get(f"/reviews/{review}")
    assert shown.status_code == 200
    assert 'class="snippet"' not in shown.text and "docProps" not in shown.text  # no zip bytes as "lines"
    pages_that_read_it_again(app, page, review)


def test_a_yaml_body_saved_under_a_json_name_is_read_again_as_yaml(app: Any, page: TestClient) -> None:
    data = FIXTURE.read_bytes().replace(b"  id: ex02\n", b"  id: ex02-named\n", 1)
    with api(app) as c:
        saved = c.post("/api/v1/checks", content=data, headers={"Content-Type": "application/yaml"},
                       params={"save": "true", "name": "ex02.json"})
    assert saved.status_code == 200, saved.text
    pages_that_read_it_again(app, page, int(saved.json()["review"]["id"]))


def test_a_snippet_is_labelled_with_its_line_in_the_readers_language(page: TestClient) -> None:
    review = upload(page, "ex02.yaml", FIXTURE.read_bytes().replace(b"  id: ex02\n", b"  id: ex02-label\n", 1))
    english = page.get(f"/reviews/{review}").text
    page.get("/lang/zh")
    chinese = page.get(f"/reviews/{review}").text
    assert 'class="snippet" aria-label="line ' in english
    assert 'class="snippet" aria-label="第' in chinese and "第{}行" not in chinese


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stale_address_or_a_bug_is_the_error_page_not_json(app: Any, monkeypatch: pytest.MonkeyPatch,
                                                             lang: str) -> None:
    """A browser without JavaScript lands on a form's address after a refused post (say /reviews/1/funding) and
    reloads it, or follows an old link: the workbench's error page in the reader's language, as for a bad link."""
    with TestClient(app, raise_server_exceptions=False) as c:
        login(c, "rev", lang)
        said = {
            "/no/such/page": (404, "没有这个地址" if lang == "zh" else "Not Found"),
            "/reviews/1/funding": (405, "该地址不接受此请求方法" if lang == "zh" else "Method Not Allowed"),
        }
        for path, (status, words) in said.items():
            answer = c.get(path)
            assert answer.status_code == status and answer.headers["content-type"].startswith("text/html"), path
            assert f'<pre class="errtext">{words}</pre>' in answer.text, (path, answer.text[-400:])
        api = c.get("/api/v1/no/such/thing")  # the API's own refusals stay JSON
        assert api.status_code == 404 and api.json()["code"] == "not_found"

        from egov_rules.service import store

        def broken(*_args: Any, **_kw: Any) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(store, "list_reviews", broken)
        answer = c.get("/")
        assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
        assert ("内部错误" if lang == "zh" else "internal error: a bug in egov-rules") in answer.text
        assert "RuntimeError" not in answer.text and "a bug<" not in answer.text
        api = c.get("/api/v1/reviews")
        assert api.status_code == 500 and api.json()["code"] == "internal_error"


def test_the_api_gives_a_workbook_review_back_byte_for_byte(app: Any, page: TestClient, book: bytes) -> None:
    import base64
    import hashlib

    review = upload(page, "ex02.xlsx", book)
    text = FIXTURE.read_bytes().replace(b"  id: ex02\n", b"  id: ex02-text\n", 1)
    as_text = upload(page, "ex02.yaml", text)
    with api(app) as c:
        version = c.get(f"/api/v1/reviews/{review}").json()["version"]
        yaml_version = c.get(f"/api/v1/reviews/{as_text}").json()["version"]
    assert version["submission"] is None  # not a lossy text with U+FFFD for every byte that is not UTF-8
    stored = base64.b64decode(version["submission_base64"])
    assert stored == book and hashlib.sha256(stored).hexdigest() == version["submission_sha256"]
    assert yaml_version["submission"].encode() == text and "submission_base64" not in yaml_version
