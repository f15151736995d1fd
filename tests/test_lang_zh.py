"""`--lang zh`: every human format in Chinese, citations in Chinese style (第十七条第一款); English by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.cli import app
from egov_rules.text.i18n import art46_citation, citation

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
DC_RULE = "art17-data-centre-without-approval"

# English words of the report's own text that must not survive in a Chinese report
ENGLISH = ("Remediation", "Findings", "Art 44 decision", "Consequences", "Summary", "not approved",
           "construction funds", "Article text", "Entity", "Interpretation notes", "insufficient facts",
           "potential", "blocks the stage", "Art 17", "Art 46(")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def visible(text: str) -> str:
    """The text a reader sees: no styles, tags or attribute values."""
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def test_chinese_citation_style() -> None:
    assert citation(17, None, None, "zh") == "第十七条"
    assert citation(17, 1, None, "zh") == "第十七条第一款"
    assert citation(46, None, 3, "zh") == "第四十六条第（三）项"
    assert art46_citation(3, "zh") == "第四十六条第（三）项"
    assert citation(17, 1, None, "en") == "Art 17(1)"


@pytest.mark.parametrize(("command", "fmt"), [("check", "table"), ("check", "markdown"), ("check", "html"),
                                              ("gate", "table"), ("gate", "markdown"), ("gate", "html")])
def test_art17_finding_cites_chinese_style_in_every_human_format(command: str, fmt: str) -> None:
    code, out, _ = run(command, OWN_DC, "--format", fmt, "--lang", "zh")
    assert code == 1
    text = visible(out) if fmt == "html" else out
    assert "第十七条" in text
    assert "未经批准新建、扩建或改建数据中心" in text  # the rule's Chinese title
    assert "不予审批、不安排建设资金" in text  # the decision in Chinese
    if fmt != "table":  # the table folds long cells; the documents keep whole sentences
        assert "审批部门不予审批建设" in text and "第四十六条第（一）项" in text
    leftovers = [w for w in ENGLISH if w in text]
    assert not leftovers, leftovers


def test_explain_in_chinese() -> None:
    code, out, _ = run("explain", OWN_DC, "--rule", DC_RULE, "--format", "table", "--lang", "zh")
    assert code == 0
    assert "第十七条第一款" in out and "触发" in out and "合规要求" in out
    assert "FIRED" not in out and "requires" not in out


def test_json_carries_chinese_texts_with_stable_keys() -> None:
    import json

    out = json.loads(run("check", OWN_DC, "--format", "json", "--lang", "zh")[1])
    f = next(f for f in out["submissions"][0]["findings"] if f["rule"] == DC_RULE)
    assert f["citation"] == "第十七条第一款" and f["severity"] == "violation"
    assert out["submissions"][0]["decision"]["outcome"] == "refuse_approval"


def test_english_is_the_default() -> None:
    out = run("check", OWN_DC, "--format", "markdown")[1]
    assert "Art 17(1)" in out and "第十七条" not in out and "Remediation" in out
