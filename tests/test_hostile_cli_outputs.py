"""Where a report goes (``--output``) when the path is not an ordinary new file: a pipe (FIFO) or a device
(``-o /dev/null``, ``-o /dev/stdout``) is written to, never renamed over (as root a rename would replace the
device node itself), and a symbolic link keeps pointing at the file that now holds the report."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "01_county_compliant.yaml"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def drain(reader: int) -> bytes:
    """What the writer left in the pipe (it has exited: the report is small enough for the pipe's buffer)."""
    chunks = []
    while True:
        try:
            chunk = os.read(reader, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_report_into_a_fifo_is_written_through_it_and_the_fifo_stays(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader waiting, as `cat report.pipe` would
    try:
        proc = cli(tmp_path, "check", str(FIXTURE), "--no-config", "--format", "json", "--output", str(fifo))
        assert proc.returncode == 0, proc.stderr
        data = drain(reader)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the pipe was replaced by a regular file"
    report = json.loads(data)
    assert report["submissions"][0]["id"] == "ex01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pipe"]  # no temporary file left


def test_a_report_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old", "utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(Path("reports") / "latest.json")
    proc = cli(tmp_path, "check", str(FIXTURE), "--no-config", "--output", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink(), "the link was replaced by a regular file"
    assert json.loads(real.read_text("utf-8"))["submissions"][0]["id"] == "ex01"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["latest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "reports"]


def test_a_baseline_written_into_a_fifo_keeps_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "baseline.pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        proc = cli(tmp_path, "check", str(FIXTURE), "--no-config", "--write-baseline", str(fifo))
        assert proc.returncode == 0, proc.stderr
        data = drain(reader)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(data)["submissions"][0]["file"].endswith("01_county_compliant.yaml")


def test_a_newline_in_a_file_name_never_starts_a_line_of_its_own(tmp_path: Path) -> None:
    """A file name is one line in the table's heading and in every error line (README: file names are
    free text): ``fake.yaml:1:1: ...`` after a newline would read as another message."""
    from click.testing import CliRunner

    from egov_rules.cli import app

    good = tmp_path / "ok\nfake.yaml:1:1: valid.yaml"
    good.write_bytes(FIXTURE.read_bytes())
    bad = tmp_path / "bad\nname.yaml"
    bad.write_bytes(b"submission: [\n")
    for lang, words in (("en", "invalid input"), ("zh", "输入无效")):
        result = CliRunner().invoke(app, ["check", str(tmp_path), "--no-config", "--lang", lang, "--width", "1000"])
        assert result.exit_code == 2, result.output
        lines = (result.stdout + result.stderr).splitlines()
        assert not [line for line in lines if line.startswith(("fake.yaml", "name.yaml"))], lines
        assert any(line.startswith(f"{tmp_path}/ok\\nfake.yaml:1:1: valid.yaml") for line in lines), lines
        assert any(line.startswith(f"{tmp_path}/bad\\nname.yaml:") and words in line for line in lines), lines


def test_output_and_write_baseline_on_the_same_file_is_a_usage_error(tmp_path: Path) -> None:
    """The baseline was written, then silently replaced by the report: nothing is written now."""
    from click.testing import CliRunner

    from egov_rules.cli import app

    target = tmp_path / "report.md"
    result = CliRunner().invoke(app, ["check", str(FIXTURE), "--no-config", "-o", str(target),
                                      "--write-baseline", str(tmp_path / "." / "report.md")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{target}: usage: --output and --write-baseline name the same file "
                                     f"'{target}': the report would replace the baseline; expected two different "
                                     "files")
    assert list(tmp_path.iterdir()) == []
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = CliRunner().invoke(app, ["check", str(FIXTURE), "--no-config", "--lang", "zh", "-o", str(link),
                                      "--write-baseline", str(target)])
    assert result.exit_code == 2 and "报告会覆盖基线文件" in result.stderr, result.stderr
    assert not target.exists()
