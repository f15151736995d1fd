"""`--registry DIR`: trusted registry facts are merged in and win; disagreeing inline copies are warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.errors import EgovError
from egov_rules.input.load import load_document
from egov_rules.input.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
COMPLIANT = ROOT / "fixtures" / "01_county_compliant.yaml"
COUNTY_DC_RULE = "art17-county-not-in-city-data-centre"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def dump(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A registry made of the fixture's registry facts, and a submission that keeps only a falsified copy."""
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    unified = [p for p in data["platforms"] if p["unified"]]
    others = [u for u in data["units"] if u["id"] in ("unit.fj.gat", "unit.ly.rsj")]
    shared = [r for r in data["info_resources"] if r["owner_unit"] != "unit.ct.mz"]
    reg = tmp_path / "registry"
    dump(reg / "authorities.yaml", {"authorities": data["authorities"]})
    dump(reg / "units.yaml", {"units": others})
    dump(reg / "platforms.yaml", {"platforms": unified})
    dump(reg / "sharing" / "info_resources.json", {"info_resources": shared})
    # the submission: registry platforms left out, except a copy of the city data centre that lies about it
    sub = dict(data)
    dc = next(p for p in unified if p["id"] == "plat.ly.dc")
    fake = {**dc, "unified": False, "level": "county",
            "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"}}
    sub["platforms"] = [fake, *[p for p in data["platforms"] if not p["unified"]]]
    sub["info_resources"] = [r for r in data["info_resources"] if r["owner_unit"] == "unit.ct.mz"]
    path = dump(tmp_path / "submission.yaml", sub)
    return reg, path


