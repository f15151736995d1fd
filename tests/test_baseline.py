"""Baselines: known findings are left out (and counted), new ones still fail; matching by fingerprint and file."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.decisions.baseline import Baseline, load_baseline, normalise
from egov_rules.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
DC_RULE = "art17-data-centre-without-approval"
# a second own machine room in the same project: one more Art 17 finding
SECOND_DC = """
  - id: plat.qz.wjw_dc2
    kind: data_centre
    unified: false
    owner: unit.qz.wjw
    level: municipal
    region: {province: Fujian, city: Quanzhou}
    status: planned
    cloud_backup_compliant: true
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--no-config"], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(out: str) -> list[dict[str, Any]]:
    return [f for s in json.loads(out)["submissions"] for f in s["findings"]]


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(OWN_DC, tmp_path / "sub.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def with_second_dc(text: str) -> str:
    head, sep, tail = text.partition("\nprojects:\n")
    text = head.replace("\nplatforms:\n", "\nplatforms:\n" + SECOND_DC.lstrip("\n"), 1) + sep + tail
    # appended: a finding's fingerprint holds its path inside the entity (/components/N), so a component
    # inserted in front would renumber the ones after it
    own = "      - {kind: data_centre, mode: build_own, platform: plat.qz.wjw_dc2}\n"
    return text.replace("    inter_unit_sharing:", own + "    inter_unit_sharing:", 1)


def test_known_findings_are_left_out_and_counted(project: Path) -> None:
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--write-baseline", "base.json")
    assert code == 1
    known = findings(out)
    assert known and json.loads(Path("base.json").read_text("utf-8")) == json.loads(out)  # a baseline is a report
    code, out, err = run("check", "sub.yaml", "--format", "json", "--baseline", "base.json")
    assert code == 0
    data = json.loads(out)
    assert findings(out) == []
    assert data["submissions"][0]["summary"]["baselined"] == len(known)
    assert data["baseline"] == {"file": "base.json", "baselined": len(known)}
    assert f"{len(known)} known findings left out" in err


def test_a_new_finding_still_fails_even_when_lines_move(project: Path) -> None:
    run("check", "sub.yaml", "--format", "json", "--write-baseline", "base.json")
    text = Path("sub.yaml").read_text("utf-8")
    assert with_second_dc(text) != text
    Path("sub.yaml").write_text("# reviewed 2016-11\n\n" + with_second_dc(text), "utf-8")
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--baseline", "base.json")
    assert code == 1
    (new,) = findings(out)
    assert new["rule"] == DC_RULE and "plat.qz.wjw_dc2" in new["message"]
    code, out, _ = run("check", "sub.yaml", "--format", "sarif", "--baseline", "base.json")
    (res,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] != "art44-decision"]
    assert res["baselineState"] == "new"


def test_the_file_path_takes_part_in_matching(project: Path) -> None:
    run("check", "sub.yaml", "--format", "json", "--write-baseline", "base.json")
    shutil.copy("sub.yaml", "copy.yaml")  # same entities and ids, another submission file
    code, out, _ = run("check", "sub.yaml", "copy.yaml", "--format", "json", "--baseline", "base.json")
    assert code == 1
    subs = json.loads(out)["submissions"]
    assert subs[0]["findings"] == [] and subs[1]["findings"]
    assert subs[1]["summary"]["baselined"] == 0
    # the same file named differently (./) is the same file
    assert run("check", "./sub.yaml", "--format", "json", "--baseline", "base.json")[0] == 0


def test_a_renamed_file_keeps_its_baseline_only_when_the_old_path_is_gone(project: Path) -> None:
    run("check", "sub.yaml", "--format", "json", "--write-baseline", "base.json")
    shutil.copy("sub.yaml", "renamed.yaml")
    assert run("check", "renamed.yaml", "--format", "json", "--baseline", "base.json")[0] == 1  # old one exists
    Path("sub.yaml").unlink()
    assert run("check", "renamed.yaml", "--format", "json", "--baseline", "base.json")[0] == 0
    text = Path("renamed.yaml").read_text("utf-8").replace("\n  id: ex02", "\n  id: ex99", 1)
    Path("renamed.yaml").write_text(text, "utf-8")  # another submission id: not the same submission
    assert run("check", "renamed.yaml", "--format", "json", "--baseline", "base.json")[0] == 1


def test_occurrences_are_counted() -> None:
    result = Checker().check_path(OWN_DC)
    (f,) = [f for f in result.findings if f.rule == DC_RULE]
    result.findings = [f, dataclasses.replace(f)]  # twice now, once in the baseline
    baseline = Baseline("b.json", entries={normalise(str(OWN_DC)): Counter({f.fingerprint: 1})})
    baseline.apply([result])
    assert result.baselined == 1 and len(result.findings) == 1


def test_waived_findings_stay_waived(project: Path) -> None:
    result = Checker().check_path("sub.yaml")
    (f,) = [f for f in result.findings if f.rule == DC_RULE]
    f.waived = {"justification": "pilot"}
    baseline = Baseline("b.json", entries={"sub.yaml": Counter({f.fingerprint: 1})})
    baseline.apply([result])
    assert any(g is f for g in result.findings) and result.baselined == 0


@pytest.mark.parametrize(("text", "line", "words"), [
    ('{"submissions": [{"file": "sub.yaml",\n "findings": [{"rule": "x"}]}]}', 2, "missing"),
    ('{"tool": {}}', 1, "missing"),
    ('{"submissions": [{"file": 3, "findings": []}]}', 1, "'file' is int"),
    ("[1, 2]", 1, "the top level must be a mapping; found a list"),
    ('{"submissions": [', 1, "cannot read the baseline"),
])
def test_a_bad_baseline_is_a_clean_error(project: Path, text: str, line: int, words: str) -> None:
    Path("base.json").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_baseline("base.json")
    assert info.value.line == line and words in info.value.render()
    code, out, err = run("check", "sub.yaml", "--format", "json", "--baseline", "base.json")
    assert code == 2 and out == "" and "base.json:" in err and "Traceback" not in err


def test_writing_a_baseline_never_overwrites_an_input(project: Path) -> None:
    before = Path("sub.yaml").read_bytes()
    code, _, err = run("check", "sub.yaml", "--format", "json", "--write-baseline", "sub.yaml")
    assert code == 2 and "refusing to overwrite" in err
    assert Path("sub.yaml").read_bytes() == before
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


def test_rewriting_the_baseline_in_place_keeps_every_finding(project: Path) -> None:
    run("check", "sub.yaml", "--format", "json", "--write-baseline", "base.json")
    full = Path("base.json").read_text("utf-8")
    code, _, _ = run("check", "sub.yaml", "--format", "json", "--baseline", "base.json",
                     "--write-baseline", "base.json")
    assert code == 0
    assert Path("base.json").read_text("utf-8") == full  # not emptied by its own filtering
