"""Terminal escapes, bidi overrides and forged workflow commands in a submission's free text never reach a
terminal, a CI log or a page raw: every human format shows them as visible escapes (``report/sanitize.py``),
JSON formats write them as ``\\uXXXX``, and the data itself is unchanged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from egov_rules.reports.sanitize import clean, finalize, is_clean, json_text

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "fixtures" / "01_county_compliant.yaml").read_text("utf-8")
WAIVED_SUBMISSION = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
DEVIATION_RULE = "art15-standards-deviation"  # its message quotes project.standards_deviations

# what a hostile vendor may put in a standards deviation: clear screen, an OSC 8 hyperlink, an 8-bit CSI,
# a bare carriage return that overwrites the line, a newline followed by a forged workflow command, a
# legacy ##[ command, and bidi override/isolate characters
EVIL = ("ok\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x9b31m \rOVER\n"
        "::error file=forged.py,line=1::forged\n##[error]legacy \u202eevil\u2066 end\u2028x\u0085y\x00z")
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FORMATS = ["table", "github", "markdown", "html", "junit", "json", "sarif"]


def evil_submission(tmp_path: Path, name: str = "evil.yaml") -> Path:
    assert "standards_deviations: []" in GOOD
    path = tmp_path / name
    path.write_text(GOOD.replace("standards_deviations: []", f"standards_deviations: [{json.dumps(EVIL)}]", 1),
                    "utf-8")
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, timeout=120,
                          cwd=cwd, env=env, encoding="utf-8", errors="surrogateescape")
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def no_raw_controls(text: str) -> None:
    """Only newlines and tabs as controls; no forged command at the start of a line."""
    found = RAW.findall(text)
    assert not found, f"raw characters in the output: {sorted(set(found))!r}"
    for line in text.splitlines():
        stripped = line.lstrip()
        assert not stripped.startswith("##["), line
        if stripped.startswith("::"):
            assert "forged" not in stripped.split("::")[1], line  # the command part is ours, never the text's


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_has_no_raw_escape_in_any_format(tmp_path: Path, fmt: str) -> None:
    proc = cli("check", str(evil_submission(tmp_path)), "--format", fmt, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    no_raw_controls(proc.stdout)
    assert "forged" in proc.stdout  # the text is shown, not dropped


@pytest.mark.parametrize("fmt", ["table", "github", "markdown", "html", "junit"])
def test_human_formats_show_the_escape_visibly(tmp_path: Path, fmt: str) -> None:
    out = cli("check", str(evil_submission(tmp_path)), "--format", fmt, cwd=tmp_path).stdout
    flat = "".join(out.split()).replace("\\", "")  # table cells wrap; markdown adds backslashes
    for visible in ("x1b[2J", "x9b31m", "u202eevil", "u2066"):  # a \r may also become a space
        assert visible in flat, (visible, flat[:3000])


def test_json_keeps_the_data_and_escapes_the_bytes(tmp_path: Path) -> None:
    out = cli("check", str(evil_submission(tmp_path)), "--format", "json", cwd=tmp_path).stdout
    assert "\\u009b" in out and "\\u202e" in out and "\\u001b" in out
    messages = [f["message"] for s in json.loads(out)["submissions"] for f in s["findings"]
                if f["rule"] == DEVIATION_RULE]
    # the data is kept (messages put line breaks of a value into spaces; everything else as given)
    assert len(messages) == 1 and EVIL.split("\r")[0] in messages[0] and "\u202eevil\u2066" in messages[0]


def test_github_forged_command_stays_inside_the_annotation(tmp_path: Path) -> None:
    out = cli("check", str(evil_submission(tmp_path)), "--format", "github", cwd=tmp_path).stdout
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in commands)
    assert not any("forged.py" in line.split("::")[1] for line in commands)
    deviation = [line for line in commands if DEVIATION_RULE in line]
    assert len(deviation) == 1 and "::error file=forged.py" in deviation[0]  # inside the message, not a command


def test_gate_table_has_no_raw_escape(tmp_path: Path) -> None:
    proc = cli("gate", str(evil_submission(tmp_path)), "--format", "table", cwd=tmp_path)
    assert proc.returncode in (0, 1, 3), proc.stderr
    no_raw_controls(proc.stdout)


def test_explain_table_shows_values_escaped_on_one_line(tmp_path: Path) -> None:
    proc = cli("explain", str(evil_submission(tmp_path)), "--rule", DEVIATION_RULE, "--format", "table",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    no_raw_controls(proc.stdout)
    assert "\\x1b[2J" in proc.stdout


def test_explain_json_escapes_c1_and_bidi(tmp_path: Path) -> None:
    proc = cli("explain", str(evil_submission(tmp_path)), "--rule", DEVIATION_RULE, "--format", "json",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    no_raw_controls(proc.stdout)
    json.loads(proc.stdout)


def test_file_name_with_escape_is_shown_escaped(tmp_path: Path) -> None:
    path = evil_submission(tmp_path, "x\x1b[2Jy\u202e.yaml")
    proc = cli("check", str(path), "--format", "table", cwd=tmp_path)
    no_raw_controls(proc.stdout)
    assert "x\\x1b[2Jy\\u202e.yaml" in proc.stdout


def test_error_message_echoing_a_hostile_key_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    # a YAML double-quoted key: the escapes are decoded by the parser, the key is unknown to the schema
    path.write_text(GOOD.replace("  kind: ", '  "\\u202Eki\\x9Bnd\\e[31m": 1\n  kind: ', 1), "utf-8")
    proc = cli("check", str(path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2
    no_raw_controls(proc.stderr)
    assert "\\u202eki\\x9bnd\\x1b[31m" in proc.stderr


def test_waiver_justification_with_escapes_is_escaped_in_the_table(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump({"waivers": [{
        "rule": "art17-data-centre-without-approval", "entity": "prj.ex02",
        "justification": "volume\x1b]8;;http://evil\x07link\x1b]8;;\x07\n::warning::forged \u202e",
        "approved_by": "泉州市数字办", "approval_ref": "ref-1", "expires": "2017-06-30"}]}, allow_unicode=True),
        "utf-8")
    for fmt in ("table", "markdown", "html", "github"):
        proc = cli("check", str(WAIVED_SUBMISSION), "--waivers", str(waivers), "--format", fmt, cwd=tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        no_raw_controls(proc.stdout)


# ------------------------------------------------------------------------------- the function itself
@given(st.text())
def test_clean_leaves_no_unsafe_character_and_is_idempotent(text: str) -> None:
    once = clean(text)
    assert not RAW.search(once)
    assert clean(once) == once and is_clean(once)
    assert not any(line.lstrip().startswith(("::", "##[")) for line in once.split("\n"))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf"))))
def test_clean_leaves_ordinary_text_alone(text: str) -> None:
    if not any(line.lstrip(" \t").startswith(("::", "##[")) for line in text.split("\n")):
        assert clean(text) == text


def test_clean_one_line_escapes_newlines() -> None:
    assert clean("a\nb", newlines=False) == "a\\nb"
    assert clean("a\nb") == "a\nb"


@given(st.text())
def test_json_text_decodes_to_the_same_data(text: str) -> None:
    dumped = json_text(json.dumps({"k": text}, ensure_ascii=False))
    assert not RAW.search(dumped)
    assert json.loads(dumped) == {"k": text}


def test_finalize_keeps_markup_safe_and_cleans_plain_text() -> None:
    from markupsafe import Markup

    assert finalize("a\x1bb") == "a\\x1bb"
    out = finalize(Markup("<b>x\u202e</b>"))
    assert isinstance(out, Markup) and str(out) == "<b>x\\u202e</b>"
    assert finalize(3) == 3
