"""Line numbers agree with editors (issue 16, point 2): NEL, U+2028 and U+2029 inside strings and a BOM in
the middle of a file do not move the line and column of what comes after them.

Editors (and YAML 1.2) end a line only at LF, CR LF or CR; YAML 1.1 parsers (libyaml, PyYAML) also at NEL,
LS and PS.  Each case puts such a character in a value before a finding or an error and checks the
reported line against the line an editor shows (counted here with LF only)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from egov_rules.errors import InputError
from egov_rules.input.load import load_bytes

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
RULE = "art17-data-centre-without-approval"


def editor_line(text: str, needle: str) -> int:
    """The 1-based line an editor shows for the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


def check_json(path: Path) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", "--format", "json", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def finding_location(report: dict, rule: str) -> tuple[int, int]:  # type: ignore[type-arg]
    [submission] = report["submissions"]
    [finding] = [f for f in submission["findings"] if f["rule"] == rule]
    location = finding["location"]
    return location["line"], location["column"]


def with_name(text: str, name: str) -> str:
    """The fixture with its unit's name replaced by a double-quoted ``name`` (line 18, before the finding)."""
    old = "    name: 泉州市卫生和计划生育委员会 (Quanzhou Health & Family Planning Commission)\n"
    assert old in text
    return text.replace(old, f'    name: "{name}"\n')


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_a_unicode_line_separator_in_a_string_does_not_shift_later_findings(tmp_path: Path, char: str) -> None:
    original = FIXTURE.read_text("utf-8")
    expected = finding_location(check_json(FIXTURE), RULE)
    text = with_name(original, f"Health{char}{char}Commission")
    path = tmp_path / "sub.yaml"
    path.write_text(text, "utf-8")
    assert finding_location(check_json(path), RULE) == expected


def test_separators_in_a_plain_scalar_and_a_comment_do_not_shift_later_findings(tmp_path: Path) -> None:
    original = FIXTURE.read_text("utf-8")
    expected = finding_location(check_json(FIXTURE), RULE)
    text = original.replace("# Example 2:", "# Example\u2028\u2029 2:", 1)
    text = with_name(text, "x").replace('    name: "x"\n', "    name: Health\u2028Commission\n")
    path = tmp_path / "sub.yaml"
    path.write_text(text, "utf-8")
    assert finding_location(check_json(path), RULE) == expected


def test_a_bom_in_the_middle_of_the_file_does_not_shift_later_findings(tmp_path: Path) -> None:
    original = FIXTURE.read_text("utf-8")
    expected = finding_location(check_json(FIXTURE), RULE)
    text = with_name(original, "Health\ufeffCommission")
    path = tmp_path / "sub.yaml"
    path.write_text("\ufeff" + text, "utf-8")  # one at the start too, as Windows editors write it
    assert finding_location(check_json(path), RULE) == expected


def test_an_error_after_a_separator_points_at_the_editors_line_and_column() -> None:
    text = 'submission:\n  id: "a\u2028b\u2029c\x85d"\n  as_of: 2016-11-08\n  kind: [unclosed\n'
    with pytest.raises(InputError) as info:
        load_bytes(text.encode("utf-8"), "t.yaml")
    assert info.value.line is not None
    assert info.value.line >= editor_line(text, "kind:")
    assert info.value.line <= text.count("\n") + 1  # never past the last line an editor shows


def test_positions_of_every_node_after_separators_are_the_editors() -> None:
    text = 'a: "x\u2028y"\nb: "p\x85q\u2029r"\nc: 1\nd: [1,\n  \ufeff2]\ne: 3\n'
    doc = load_bytes(text.encode("utf-8"), "t.yaml")
    assert doc.locate("/c") == (editor_line(text, "c: 1"), 4)
    assert doc.locate("/e") == (editor_line(text, "e: 3"), 4)
    assert doc.locate("/d/1") == (editor_line(text, "\ufeff2"), 3)  # the value starts at the BOM (part of it)
    assert doc.data["d"] == [1, "\ufeff2"]
    assert doc.locate_key("/e") == (editor_line(text, "e: 3"), 1)


def test_a_duplicate_key_message_names_the_editors_lines() -> None:
    text = 'a: "x\u2028y"\nb: 1\nb: 2\n'
    with pytest.raises(InputError) as info:
        load_bytes(text.encode("utf-8"), "t.yaml")
    assert "first at line 2, again at line 3" in str(info.value)
    assert info.value.line == 3


def test_separators_keep_their_yaml_1_2_meaning_in_values() -> None:
    """YAML 1.2: NEL, LS and PS are ordinary characters, kept in values (YAML 1.1 folded them to spaces)."""
    text = 'a: "p\x85q"\nb: x\u2028y\nc: \'\u2029\'\n'
    doc = load_bytes(text.encode("utf-8"), "t.yaml")
    assert doc.data == {"a": "p\x85q", "b": "x\u2028y", "c": "\u2029"}


def test_json_lines_after_separators_are_the_editors() -> None:
    text = '{"a": "x\u2028y\u2029z\x85",\n "b": 1,\n "c": [true]}\n'
    doc = load_bytes(text.encode("utf-8"), "t.json")
    assert doc.locate("/b") == (2, 7)
    assert doc.locate("/c/0") == (3, 8)
