"""Signals and faults around a batch with --output, through the real command line: SIGTERM and SIGINT leave
the earlier report as it was and no temporary file, with exit 143 / 130; two writers never interleave; a
full disk, a read-only or a missing directory is exit 2 with a clear message; a killed --jobs worker costs
one file, never the batch, never a hang.  Waits poll the processes' state (never a fixed sleep as the test)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
EARLIER = '{"earlier": "report"}\n'
BATCH = 24  # files in the slow batch (six were enough while a 5,000-entity check took 2-3 CPU-seconds)
NO_TIME_LIMIT = ("--max-seconds", "3600")  # a loaded machine must not turn slow files into time-limit errors
ENV = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def slow_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BATCH submissions of 5,000 entities: each takes a worker most of a CPU-second to read and check, so the
    batch is still checking when a signal comes, however long a loaded machine takes to send it."""
    out = tmp_path_factory.mktemp("slow")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--entities", "5000", "--out",
                    str(out / "gen")], check=True, timeout=300, env=ENV)
    source = out / "gen" / "sub00000.yaml"
    batch = out / "batch"
    batch.mkdir()
    for i in range(BATCH):
        shutil.copy(source, batch / f"sub{i:02d}.yaml")
    return batch


def start(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers(pid: int) -> list[int]:
    """The batch's worker processes (spawned children; the resource tracker is not one)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            try:
                if b"spawn_main" in Path(f"/proc/{kid}/cmdline").read_bytes():
                    found.append(int(kid))
            except OSError:
                continue
    return found


def wait_until(condition: object, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 240
    while not condition():  # type: ignore[operator]
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read()!r}"  # type: ignore[union-attr]
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.05)


def busy_workers(proc: subprocess.Popen[bytes], count: int = 2) -> list[int]:
    """Wait until ``count`` workers have each spent more CPU than building a checker takes: checking."""
    found: list[int] = []

    def ready() -> bool:
        nonlocal found
        try:
            found = workers(proc.pid)
            return len(found) >= count and all(cpu_seconds(w) > 1.5 for w in found)
        except (OSError, IndexError):
            return False

    wait_until(ready, proc, f"{count} busy workers")
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def out_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "out"
    directory.mkdir()
    (directory / "report.json").write_text(EARLIER, "utf-8")
    yield directory


# ------------------------------------------------------------------------------------------ signals
def test_sigterm_during_a_parallel_batch_keeps_the_earlier_report(slow_batch: Path, out_dir: Path) -> None:
    proc = start("check", str(slow_batch), *NO_TIME_LIMIT, "--jobs", "2", "--format", "json", "--output",
                 str(out_dir / "report.json"), cwd=out_dir)
    pids = busy_workers(proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    text = err.decode()
    assert "interrupted by SIGTERM" in text and "Traceback" not in text
    assert (out_dir / "report.json").read_text("utf-8") == EARLIER
    assert leftovers(out_dir) == []
    deadline = time.monotonic() + 30
    while not all(gone(p) for p in pids):  # the parent stops its workers before it exits
        assert time.monotonic() < deadline, "workers left running after SIGTERM"
        time.sleep(0.05)


def test_sigint_during_a_batch_keeps_the_earlier_report(slow_batch: Path, out_dir: Path) -> None:
    proc = start("check", str(slow_batch), *NO_TIME_LIMIT, "--jobs", "1", "--format", "json", "--output",
                 str(out_dir / "report.json"), cwd=out_dir)
    wait_until(lambda: cpu_seconds(proc.pid) > 2.0, proc, "the batch checking")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted by SIGINT" in err.decode() and "Traceback" not in err.decode()
    assert (out_dir / "report.json").read_text("utf-8") == EARLIER
    assert leftovers(out_dir) == []


def test_sigint_during_a_parallel_batch_stops_the_workers(slow_batch: Path, out_dir: Path) -> None:
    proc = start("check", str(slow_batch), *NO_TIME_LIMIT, "--jobs", "2", "--format", "json", "--output",
                 str(out_dir / "report.json"), cwd=out_dir)
    pids = busy_workers(proc)
    for pid in [proc.pid, *pids]:  # Ctrl-C on a terminal signals the whole process group
        os.kill(pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.decode().count("Traceback") == 0 and "KeyboardInterrupt" not in err.decode()
    assert (out_dir / "report.json").read_text("utf-8") == EARLIER
    assert leftovers(out_dir) == []


def test_a_killed_worker_costs_one_file_and_the_others_are_reported(slow_batch: Path, out_dir: Path) -> None:
    proc = start("check", str(slow_batch), *NO_TIME_LIMIT, "--jobs", "2", "--format", "json", "--output",
                 str(out_dir / "report.json"), cwd=out_dir)
    victim = busy_workers(proc)[0]
    os.kill(victim, signal.SIGKILL)
    _, err = proc.communicate(timeout=240)
    text = err.decode()
    assert proc.returncode == 2, text
    assert "Traceback" not in text and "died (killed by SIGKILL)" in text
    subs = json.loads((out_dir / "report.json").read_text("utf-8"))["submissions"]
    assert len(subs) == BATCH
    failed = [s for s in subs if s.get("error")]
    assert len(failed) == 1, [p["message"] for s in failed for p in s["error"]["problems"]]
    assert "worker process" in json.dumps(failed[0]["error"])
    assert all("summary" in s and s["summary"]["violation"] >= 0 for s in subs if not s.get("error"))
    assert leftovers(out_dir) == []


# ------------------------------------------------------------------------------------------ writers
def test_two_processes_writing_the_same_output_never_interleave(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(40):
        shutil.copy(FIXTURE, batch / f"s{i:02d}.yaml")
    target = tmp_path / "report"
    runs = [start("check", str(batch), "--format", fmt, "--output", str(target), cwd=tmp_path)
            for fmt in ("json", "markdown")]
    for p in runs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 1, err
    text = target.read_text("utf-8")
    if text.startswith("{"):
        assert len(json.loads(text)["submissions"]) == 40  # whole and valid: not a mix of the two
        assert "# " not in text.splitlines()[0]
    else:
        assert text.startswith("# ") and "\n{" not in text and '"submissions"' not in text
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------------ faults
def test_output_into_a_missing_directory_is_exit_2(tmp_path: Path) -> None:
    proc = run("check", str(FIXTURE), "--format", "json", "--output", str(tmp_path / "nowhere" / "r.json"),
               cwd=tmp_path)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "nowhere" in proc.stderr
    assert not (tmp_path / "nowhere").exists()


def test_output_onto_a_directory_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "r.json").mkdir()
    proc = run("check", str(FIXTURE), "--format", "json", "--output", str(tmp_path / "r.json"), cwd=tmp_path)
    assert proc.returncode == 2 and "directory" in proc.stderr
    assert list((tmp_path / "r.json").iterdir()) == []


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and mount rights: skipped with the reason otherwise)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True,
                          text=True) if shutil.which("mount") else None
    if done is None or done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() if done else 'no mount command'}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def big_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(30):  # the markdown report of 30 findings-rich files is far above 64 KiB
        shutil.copy(FIXTURE, batch / f"s{i:02d}.yaml")
    return batch


def test_output_onto_a_full_disk_is_exit_2_and_leaves_nothing(tmp_path: Path, tmpfs: Path) -> None:
    (tmpfs / "report.md").write_text("earlier\n", "utf-8")
    proc = run("check", str(big_batch(tmp_path)), "--format", "markdown", "--output", str(tmpfs / "report.md"),
               cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "No space left on device" in proc.stderr and "nothing was written" in proc.stderr
    assert sorted(p.name for p in tmpfs.iterdir()) == ["report.md"]
    assert (tmpfs / "report.md").read_text("utf-8") == "earlier\n"


def test_output_into_a_read_only_directory_is_exit_2(tmp_path: Path, tmpfs: Path) -> None:
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {remount.stderr.strip()}")
    proc = run("check", str(FIXTURE), "--format", "json", "--output", str(tmpfs / "r.json"), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Read-only file system" in proc.stderr and str(tmpfs / "r.json") in proc.stderr
    assert list(tmpfs.iterdir()) == []
