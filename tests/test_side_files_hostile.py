"""Hostile side files through the real command line: waivers, configuration, baselines, registry and rule
directories.  Each is exit 2 with file:line and a clear message, no traceback, nothing written, and ends
within the limits (no hang, no memory blow-up): a rule that combines collections without a join is stopped
by the per-submission time limit or the bound on findings per entity."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rule_fixtures import RULE_HEAD

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"  # as_of 2016-11-08
COMPLIANT = ROOT / "fixtures" / "01_county_compliant.yaml"
WAIVER = ("waivers:\n  - {rule: art17-data-centre-without-approval, entity: prj.ex02, justification: storage, "
          "approved_by: 泉州市数字办, approval_ref: ref-1, expires: 2017-06-30}\n")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def cli(tmp_path: Path, *args: str, submission: Path = FIXTURE) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(submission), "--format", "json",
                           "--output", str(out), *([] if "--config" in args else ["--no-config"]), *args],
                          capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert not RAW_CONTROL.search(proc.stderr), proc.stderr
    return proc, out


def located(err: str, path: Path) -> bool:
    """The first line names the file (as given, or relative to the working directory) with a line and a
    column (file:line:col:)."""
    first = err.splitlines()[0]
    return re.match(r"(\S*/)?" + re.escape(path.name) + r":\d+:\d+: ", first) is not None


SIDE_CONTENT: dict[str, tuple[bytes, str]] = {
    "truncated": (WAIVER.encode()[:70], "syntax"),
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
    "utf-16": (WAIVER.encode("utf-16"), "UTF-16"),
    "deep nesting": (b"waivers: " + b"[" * 5000 + b"]" * 5000 + b"\n", "depth"),
    "nan": (b"waivers: .nan\n", "finite"),
    "ansi in a value": (b"waivers:\n  - {rule: \"\\e[2Jart17-x\\u202e\", entity: prj.ex02, justification: x, "
                        b"approved_by: y, approval_ref: z, expires: 2017-06-30}\n", "\\x1b[2Jart17-x\\u202e"),
}


def side_file(tmp_path: Path, kind: str, name: str) -> Path:
    data, _ = SIDE_CONTENT[name]
    if kind == "config":
        data = data.replace(b"waivers:", b"rules:")
        if name == "ansi in a value":
            data = b'lang: "\\e[2Jzh\\u202e"\n'
    if kind == "baseline":
        data = {"truncated": b'{"tool": {"name": "egov-rules"}, "subm',
                "nan": b'{"submissions": NaN}\n',
                "deep nesting": b'{"submissions": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                "ansi in a value": b'{"submissions": "\\u001b[2J\\u202e"}\n'}.get(name, data)
    path = tmp_path / f"side.{'json' if kind == 'baseline' else 'yaml'}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(SIDE_CONTENT))
@pytest.mark.parametrize("kind", ["waivers", "config", "baseline"])
def test_hostile_side_file_is_exit_2_at_its_line(tmp_path: Path, kind: str, name: str) -> None:
    path = side_file(tmp_path, kind, name)
    option = {"waivers": "--waivers", "config": "--config", "baseline": "--baseline"}[kind]
    proc, out = cli(tmp_path, option, str(path))
    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, path), proc.stderr
    needle = SIDE_CONTENT[name][1]
    if kind == "waivers" or name in ("binary", "utf-16", "deep nesting"):
        assert needle.lower() in proc.stderr.lower(), proc.stderr
    if name == "ansi in a value" and kind == "waivers":  # the others do not quote the value
        assert "\\x1b[2J" in proc.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------------------- registry
def test_registry_symlink_loop_reads_each_file_once(tmp_path: Path) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    (reg / "authorities.yaml").write_text(yaml.safe_dump({"authorities": data["authorities"]}), "utf-8")
    (reg / "loop").symlink_to(reg, target_is_directory=True)
    (reg / "a.yaml").symlink_to(reg / "b.yaml")  # two file links pointing at each other
    (reg / "b.yaml").symlink_to(reg / "a.yaml")
    proc, out = cli(tmp_path, "--registry", str(reg), submission=COMPLIANT)
    assert proc.returncode == 0, proc.stderr  # no id "used twice" through the loop, no hang
    assert out.exists()


def test_registry_that_is_a_file_is_exit_2(tmp_path: Path) -> None:
    proc, out = cli(tmp_path, "--registry", str(FIXTURE))
    assert proc.returncode == 2 and "must be a directory" in proc.stderr and str(FIXTURE) in proc.stderr
    assert not out.exists()


def test_registry_file_that_is_a_directory_is_skipped_with_a_clear_error(tmp_path: Path) -> None:
    reg = tmp_path / "registry"
    (reg / "platforms.yaml").mkdir(parents=True)
    proc, out = cli(tmp_path, "--registry", str(reg))
    assert proc.returncode == 2 and "holds no .yaml, .yml or .json files" in proc.stderr
    assert not out.exists()


def test_registry_huge_id_is_exit_2_at_its_line(tmp_path: Path) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "p.yaml").write_text("platforms:\n  - {id: " + "p" * 5_000_000 + ", kind: data_centre, unified: true,"
                                " level: provincial, region: {province: Fujian}, status: in_service}\n", "utf-8")
    proc, out = cli(tmp_path, "--registry", str(reg))
    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, reg / "p.yaml") and "/platforms/0/id" in proc.stderr
    assert len(proc.stderr) < 5000  # the id is not echoed whole
    assert not out.exists()


@pytest.mark.parametrize("content,needle", [(b"\x00\x01binary", "binary"),
                                            ("platforms: []\n".encode("utf-16"), "UTF-16"),
                                            (b"platforms: " + b"[" * 5000 + b"]" * 5000, "depth")])
def test_registry_unreadable_file_is_exit_2_at_its_line(tmp_path: Path, content: bytes, needle: str) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "p.yaml").write_bytes(content)
    proc, out = cli(tmp_path, "--registry", str(reg))
    assert proc.returncode == 2 and located(proc.stderr, reg / "p.yaml") and needle in proc.stderr, proc.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------------------- rules
def rules_dir(tmp_path: Path, body: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / "art17-test.yaml").write_text(RULE_HEAD + body, "utf-8")
    return d


def many_items(tmp_path: Path, count: int) -> Path:
    data = yaml.safe_load(FIXTURE.read_text("utf-8"))
    item = data["collection_items"][0]
    data["collection_items"] = [dict(item, id=f"ci.x{i}") for i in range(count)]
    data["projects"][0]["collection_items"] = [c["id"] for c in data["collection_items"]]
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


CARTESIAN = """\
    for_each:
      a: collection_items
      b: collection_items
    require:
      a.personal: {personal_is}
