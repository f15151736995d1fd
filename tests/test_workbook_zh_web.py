"""A broken workbook uploaded to the workbench (Chinese reader) or to the API with ``?lang=zh`` is told in
Chinese, the same words the CLI prints; English readers and the API's problem list keep the English."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_workbook_zh import CASES, english_left
from web_support import csrf_of, login, make_app

from egov_rules.input.load import load_document
from egov_rules.input.xlsx_template import write_template

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "01_county_compliant.yaml"
FORMULA_ZH = "单元格为公式（“=1000000*2”）：公式一律不计算；应为值本身"
FORMULA_EN = "a formula (=1000000*2): formulas are never evaluated; expected the value itself"


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    from service_support import add_users

    tmp = tmp_path_factory.mktemp("web-zh")
    app = make_app(tmp)
    token = add_users(f"sqlite:///{tmp / 'web.sqlite3'}", {"api_zh": ("supervisor", None)})["api_zh"]
    return app, token


@pytest.fixture()
def client(app_and_token: tuple[Any, str]) -> Iterator[TestClient]:
    with TestClient(app_and_token[0]) as c:
        yield c


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("books")
    good = tmp / "good.xlsx"
    write_template(str(good), "en", load_document(FIXTURE).data)
    return {case: CASES[case](good, tmp)[0] for case in ("formula", "not a choice", "macros")}


def _upload(c: TestClient, data: bytes, name: str) -> Any:
    token = csrf_of(c.get("/reviews/new").text)
    return c.post("/reviews/new", data={"csrf": token, "save": "0"},
                  files={"file": (name, data, "application/octet-stream")}, follow_redirects=False)


def _error_block(page: str) -> str:
    """The page's error message as a reader sees it (its Chinese lead-in, then the CLI's lines)."""
    match = re.search(r'<pre class="errtext">(.*?)</pre>', page, re.S)
    assert match, page[-2000:]
    return html.unescape(match.group(1))


def test_the_workbench_tells_a_chinese_reader_in_chinese(client: TestClient, books: dict[str, bytes]) -> None:
    login(client, "rev", "zh")
    page = _upload(client, books["formula"], "formula.xlsx")
    assert page.status_code == 422
    block = _error_block(page.text)
    assert FORMULA_ZH in block and "projects!G3" in block, block
    assert block.startswith("申报材料有误") and english_left(block) == [], block
    choice = _error_block(_upload(client, books["not a choice"], "choice.xlsx").text)
    assert "“almost done”不在可选项中；应为以下之一：规划、" in choice and english_left(choice) == []
    login(client, "rev", "en")
    assert FORMULA_EN in _error_block(_upload(client, books["formula"], "formula.xlsx").text)


def test_the_api_answers_in_the_language_asked(client: TestClient, app_and_token: tuple[Any, str],
                                               books: dict[str, bytes]) -> None:
    headers = {"Authorization": f"Bearer {app_and_token[1]}"}
    for case, zh_words in (("formula", FORMULA_ZH), ("macros", "工作簿含有宏")):
        files = {"file": (f"{case}.xlsx", books[case], "application/octet-stream")}
        zh = client.post("/api/v1/checks", params={"lang": "zh"}, files=files, headers=headers)
        en = client.post("/api/v1/checks", files=files, headers=headers)
        assert zh.status_code == en.status_code == 422, zh.text
        assert zh_words in zh.json()["detail"] and english_left(zh.json()["detail"]) == [], zh.json()["detail"]
        assert zh.json()["error"] == en.json()["error"]  # the problem list is for programs: English either way
        assert "invalid input" in en.json()["detail"] and not re.search(r"[\u4e00-\u9fff]", en.json()["detail"])
