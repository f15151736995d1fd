"""The workbench in Chinese shows codes by their labels and Chinese punctuation: the roles, the stages to pick,
the funding actions, the entity of a finding, the outcomes a rule's examples expect, counts in full-width
parentheses and full-width colons after labels.  Each page's visible text (code and the submission's own
text left out) is scanned by ``test_zh_errors.not_chinese``; English stays as it was."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_zh_errors import not_chinese
from web_support import login, make_app

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = (ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").read_bytes()
IDS = ("prj.ex02", "ex02", "unit.qz.wjw")  # the submission's ids, as it gives them


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, int]:
    app = make_app(tmp_path_factory.mktemp("zh_web"))
    with login(TestClient(app), "rev", "zh") as c:
        saved = c.post("/api/v1/checks", content=OWN_DC, headers={"Content-Type": "application/yaml"},
                       params={"save": "true"})
        assert saved.status_code == 200, saved.text
    return app, int(saved.json()["review"]["id"])


def visible(page: str) -> str:
    """What a reader sees, less code (pre, code) the page quotes as written and the other language's link."""
    page = re.sub(r"<(style|script|pre|code|title)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).replace("English", " ")


@pytest.mark.parametrize("who", ["rev", "fin", "boss"])
def test_every_page_without_submitted_text_is_chinese(workbench: tuple[Any, int], who: str) -> None:
    app, review = workbench
    found = {}
    with login(TestClient(app), who, "zh") as c:
        for url in ("/", "/reviews/new", "/portfolio", "/rulebook", "/interview", f"/reviews/{review}/compare?a=1&b=1",
                    "/reviews/99999", "/reviews/abc", "/rulebook/99", "/portfolio?since=x"):
            words = not_chinese(visible(c.get(url).text), (who, *IDS))
            if words:
                found[url] = words
    assert found == {}


def test_codes_are_shown_by_their_labels(workbench: tuple[Any, int]) -> None:
    app, review = workbench
    with login(TestClient(app), "fin", "zh") as c:
        page = c.get(f"/reviews/{review}").text
        new = c.get("/reviews/new").text
        article = c.get("/rulebook/17").text
    assert "fin（财政人员）" in page  # the role
    assert '<option value="withhold">不予拨付</option>' in page and ">withhold<" not in page  # funding actions
    assert "对象：项目 prj.ex02" in page and "整改建议：" in page  # the finding's entity, full-width colons
    assert '<option value="approved">' in new and ">approved<" not in new  # stages by label
    assert "→ 违规</h4>" in article and "→ pass" not in article and "示例（" in article  # examples' outcomes
    with login(TestClient(app), "fin", "en") as c:  # English as it was
        page = c.get(f"/reviews/{review}").text
        article = c.get("/rulebook/17").text
    assert "fin (finance)" in page and '<option value="withhold">withhold</option>' in page
    assert "Entity: project prj.ex02" in page and "→ violation</h4>" in article
