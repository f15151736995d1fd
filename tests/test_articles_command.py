"""`egov-rules articles` accounts for all 47 articles: rules, the engine, co-citation, or a reason."""

from __future__ import annotations

import json

from click.testing import CliRunner

from egov_rules.cli import app


def articles(lang: str = "en") -> list[dict]:
    result = CliRunner().invoke(app, ["articles", "--format", "json", "--lang", lang])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["articles"]


def test_all_47_articles_are_accounted_for() -> None:
    data = articles()
    assert [a["article"] for a in data] == list(range(1, 48))
    for a in data:
        assert a["checkable"] in ("yes", "partly", "no")
        assert a["rules"] or a["reason"], a
        if a["checkable"] == "no":
            assert not a["rules"] and a["reason"]


def test_every_checkable_article_is_encoded() -> None:
    for a in articles():
        if a["checkable"] == "yes":
            assert a["rules"], f"Art {a['article']} is checkable but has no rule"
        if a["checkable"] == "partly":
            assert a["encoded_by"] in ("rules", "engine", "co-citation"), a


def test_chinese_citations() -> None:
    data = articles("zh")
    assert data[16]["citation"] == "第十七条" and data[46]["citation"] == "第四十七条"
