"""Hostile and broken submissions through the real command line: exit 2, a precise message naming file,
line and column, no traceback, no raw control characters on the terminal, nothing written, nothing run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "fixtures" / "01_county_compliant.yaml").read_text("utf-8")


def bad(text: str, old: str, new: str) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1).encode("utf-8")


CASES: dict[str, tuple[bytes, str]] = {
    "alias bomb": (b"submission: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n", "aliases"),
    "deep nesting": (b"submission: " + b"[" * 5000 + b"]" * 5000 + b"\n", "depth"),
    "duplicate key": (bad(GOOD, "  kind: project_proposal", "  kind: project_proposal\n  kind: mixed"), "duplicate"),
    "python tag": (b"submission: !!python/object/apply:os.system ['touch /tmp/egov-pwned']\n", "tag"),
    "custom tag": (b"submission: !custom {id: x}\n", "tag"),
    "non-utf8": (b"submission:\n  id: \xff\xfe\n", "UTF-8"),
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
    "empty": (b"", "empty"),
    "top-level list": (b"- a\n- b\n", "mapping"),
    "top-level scalar": (b"hello\n", "mapping"),
    "two documents": (GOOD.encode() + b"\n---\nsubmission: {}\n", "one document"),
    "syntax error": (b"submission:\n  id: [unclosed\n  as_of: 2016-01-01\n", ""),
    "wrong type": (bad(GOOD, "central_deployed: false", "central_deployed: \"no\""), "central_deployed"),
    "invalid date": (bad(GOOD, "as_of: 2016-09-20", "as_of: 2016-02-30"), "as_of"),
    "unknown key": (bad(GOOD, "    stage: proposal", "    stgae: proposal"), "did you mean 'stage'"),
    "dangling reference": (bad(GOOD, "    unit: unit.ct.mz\n    stage", "    unit: unit.ct.mzz\n    stage"),
                           "unit.ct.mzz"),
    "mistyped reference": (bad(GOOD, "network: plat.fj.egovnet", "network: unit.ct.mz"), "network"),
    "json nan": (b'{"submission": {"id": "x", "as_of": "2016-01-01", "kind": "mixed"}, "budget": NaN}', "NaN"),
    "control characters": (b"submission:\n  id: x\n  \x1b[31mevil\x07: 1\n", ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_a_clean_exit_2(tmp_path: Path, name: str) -> None:
    data, needle = CASES[name]
    path = tmp_path / ("input.json" if name == "json nan" else "input.yaml")
    path.write_bytes(data)
    out_file = tmp_path / "report.json"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "check", str(path), "--format", "json", "--output", str(out_file)],
        capture_output=True, timeout=60, cwd=tmp_path, env=env,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "Traceback" not in proc.stdout.decode("utf-8", "replace")
    assert (f"{path}:" in err and "invalid input" in err) or "limit exceeded" in err
    first = err.splitlines()[0]
    line_col = first.split(f"{path}:", 1)[1].split(":")[:2]
    assert all(part.isdigit() for part in line_col), first
    if needle:
        assert needle.lower() in err.lower(), err
    assert "\x1b" not in err and "\x07" not in err
    assert not Path("/tmp/egov-pwned").exists()


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "a_good.yaml"
    good.write_text(GOOD, "utf-8")
    broken = tmp_path / "b_broken.yaml"
    broken.write_bytes(b"submission: [\n")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(tmp_path), "--format", "json"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 2
    import json

    subs = json.loads(proc.stdout)["submissions"]
    assert [Path(s["file"]).name for s in subs] == ["a_good.yaml", "b_broken.yaml"]
    assert subs[0]["summary"]["violation"] == 0 and subs[1]["error"]["problems"]