"""


def test_cartesian_rule_with_findings_is_bounded_per_entity(tmp_path: Path) -> None:
    rules = rules_dir(tmp_path, CARTESIAN.format(personal_is="false"))  # every pair fails: N x N findings
    proc, _out = cli(tmp_path, "--rules", str(rules), "--only-rules", submission=many_items(tmp_path, 3000))
    assert proc.returncode == 2, proc.stderr
    assert "art17-test-rule" in proc.stderr and "without a join" in proc.stderr and "limit exceeded" in proc.stderr


def test_cartesian_rule_without_findings_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    # every pair is compared (both bindings are read, all values equal) and passes: only time grows, 10^8 pairs
    rules = rules_dir(tmp_path, CARTESIAN.format(personal_is="{eq: $b.personal}"))
    proc, _out = cli(tmp_path, "--rules", str(rules), "--only-rules", "--max-seconds", "2",
                    submission=many_items(tmp_path, 10_000))
    assert proc.returncode == 2, proc.stderr
    assert "time limit of 2 s" in proc.stderr and "--max-seconds" in proc.stderr


@pytest.mark.parametrize("amount,needle", [("99999999999", "out of range"), ('"x"', "whole number"),
                                           ("true", "whole number"), ("1.5", "whole number")])
def test_bad_date_offset_in_a_rule_is_exit_2_at_its_line(tmp_path: Path, amount: str, needle: str) -> None:
    rules = rules_dir(tmp_path, f"""\
    for_each:
      a: plans
    require:
      a.approved_date: {{lt: {{of: $submission.as_of, plus: {amount}}}}}
""")
    proc, out = cli(tmp_path, "--rules", str(rules), "--only-rules")
    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, rules / "art17-test.yaml") and needle in proc.stderr, proc.stderr
    assert "/plus" in proc.stderr
    assert not out.exists()


def test_date_offset_past_year_9999_compares_as_the_latest_date(tmp_path: Path) -> None:
    rules = rules_dir(tmp_path, """\
    for_each:
      a: plans
    require:
      a.published_date: {lt: {of: $a.approved_date, plus: 36525}}
""")
    sub = tmp_path / "late.yaml"
    sub.write_text(FIXTURE.read_text("utf-8").replace("approved_date: 2016-01-22", "approved_date: 9999-12-30"),
                   "utf-8")
    for engine in ("native", "durable"):
        proc, _out = cli(tmp_path, "--rules", str(rules), "--only-rules", "--engine", engine, submission=sub)
        if engine == "durable" and "durable" in proc.stderr and proc.returncode == 2:
            continue  # durable-rules not installed here: that is its own clean message
        assert proc.returncode == 0, proc.stderr  # 2016-02-01 < 9999-12-31: passes, no OverflowError


def test_rules_directory_with_a_symlink_loop_loads_once(tmp_path: Path) -> None:
    rules = rules_dir(tmp_path, "    for_each:\n      a: plans\n    require:\n      a.expert_review: true\n")
    (rules / "loop").symlink_to(rules, target_is_directory=True)
    proc, out = cli(tmp_path, "--rules", str(rules), "--only-rules")
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


@pytest.mark.parametrize("content,needle", [(b"\x00\x01\x02", "binary"), ("rules: []\n".encode("utf-16"), "UTF-16"),
                                            (b"rules: " + b"[" * 5000 + b"]" * 5000, "depth")])
def test_unreadable_rule_file_is_exit_2_at_its_line(tmp_path: Path, content: bytes, needle: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_bytes(content)
    proc, out = cli(tmp_path, "--rules", str(rules))
    assert proc.returncode == 2 and located(proc.stderr, rules / "a.yaml") and needle in proc.stderr, proc.stderr
    assert not out.exists()


def test_explain_of_a_cartesian_rule_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    rules = rules_dir(tmp_path, CARTESIAN.format(personal_is="true"))
    out = tmp_path / "explain.json"
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "explain", str(many_items(tmp_path, 5000)),
                           "--rules", str(rules), "--only-rules", "--rule", "art17-test-rule", "--max-seconds", "2",
                           "--format", "json", "--output", str(out)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "time limit of 2 s" in proc.stderr
    assert not out.exists()
