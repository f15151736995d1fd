"""Markdown and HTML reports: decision first, chart, findings with citations; self-contained; escaped."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker, Report
from egov_rules.cli import app
from egov_rules.reports import RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"
RECOLLECT = FIX / "03_collection_outside_catalogue.yaml"
HOSTILE = "<script>alert('x')</script> & <img src=x onerror=alert(1)> | [click](https://evil.example/) *bold*"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def hostile_report(checker: Checker) -> Report:
    result = checker.check_path(OWN_DC, raise_errors=True)
    f = result.findings[0]
    f.message = {"en": HOSTILE, "zh": HOSTILE}
    f.title = {"en": "</title><script>x</script>", "zh": "</title><script>x</script>"}
    result.id = "<b>ex02</b>"
    return Report([result], checker.rulebook)


# ------------------------------------------------------------------------------------------------- HTML
def test_html_is_one_self_contained_file() -> None:
    code, html, _ = run("check", str(OWN_DC), "--format", "html")
    assert code == 1
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    # nothing fetched from anywhere: no remote (or any) src/href except in-page anchors, no @import, no url()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    assert all(r.startswith("#") for r in refs), refs
    assert not re.search(r"https?://", html)
    assert "@import" not in html and "url(" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower() and "<iframe" not in html.lower()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "@media print" in html and "@page" in html


def test_html_shows_decision_first_then_chart_then_findings() -> None:
    html = run("check", str(OWN_DC), "--format", "html")[1]
    decision = html.index("not approved, no construction funds")
    chart = html.index('<svg class="chart"')
    findings = html.index('<article class="finding')
    assert decision < chart < findings
    assert html.count('<article class="finding') >= 2
    svg = html[chart:html.index("</svg>", chart)]
    assert ">Art 17<" in svg and ">Art 7<" in svg and 'class="violation"' in svg
    assert "Chapter II Planning and building" in svg


def test_html_finding_has_citation_article_text_entity_line_remediation_and_notes() -> None:
    html = run("check", str(OWN_DC), "--format", "html")[1]
    start = html.index("art17-data-centre-without-approval</dd>")
    card = html[html.rindex("<article", 0, start):html.index("</article>", start)]
    assert "Art 17(1)" in card
    # the machine translation is never quoted; the summary is labelled for what it is
    assert "Units without approval, no new construction" not in html
    assert "Summary of the article (not the official text)" in card and "No unit may build" in card
    assert "prj.ex02" in card and "line 82" in card
    assert "Host the system in the unified data centre" in card
    assert "Art 46(1) potential" in card
    assert "Interpretation notes: N2" in card
    notes = html[html.index('<section class="notes">'):]
    assert "N2" in notes and "N5" in notes and "confidence: high" in notes


def test_html_reports_missing_facts(tmp_path: Path) -> None:
    text = OWN_DC.read_text("utf-8")
    assert "cloud_backup_compliant: null" in text
    html = run("gate", str(OWN_DC), "--format", "html")[1]
    # fixture 02's null cloud_backup_compliant is an open question (never a skip: the fixture is ours)
    assert "Cannot decide whether" in html
    # the open question names the missing fact once, as in the file, with its line
    assert html.count("plat.qz.wjw_dc.cloud_backup_compliant (line 61)") == 1
    assert "null" not in html.split("<body>", 1)[1]


def test_html_escapes_everything_from_the_submission(checker: Checker) -> None:
    html = render(hostile_report(checker), "html", RenderOptions())
    assert "<script>" not in html and "<img" not in html and "</title><script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;ex02&lt;/b&gt;" in html
    assert "https://evil.example/" in html and 'href="https://evil' not in html  # text, never a link


def test_waived_findings_are_marked_in_html_and_markdown(checker: Checker) -> None:
    result = checker.check_path(OWN_DC, raise_errors=True)
    result.findings[0].waived = {"rule": result.findings[0].rule, "entity": "prj.ex02", "justification": "j",
                                 "approved_by": "a", "approval_ref": "REF-1", "expires": "2017-01-01",
                                 "file": "w.yaml", "line": 2}
    report = Report([result], checker.rulebook)
    html = render(report, "html", RenderOptions())
    assert 'class="finding violation waived"' in html and "REF-1" in html
    md = render(report, "markdown", RenderOptions())
    assert "(Waived)" in md and "REF-1" in md


# --------------------------------------------------------------------------------------------- Markdown
def test_markdown_has_decision_summary_chart_and_findings() -> None:
    code, md, _ = run("gate", str(RECOLLECT), "--format", "markdown")
    assert code == 3
    assert md.startswith("# Art 44 decision")
    assert md.index("### Art 44 decision") < md.index("### Summary") < md.index("### Findings")
    assert "needs a reviewer's judgement" in md and "(review) suspend construction" in md
    assert "| Chapter II Planning and building | Art 19 |" in md
    assert "art19-recollection-of-shared-data" in md
    assert "Art 46(3) applicable" in md


def test_markdown_escapes_everything_from_the_submission(checker: Checker) -> None:
    md = render(hostile_report(checker), "markdown", RenderOptions())
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "\\[click\\](https://evil.example/)" in md  # not a link
    assert "\\*bold\\*" in md and "\\|" in md


# --------------------------------------------------------------------------------------------- both
@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_reports_are_deterministic(fmt: str) -> None:
    a = run("check", str(OWN_DC), str(RECOLLECT), "--format", fmt)[1]
    b = run("check", str(OWN_DC), str(RECOLLECT), "--format", fmt)[1]
    assert a == b


def test_input_errors_are_shown_in_the_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(OWN_DC.read_text("utf-8").replace("stage: proposal", "stage: proposed"), "utf-8")
    for fmt in ("markdown", "html"):
        code, out, _ = run("check", str(bad), "--format", fmt)
        assert code == 2 and "proposed" in out, fmt


def test_templates_ship_as_package_data() -> None:
    templates = resources.files("egov_rules").joinpath("templates")
    assert templates.joinpath("report.html.j2").is_file()
    assert templates.joinpath("report.md.j2").is_file()
