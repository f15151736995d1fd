"""Batches: order and bytes independent of --jobs, one bad file never stops the others, worst exit code."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules import batch
from egov_rules.batch import CheckerSpec, default_jobs, input_size, progress, run_batch
from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"
CATALOGUE = FIX / "03_collection_outside_catalogue.yaml"
COMPLIANT = FIX / "01_county_compliant.yaml"
BROKEN = "submission:\n  id: x\n  as_of: 2016-11-08\n  kind: project_proposal\nprojcts: []\n"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--no-config"], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 submissions: three kinds, a variant with the submission id changed, and two broken files."""
    d = tmp_path_factory.mktemp("batch")
    sources = [OWN_DC, CATALOGUE, COMPLIANT]
    for i in range(38):
        src = sources[i % 3]
        text = src.read_text("utf-8")
        if i % 2:
            text = text.replace("\n  id: ", f"\n  id: v{i}-", 1)  # the submission's own id
        (d / f"s{i:02d}_{src.stem}.yaml").write_text(text, "utf-8")
    (d / "s38_broken.yaml").write_text(BROKEN, "utf-8")
    (d / "s39_broken.json").write_text('{"submission": ', "utf-8")
    return d


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_one_core_and_two_give_the_same_bytes(forty: Path, fmt: str) -> None:
    one = run("check", str(forty), "--format", fmt, "--jobs", "1")
    two = run("check", str(forty), "--format", fmt, "--jobs", "2")
    assert one[0] == two[0] == 2  # the broken files
    assert one[1] == two[1]
    assert one[2] == two[2]  # the same error messages, in the same order
    if fmt == "json":
        import json

        subs = json.loads(one[1])["submissions"]
        assert [Path(s["file"]).name for s in subs] == sorted(p.name for p in forty.iterdir())
        assert sum(1 for s in subs if s["findings"]) > 20


def test_one_bad_file_is_reported_and_the_others_are_checked(tmp_path: Path) -> None:
    import json

    (tmp_path / "a_bad.yaml").write_text(BROKEN, "utf-8")
    shutil.copy(OWN_DC, tmp_path / "b.yaml")
    code, out, err = run("check", str(tmp_path / "a_bad.yaml"), str(tmp_path / "missing.yaml"),
                         str(tmp_path / "b.yaml"), "--format", "json")
    assert code == 2
    subs = json.loads(out)["submissions"]
    assert [s["file"].rsplit("/", 1)[-1] for s in subs] == ["a_bad.yaml", "missing.yaml", "b.yaml"]
    assert subs[0]["error"]["problems"][0]["line"] == 5
    assert "file not found" in subs[1]["error"]["problems"][0]["message"]
    assert subs[2]["findings"], "checked after two bad files"
    assert "a_bad.yaml:5:1" in err and "missing.yaml" in err


def test_the_exit_code_is_the_worst_of_the_batch(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BROKEN, "utf-8")
    assert run("check", str(COMPLIANT), "--format", "json")[0] == 0
    assert run("check", str(COMPLIANT), str(OWN_DC), "--format", "json")[0] == 1
    assert run("check", str(OWN_DC), str(tmp_path / "bad.yaml"), str(COMPLIANT), "--format", "json")[0] == 2


def test_stdin_in_a_parallel_batch(forty: Path) -> None:
    import json

    files = sorted(str(p) for p in forty.iterdir())[:25]
    code, out, _ = run("check", *files, "-", "--format", "json", "--jobs", "2", stdin=OWN_DC.read_text("utf-8"))
    subs = json.loads(out)["submissions"]
    assert subs[-1]["file"] == "<stdin>" and subs[-1]["findings"]
    assert code == 1


def test_the_default_uses_every_core_only_for_large_batches(monkeypatch: pytest.MonkeyPatch,
                                                          forty: Path) -> None:
    monkeypatch.setattr(batch, "cpu_count", lambda: 8)
    big = 2 * 1024 * 1024
    assert default_jobs(1, 10 * big) == 1
    assert default_jobs(20, 10 * big) == 1
    assert default_jobs(21, big) == 8
    assert default_jobs(1000, big - 1) == 1  # many tiny files: starting workers would cost more
    items = [(str(p), None) for p in sorted(forty.iterdir())] + [("<stdin>", b"12345"), ("missing.yaml", None)]
    assert input_size(items) == sum(p.stat().st_size for p in forty.iterdir()) + 5


def test_results_survive_the_trip_from_a_worker(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN, "utf-8")
    spec = CheckerSpec()
    results = run_batch(spec, [(str(bad), None), (str(OWN_DC), None)])
    back = pickle.loads(pickle.dumps(results))
    assert back[0].error is not None and back[0].error.render() == results[0].error.render()  # type: ignore[union-attr]
    assert [f.fingerprint for f in back[1].findings] == [f.fingerprint for f in results[1].findings]
    assert back[1].runs == [] and back[1].outcomes == results[1].outcomes


def test_the_progress_helper_only_draws_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    with progress(3, enabled=False) as tick:
        assert tick is None
    with progress(3, enabled=True) as tick:
        assert tick is not None


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_progress_bar_only_on_a_terminal_and_only_for_the_table(forty: Path) -> None:
    def stderr_on_a_tty(fmt: str) -> bytes:
        leader, follower = os.openpty()
        env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
        env.pop("NO_COLOR", None)
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "check", str(forty), "--format", fmt,
                                 "--jobs", "1", "--no-config"], stdout=subprocess.DEVNULL, stderr=follower,
                                stdin=subprocess.DEVNULL, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
        os.close(leader)
        return b"".join(chunks)

    assert b"checking" in stderr_on_a_tty("table")
    assert b"checking" not in stderr_on_a_tty("json")
    # and never when stderr is not a terminal
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(forty), "--format", "table",
                           "--no-config"], capture_output=True, timeout=120)
    assert b"checking" not in proc.stderr