def findings(out: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(out)["submissions"][0]["findings"]
    return result


def test_without_the_registry_references_to_registry_entities_do_not_resolve(setup: tuple[Path, Path]) -> None:
    _, path = setup
    code, _, err = run("check", str(path), "--format", "json")
    assert code == 2 and "does not name any entity" in err  # the registry-only platforms are missing


def test_registry_values_win_and_each_disagreeing_field_is_a_warning(setup: tuple[Path, Path]) -> None:
    reg, path = setup
    code, out, err = run("check", str(path), "--registry", str(reg), "--format", "json")
    assert code == 0, err
    got = findings(out)
    assert not [f for f in got if f["rule"] == COUNTY_DC_RULE]  # hosted in the (real) unified city DC
    mismatches = {f["location"]["pointer"].rsplit("/", 1)[-1]: f for f in got if "registry-mismatch" in f["rule"]}
    assert set(mismatches) == {"unified", "level", "region"}
    f = mismatches["unified"]
    assert f["rule"] == "art17-registry-mismatch" and f["article"] == 17 and f["severity"] == "warning"
    assert f["subject"] == {"type": "platform", "id": "plat.ly.dc"}
    assert "unified = false" in f["message"] and "has true" in f["message"]
    assert "platforms.yaml:" in f["message"]
    text = path.read_text("utf-8").splitlines()
    assert "unified: false" in text[f["location"]["line"] - 1]
    assert f["sanctions"]["art44"]["class"] == "none"


def test_same_rule_fires_when_the_registry_says_so(setup: tuple[Path, Path], tmp_path: Path) -> None:
    reg, path = setup
    data = yaml.safe_load((reg / "platforms.yaml").read_text("utf-8"))
    for p in data["platforms"]:
        if p["id"] == "plat.ly.dc":  # the registry's DC is provincial-level: not the city's own
            p.update(level="provincial", region={"province": "Fujian"})
    dump(reg / "platforms.yaml", data)
    checker = Checker(registry=load_registry(reg))
    result = checker.check_path(path)
    assert result.error is None
    assert [f.severity for f in result.findings if f.rule == COUNTY_DC_RULE] == ["violation"]


def test_submission_entities_missing_from_the_registry_are_kept(setup: tuple[Path, Path]) -> None:
    reg, path = setup
    facts = Checker(registry=load_registry(reg)).validate(load_document(path))
    ids = {p["id"] for p in facts.collection("platforms")}
    assert "plat.ct.app" in ids and "plat.fj.egovnet" in ids  # the unit's own, and one from the registry
    assert {r["id"] for r in facts.collection("info_resources")} >= {"res.ct.dibao", "res.fj.pop"}
    dc = facts.by_id["plat.ly.dc"]
    assert dc["unified"] is True and dc["level"] == "municipal"


def test_gate_and_explain_see_the_registry(setup: tuple[Path, Path]) -> None:
    reg, path = setup
    code, out, _ = run("gate", str(path), "--registry", str(reg), "--format", "json")
    assert code == 0 and json.loads(out)["submissions"][0]["decision"]["outcome"] == "allow"
    code, out, _ = run("explain", str(path), "--rule", COUNTY_DC_RULE, "--registry", str(reg), "--format", "json")
    assert code == 0
    [b] = json.loads(out)["bindings"]
    assert b["outcome"] == "passed"


def test_mismatch_is_reported_in_human_formats(setup: tuple[Path, Path]) -> None:
    reg, path = setup
    for fmt in ("markdown", "html"):
        code, out, _ = run("check", str(path), "--registry", str(reg), "--format", fmt)
        assert code == 0 and "art17-registry-mismatch" in out, fmt


# ------------------------------------------------------------------------------------ bad registries
def expect_error(reg: Path, *needles: str) -> str:
    with pytest.raises(EgovError) as info:
        load_registry(reg)
    text = info.value.render()
    for n in needles:
        assert n in text, text
    assert info.value.exit_code == 2
    return text


def test_invalid_registry_entity_is_reported_at_its_file_and_line(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    text = (reg / "platforms.yaml").read_text("utf-8").replace("status: in_service", "status: in_srvice", 1)
    (reg / "platforms.yaml").write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "in_srvice" in t)
    expect_error(reg, f"platforms.yaml:{line}:", "in_srvice", "did you mean 'in_service'")


def test_invalid_entity_in_a_second_file_names_that_file(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    path = reg / "sharing" / "info_resources.json"
    data = json.loads(path.read_text("utf-8"))
    data["info_resources"][1]["available"] = "yes"
    dump(path, data)
    expect_error(reg, "info_resources.json:", "/info_resources/1/available", "true or false")


def test_unknown_top_level_key_is_an_error_with_a_suggestion(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    dump(reg / "extra.yaml", {"platfroms": []})
    expect_error(reg, "extra.yaml:1:1", "'platfroms' is not a registry collection", "did you mean 'platforms'")


def test_duplicate_id_across_registry_files(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    data = yaml.safe_load((reg / "platforms.yaml").read_text("utf-8"))
    dump(reg / "more.yaml", {"platforms": data["platforms"][:1]})
    expect_error(reg, "more.yaml:", "duplicate id 'plat.fj.egovnet'", "platforms.yaml:")


def test_registry_reference_must_resolve_inside_the_registry(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    (reg / "units.yaml").unlink()  # res.fj.pop's owner unit is gone
    expect_error(reg, "info_resources.json:", "'unit.fj.gat' does not name any entity")


def test_registry_holds_unified_platforms_only(setup: tuple[Path, Path]) -> None:
    reg, _ = setup
    data = yaml.safe_load((reg / "platforms.yaml").read_text("utf-8"))
    data["platforms"][0]["unified"] = False
    dump(reg / "platforms.yaml", data)
    expect_error(reg, "platforms.yaml:", "unified platforms only")


def test_registry_must_be_a_directory_with_files(tmp_path: Path) -> None:
    code, out, err = run("check", str(COMPLIANT), "--registry", str(tmp_path / "nope"), "--format", "json")
    assert code == 2 and "must be a directory" in err and "Traceback" not in out + err
    (tmp_path / "empty").mkdir()
    code, _, err = run("check", str(COMPLIANT), "--registry", str(tmp_path / "empty"), "--format", "json")
    assert code == 2 and "no .yaml" in err


def test_id_used_for_another_kind_of_entity_is_an_input_error(setup: tuple[Path, Path], tmp_path: Path) -> None:
    reg, path = setup
    data = yaml.safe_load(path.read_text("utf-8"))
    data["technical_service_units"].append({"id": "plat.fj.ca", "name": "x", "basis": "duty"})
    bad = dump(tmp_path / "clash.yaml", data)
    code, _, err = run("check", str(bad), "--registry", str(reg), "--format", "json")
    assert code == 2
    assert "clash.yaml:" in err and "'plat.fj.ca' names platform in the trusted registry" in err
