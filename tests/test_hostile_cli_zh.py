"""``explain --lang zh`` as a Chinese reader sees it: full-width parentheses, commas and colons around the
Chinese words (the conditions themselves are the rule's code and stay as written), and no word said twice;
the English explanation keeps its layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
RULES = ["art17-data-centre-without-approval", "art17-application-not-cloud-backup-compliant"]
CJK = "\u4e00-\u9fff"
# ASCII punctuation right after Chinese text or a full-width bracket, or an ASCII parenthesis around Chinese
HALF_WIDTH = re.compile(f"[{CJK}）][,:;]|\\([^()]*[{CJK}][^()]*\\)")


def explain(*args: str) -> str:
    result = CliRunner().invoke(app, ["explain", OWN_DC, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("rule", RULES)
def test_chinese_explanation_uses_full_width_punctuation(rule: str) -> None:
    out = explain("--rule", rule, "--lang", "zh")
    names = "|".join(re.escape(name) for name in (
        "泉州市全民健康信息平台 (Quanzhou population-health information platform)",
        "卫计委自建数据中心机房 (own machine room, 300 m2, 60 racks)",
        "泉州市卫生和计划生育委员会 (Quanzhou Health & Family Planning Commission)"))
    text = re.sub(names, "名称", out)  # names are quoted as the submission gives them
    bad = [line.strip() for line in text.splitlines() if HALF_WIDTH.search(line)]
    assert bad == []
    assert "无法判定：无法判定" not in out
    assert "02_municipal_own_datacentre.yaml（ex02），截至 2016-11-08" in out


def test_chinese_explanation_of_a_fired_rule_reads_its_values_in_brackets() -> None:
    out = explain("--rule", RULES[0], "--lang", "zh")
    assert "[成立] component.kind == 'data_centre'（值 数据中心，对比 数据中心）" in out
    assert "[不成立] exists approval in approvals（无匹配）" in out
    assert "[不成立] approval.subject == $component.platform（值 prj.ex02，对比 plat.qz.wjw_dc）" in out
    assert "    → 问题（违规，第82行）：项目" in out


def test_chinese_explanation_of_an_unknown_fact_names_it_once() -> None:
    out = explain("--rule", RULES[1], "--lang", "zh")
    assert "    无法判定：以下事实未填写：component.platform.cloud_backup_compliant" in out
    assert "    需补充：component.platform.cloud_backup_compliant（第61行，/platforms/5/cloud_backup_compliant）" in out
    assert "    → 问题（材料不全（待补充），第61行）：" in out


def test_the_english_explanation_keeps_its_layout() -> None:
    out = explain("--rule", RULES[1])
    assert "02_municipal_own_datacentre.yaml (ex02), as of 2016-11-08" in out
    assert "    UNKNOWN: cannot be decided: these facts are not given: component.platform.cloud_backup_compliant" in out
    assert "    supply: component.platform.cloud_backup_compliant (line 61, /platforms/5/cloud_backup_compliant)" in out
    assert "    → finding (insufficient facts (to be supplied), line 61): This cannot be decided" in out
    assert "component.platform.cloud_backup_compliant == True  (value not given, against yes)" in out


def test_rules_list_in_chinese_has_no_english_words() -> None:
    """Severity, the Art 44 class and the closing line were English ('warning', '44:none', 'rules')."""
    result = CliRunner().invoke(app, ["rules", "list", "--lang", "zh"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    rule_lines = lines[:-1]
    assert len(rule_lines) > 50
    for line in rule_lines:
        rule_id, rest = line.split(maxsplit=1)
        assert rule_id.startswith("art")
        assert re.search("[A-Za-z]", re.sub("[AB]类", "", rest)) is None, line
    assert re.fullmatch(r"共 \d+ 条规则，规则库版本 [\d.]+（[0-9a-f]{12}）", lines[-1]), lines[-1]
    by_id = {line.split()[0]: line for line in rule_lines}
    assert "  违规  " in by_id["art7-project-outside-overall-framework"]
    assert "第四十四条：B类" in by_id["art7-project-outside-overall-framework"]
    scope = by_id["art2-unit-outside-fujian"]
    assert "疑似违规（待确认）" in scope and "第四十四条：无" in scope


def test_rules_list_in_chinese_lines_up_its_columns() -> None:
    """Padded by display width: every title starts at the same terminal column."""
    import unicodedata

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    out = CliRunner().invoke(app, ["rules", "list", "--lang", "zh"]).stdout.splitlines()[:-1]
    starts = {columns(line[:line.index("第四十四条")]) for line in out}
    assert len(starts) == 1, starts


def test_rules_list_in_english_is_unchanged() -> None:
    out = CliRunner().invoke(app, ["rules", "list"]).stdout.splitlines()
    assert re.fullmatch(r"art7-project-outside-overall-framework +Art 7 +violation 44:B +Project does not "
                        r"conform to the provincial overall framework of e-government", out[1]), out[1]
    assert re.fullmatch(r"\d+ rules, rulebook [\d.]+ \([0-9a-f]{12}\)", out[-1])


def _junit_texts(xml: str) -> list[str]:
    """Every human text of a JUnit report: failure, error and skipped messages and bodies, system-out."""
    import xml.etree.ElementTree as ET

    texts = []
    for node in ET.fromstring(xml).iter():
        if node.tag in ("failure", "error", "skipped"):
            texts.append(node.get("message") or "")
        if node.tag in ("failure", "error", "system-out") and node.text:
            texts.append(node.text)
    return texts


def test_junit_in_chinese_has_no_english_words(tmp_path: Path) -> None:
    """'1 finding:', 'violation:', '(project prj.ex02)', 'not applicable to this submission', 'info:' were
    English in a --lang zh report (README: junit is a human format, every human text in Chinese)."""
    from test_zh_scan import latin_words

    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers:\n  - {rule: art17-data-centre-without-approval, entity: prj.nothere, "
                       "justification: 理由, approved_by: 泉州市数字办, approval_ref: ref-1, expires: 2017-06-30}\n",
                       "utf-8")
    result = CliRunner().invoke(app, ["check", OWN_DC, "--no-config", "--lang", "zh", "--format", "junit",
                                      "--fail-on", "insufficient", "--waivers", str(waivers)])
    assert result.exit_code == 1, result.output
    texts = _junit_texts(result.stdout)
    known = [OWN_DC, str(waivers), "ref-1", "Quanzhou population-health information platform",
             "own machine room, 300 m2, 60 racks", "Quanzhou Health & Family Planning Commission"]
    words = latin_words(" ".join(" ".join(texts).split()), known)
    assert words == []
    assert any(t.startswith("1 项问题：未经批准新建、扩建或改建数据中心") for t in texts)
    assert "不适用于该报送材料" in texts
    assert any("：违规：第十七条第一款 [art17-data-centre-without-approval]：" in t and "（项目 prj.ex02）" in t
               for t in texts)


def test_junit_in_english_keeps_its_words() -> None:
    result = CliRunner().invoke(app, ["check", OWN_DC, "--no-config", "--format", "junit"])
    texts = _junit_texts(result.stdout)
    assert "1 finding: Data centre built, expanded or rebuilt without approval" in texts
    assert "not applicable to this submission" in texts
    assert any(": violation: Art 17(1) / 第十七条第一款 [art17-data-centre-without-approval]: " in t
               and "(project prj.ex02)\n    Remediation: " in t for t in texts)


def test_an_input_error_in_chinese_junit_is_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(OWN_DC).read_text("utf-8").replace("unit: unit.qz.wjw", "unit: unit.nowhere", 1), "utf-8")
    result = CliRunner().invoke(app, ["check", str(bad), "--no-config", "--lang", "zh", "--format", "junit"])
    assert result.exit_code == 2
    texts = _junit_texts(result.stdout)
    assert texts[0] == "“unit.nowhere”不是本材料中任何条目的编号"
    assert texts[1].startswith(f"{bad}:") and "输入无效：字段“/projects/0/unit”" in texts[1]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_several_input_errors_are_one_line_each_not_a_shown_backslash_n(tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "bad.yaml"
    text = Path(OWN_DC).read_text("utf-8").replace("unit: unit.qz.wjw", "unit: unit.nowhere", 1)
    bad.write_text(text.replace("  kind: project_proposal", "  kind: proposal", 1), "utf-8")
    for lang in ("en", "zh"):
        result = CliRunner().invoke(app, ["check", str(bad), "--no-config", "--lang", lang, "--format", fmt])
        assert result.exit_code == 2
        assert "\\n" not in result.stdout
        lines = result.stdout.splitlines()
        located = [line for line in lines if "bad.yaml:" in line]
        assert len(located) == 2, located  # the two problems, each on a line of its own
        if fmt == "markdown":
            assert all(line.startswith("- ") for line in located), located


def test_sarif_in_chinese_says_its_results_and_input_errors_in_chinese(tmp_path: Path) -> None:
    """A result's citation in full-width brackets (was '。 (第十七条第一款)'), an input error's notification in
    Chinese (was English); the English SARIF is unchanged."""
    import json

    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(OWN_DC).read_text("utf-8").replace("unit: unit.qz.wjw", "unit: unit.nowhere", 1), "utf-8")
    out = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(app, ["check", OWN_DC, str(bad), "--no-config", "--lang", lang,
                                          "--format", "sarif"])
        assert result.exit_code == 2
        out[lang] = json.loads(result.stdout)["runs"][0]
    texts = [r["message"]["text"] for r in out["zh"]["results"] if r["ruleId"] == "art17-data-centre-without-approval"]
    assert texts and texts[0].endswith("。（第十七条第一款）"), texts
    notes = out["zh"]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "字段“/projects/0/unit”（建设单位）：“unit.nowhere”不是本材料中任何条目的编号"]
    texts = [r["message"]["text"] for r in out["en"]["results"] if r["ruleId"] == "art17-data-centre-without-approval"]
    assert texts[0].endswith(". (Art 17(1))"), texts
    notes = out["en"]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "field '/projects/0/unit': 'unit.nowhere' does not name any entity; expected the id of a unit"]


FIXTURES = str(ROOT / "fixtures")
# ASCII ',:;' right after Chinese text or a full-width bracket, or ' (' after Chinese that opens anything but a
# name's Latin gloss or a year range as the submission gives them ('长汀县民政局 (Changting ...)', '(2017-2019)')
AFTER_CHINESE = re.compile(f"[{CJK}）》」”*] ?[,:;]|[{CJK}）] \\((?![A-Za-z]|\\d{{4}}-\\d{{4}}\\))")


@pytest.mark.parametrize("fmt", ["markdown", "html", "github"])
def test_chinese_reports_use_full_width_punctuation(fmt: str) -> None:
    """'违规: 1', '整改: ', '(可信度: 中)', '**条文要点（非原文）**, 第十七条 (官方原文)', '; ' between
    consequences, 'fx04） (/path)' were left half-width in --lang zh reports of every fixture."""
    result = CliRunner().invoke(app, ["check", FIXTURES, "--no-config", "--lang", "zh", "--format", fmt])
    assert result.exit_code == 1, result.output
    text = result.stdout
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", "\n", text)
    if fmt == "github":  # the workflow command syntax is GitHub's, not text
        text = re.sub(r"^::\w+ [^:]*::", "", text.replace("%0A", "\n"), flags=re.M)
    bad = sorted({line[max(0, m.start() - 12):m.end() + 8] for line in text.splitlines()
                  for m in AFTER_CHINESE.finditer(line)})
    assert bad == []


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_english_reports_keep_their_punctuation(fmt: str) -> None:
    out = CliRunner().invoke(app, ["check", FIXTURES, "--no-config", "--format", fmt]).stdout
    if fmt == "markdown":
        assert "> **Summary of the article (not the official text)**, Art 17 ([official text](<" in out
        assert "| ex01 (/" in out
    else:
        assert '<p class="meta" id="sources">official text: ' in out
        assert re.search(r'<span class="why">\(Interpretation notes: N\d', out)
