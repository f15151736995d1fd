"""Every Chinese output of every fixture is Chinese: no Latin words outside ids, names as given, file names,
pointers and citations (issue 10 point 3).  Human formats, gate, explain, articles and rules show."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from egov_rules.check import Checker, Report, SubmissionResult
from egov_rules.cli import app
from egov_rules.reports import RenderOptions, render
from egov_rules.reports.markdown import md_escape

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").glob("*.yaml") if ".expected." not in p.name)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’]*")
# what a Chinese text may contain in Latin letters: rule ids, dotted ids and fact names, file names and
# pointers, note and relation citations (N3, R8), Art 44 classes (A类, B类), the tool's name, units of measure
ALLOWED = re.compile(
    r"https?://\S+|[\w.]+\.com/\S*"  # the citation's source
    r"|art\d+(?:-[a-z0-9]+)+"  # rule ids
    r"|[A-Za-z0-9_]+(?:[.:][A-Za-z0-9_\-]+)+"  # dotted ids, fact names, versions
    r"|[\w./\\-]+\.(?:ya?ml|json|py)\b"  # file names
    r"|(?:/[\w\-]+)+/?"  # JSON pointers and paths
    r"|\{[^}]*\}"  # message placeholders (rules show)
    r"|(?<![A-Za-z])[NR]\d+(?![A-Za-z])|(?<![A-Za-z])[AB](?=类)|(?<=[（(])[AB](?=[）)])"
    r"|egov-rules|sha256\s+[0-9a-f]+|\([0-9a-f]{12}\)|[0-9a-f]{12,}"
)


def scrub(text: str, known: list[str]) -> str:
    """Remove what may stay Latin: names and ids as the submission gives them, then the allowed patterns."""
    for value in sorted(known, key=len, reverse=True):
        for form in {value, md_escape(value), html_lib.escape(value)}:
            if " " in form or not re.fullmatch(r"[\w.:\-]+", form):
                text = text.replace(form, " ")
            else:  # an id: only as a whole token, not inside a longer one
                text = re.sub(r"(?<![A-Za-z0-9_.])" + re.escape(form) + r"(?![A-Za-z0-9_.])", " ", text)
    text = text.replace("\\_", "_")
    return ALLOWED.sub(" ", text)


def latin_words(text: str, known: list[str]) -> list[str]:
    return sorted(set(WORD.findall(scrub(text, known))))


def _strings(node: object) -> Iterator[str]:
    """Every text the submission gives (names, regions, free text): quoted as given, never translated."""
    if isinstance(node, str):
        yield " ".join(node.split())
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _known(res: SubmissionResult) -> list[str]:
    data = yaml.safe_load(Path(res.file).read_text("utf-8"))
    given = [s for s in _strings(data) if not re.fullmatch(r"[a-z_/]+", s)]  # enum codes are not "as given"
    return [*given, *res.names.values(), *res.names.keys(), res.info.get("name") or "", res.id or "", res.file,
            *(str(f.file) for f in res.findings), *(m.name for f in res.findings for m in f.missing)]


def _html_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(page)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def outputs(checker: Checker, path: Path) -> Iterator[tuple[str, str, list[str]]]:
    res = checker.check_path(path, raise_errors=True)
    known = [k for k in _known(res) if k]
    report = Report([res], checker.rulebook)
    for fmt in ("table", "markdown", "html", "github"):
        text = render(report, fmt, RenderOptions(lang="zh", width=400))
        if fmt == "html":
            text = _html_text(text)
        if fmt == "github":  # the workflow command syntax is GitHub's, the texts are ours
            text = re.sub(r"^::(error|warning|notice)[^:]*::", " ", text, flags=re.M)
            text = text.replace("%0A", "\n")
            text = re.sub(r"^egov-rules: .*$", " ", text, flags=re.M)  # the plain English log summary line
        yield fmt, text, known
    gate = Report([checker.check_path(path, raise_errors=True)], checker.rulebook)
    yield "gate", render(gate, "table", RenderOptions(lang="zh", command="gate", width=400)), known
    for rule in sorted({f.rule for f in res.findings})[:4]:
        result = CliRunner().invoke(app, ["explain", str(path), "--rule", rule, "--lang", "zh", "--format", "table"])
        assert result.exit_code == 0, result.output
        yield f"explain {rule}", result.stdout, known


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem[:2] for p in FIXTURES])
def test_every_zh_output_of_every_fixture_is_chinese(checker: Checker, path: Path) -> None:
    found = {}
    for what, text, known in outputs(checker, path):
        if what.startswith("explain"):  # conditions are the rule's own code, quoted as written
            text = "\n".join(line for line in text.splitlines()
                             if not re.match(r"\s*\[(成立|不成立|无法判定)\] (?!同时满足|满足其一)", line))
            text = re.sub(r"(适用条件不成立|合规要求不成立)：[^\n]*", " ", text)
            text = re.sub(r"不符合：[^\n]*", " ", text)
            text = re.sub(r"(?m)^\[\d+\] .*$", " ", text)  # binding names (project = ...) are the rule's own
            text = re.sub(r"\b\w+ = ", " ", text)  # binding names are the rule's own code
        words = latin_words(" ".join(text.split()), known)  # a wrapped line must not split a name
        if words:
            found[what] = words
    assert found == {}


def test_articles_and_rules_show_are_chinese(checker: Checker) -> None:
    out = CliRunner().invoke(app, ["articles", "--lang", "zh"]).stdout
    assert latin_words(out, []) == []
    bad = {}
    for rule in checker.rulebook.rules:
        text = CliRunner().invoke(app, ["rules", "show", rule.id, "--lang", "zh"]).stdout
        words = latin_words(text, [rule.file])
        if words:
            bad[rule.id] = words
    assert bad == {}


def test_the_scan_finds_an_english_word() -> None:
    """The scan itself: English in a Chinese text is caught, ids and file names are not."""
    assert latin_words("项目 prj.ex02（fixtures/02.yaml）未经批准 build own", []) == ["build", "own"]
    assert latin_words("第十七条 art17-data-centre-without-approval：见N3；B类", []) == []


def test_input_errors_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("submission: {id: s1, as_of: 2020-13-01, kind: project_review, extra: 1}\n", "utf-8")
    for command in (["validate", "--lang", "zh", str(bad)], ["check", "--lang", "zh", str(bad)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2
        err = result.stderr
        assert "bad.yaml:1:29：输入无效：字段“/submission/as_of”（基准日期）：“2020-13-01”不是有效的日期" in err
        assert "未知字段“extra”" in err and "实际为“project_review”" in err and "unit_review（单位审查）" in err
        assert "invalid input" not in err and "expected" not in err and "did you mean" not in err
    missing = CliRunner().invoke(app, ["validate", "--lang", "zh", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "文件不存在" in missing.stderr
