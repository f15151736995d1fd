"""Issue 10 wording: names beside ids in every human format, open questions, the table at 80 columns, a
closed pipe, GitHub annotation caps, the article summary labelled."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker, Report
from egov_rules.cli import app
from egov_rules.reports import RenderOptions, render
from egov_rules.reports.github import MAX_PER_LEVEL

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
UNIT = "泉州市卫生和计划生育委员会"
PROJECT = "泉州市全民健康信息平台"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def report() -> Report:
    checker = Checker()
    return Report([checker.check_path(OWN_DC, raise_errors=True)], checker.rulebook)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "github"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_names_stand_beside_ids_in_every_human_format(report: Report, fmt: str, lang: str) -> None:
    text = render(report, fmt, RenderOptions(lang=lang, width=100))
    flat = " ".join(text.split())
    open_, close = ("（", "）") if lang == "zh" else (" (", ")")
    # the name as given (here with an English gloss), then the id in brackets
    assert re.search(re.escape(PROJECT) + r".{0,70}?" + re.escape(open_) + r"prj\.ex02" + re.escape(close), flat), fmt
    if fmt != "github":  # annotations carry findings only; the heading names the unit under review
        assert UNIT in flat and "unit.qz.wjw" in flat
    # enum values by label, never raw: the component's mode reads "build its own" / 自建
    assert "build_own" not in flat
    assert ("build its own" if lang == "en" else "进行自建") in flat


def test_gate_names_the_project_and_lists_the_open_question_once() -> None:
    code, out, _ = run("gate", str(OWN_DC), "--format", "table", "--width", "120")
    assert code == 1
    flat = " ".join(out.split())
    assert f"project {PROJECT}" in flat and "at the proposal stage: not approved, no construction funds" in flat
    assert "refuse_approval" not in out and " - allowed" not in out
    assert flat.count("Cannot decide whether") == 1
    assert flat.count("plat.qz.wjw_dc.cloud_backup_compliant (line 61)") == 1
    assert "null" not in out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_insufficient_finding_is_an_open_question_without_null(report: Report, lang: str) -> None:
    [f] = [f for f in report.submissions[0].findings if f.severity == "insufficient"]
    assert f.title[lang].startswith("Cannot decide" if lang == "en" else "无法判定")
    assert f.message[lang].count("plat.qz.wjw_dc.cloud_backup_compliant") == 1
    assert "null" not in f.message[lang] and "null" not in f.title[lang]
    assert f.title[lang] not in f.message[lang]  # printed once, not "title: title"
    assert [m.name for m in f.missing] == ["plat.qz.wjw_dc.cloud_backup_compliant"]


def test_table_fits_80_columns_and_never_breaks_a_rule_id(report: Report) -> None:
    text = render(report, "table", RenderOptions(width=80))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    for f in report.submissions[0].findings:
        assert any(f.rule in line for line in lines), f.rule
    assert "\x1b[" not in text  # plain when not a terminal


def test_table_orders_worst_first_and_words_decision_and_art46(report: Report) -> None:
    text = " ".join(render(report, "table", RenderOptions(width=200)).split())
    v = text.index("violation Art 7")
    i = text.index("insufficient facts (to be supplied) Art 17(4)")
    assert v < text.index("violation Art 17(1)") < i  # violations (by article) before open questions
    assert "Art 46(1) ignoring coordinated planning and sharing, duplicate construction with major waste: " \
           "potential" in text
    assert text.count("Art 46(1) ignoring") == 1
    assert "Needs the reviewer" in text


def test_table_is_the_default_even_when_piped() -> None:
    code, out, _ = run("check", str(OWN_DC))
    assert code == 1
    assert not out.lstrip().startswith("{") and "Summary: 2 violations" in " ".join(out.split())


def test_baselined_count_is_shown_beside_the_decision(report: Report) -> None:
    report.submissions[0].baselined = 4
    try:
        text = " ".join(render(report, "table", RenderOptions(width=200)).split())
    finally:
        report.submissions[0].baselined = None
    assert "no construction funds (4 known findings left out by the baseline)" in text


def test_closed_pipe_ends_quietly_with_the_normal_exit_code() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    many = [str(ROOT / "fixtures")] * 3
    proc = subprocess.run(f"{sys.executable} -m egov_rules check {' '.join(many)} --format markdown | head -1;"
                          " echo \"rc=${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash", env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.stdout.splitlines()[0].startswith("# ")
    assert "rc=1" in proc.stdout  # findings: 1, as without the pipe (never 130 "interrupted")
    assert "interrupted" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Traceback" not in proc.stderr


def test_github_annotations_are_capped_per_level_with_one_counting_notice() -> None:
    _, out, _ = run("check", str(ROOT / "fixtures"), "--format", "github")
    lines = out.splitlines()
    for level in ("error", "warning", "notice"):
        assert sum(1 for x in lines if x.startswith(f"::{level}")) <= MAX_PER_LEVEL
    assert sum(1 for x in lines if x.startswith("::error")) == MAX_PER_LEVEL
    [counting] = [x for x in lines if x.startswith("::notice") and "more findings not annotated" in x]
    left = sum(1 for x in lines if x.startswith("egov-rules (not annotated):"))
    assert f"{left} more findings" in counting


def test_markdown_has_no_doubled_list_markers(report: Report) -> None:
    md = render(report, "markdown", RenderOptions())
    assert not re.search(r"^\s*[-*+] +\d+[.)] ", md, flags=re.M)  # "- 1. x" would nest an ordered list
    assert not re.search(r"^\s*[-*+] +[-*+] ", md, flags=re.M)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_article_summary_is_labelled_not_quoted_as_the_article(report: Report, fmt: str) -> None:
    en = render(report, fmt, RenderOptions(lang="en"))
    zh = render(report, fmt, RenderOptions(lang="zh"))
    assert "Summary of the article (not the official text)" in en and "条文要点（非原文）" in zh
    assert "rough machine translation" not in en and "Units without approval" not in en


def test_batch_html_starts_with_an_overview_of_every_submission() -> None:
    _, html, _ = run("check", str(ROOT / "fixtures"), "--format", "html")
    overview = html[html.index('<table class="overview">'):html.index("</table>", html.index('class="overview"'))]
    assert html.index('class="overview"') < html.index('<section class="submission"')
    files = sorted(p.name for p in (ROOT / "fixtures").glob("*.yaml") if ".expected." not in p.name)
    for name in files:
        assert name in overview
    assert "not approved, no construction funds" in overview and "allowed" in overview


def test_html_prints_compactly_with_page_numbers_and_as_of_date(report: Report) -> None:
    html = render(report, "html", RenderOptions())
    css = html[html.index("<style>"):html.index("</style>")]
    assert "counter(page)" in css and "counter(pages)" in css and "2016-11-08" in css
    assert re.search(r"\.finding \{ break-inside: auto", css)
    assert "break-before: page" not in css


def test_rules_that_can_lack_facts_carry_their_own_question(report: Report) -> None:
    from egov_rules.rules.lint import lint_rulebook
    from egov_rules.rules.rulebook import load_rulebook

    rb = load_rulebook()
    with_question = [r for r in rb.rules if r.spec.question is not None]
    assert len(with_question) >= 20
    assert not [p for p in lint_rulebook(rb) if "question" in p.message]
    [f] = [f for f in report.submissions[0].findings if f.severity == "insufficient"]
    rule = rb.get(f.rule)
    assert rule is not None and rule.spec.question is not None
    assert f.title["en"] == rule.spec.question.en and f.title["zh"] == rule.spec.question.zh
