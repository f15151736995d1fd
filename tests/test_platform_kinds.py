"""rules/_platform-kinds.yaml: every platform kind of the schema, and the article an own build falls under.

A unit building its own platform of a unified-only kind (spec/submission.md §7) while a unified one covers it
must give a finding of the rules the table names (issue 11 point 3)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from rule_fixtures import BASE

from egov_rules.check import Checker
from egov_rules.rules.examples import apply_patch
from egov_rules.rules.rulebook import default_rules_dir, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
TABLE = yaml.safe_load((default_rules_dir() / "_platform-kinds.yaml").read_text("utf-8"))["kinds"]
SCHEMA = json.loads((ROOT / "egov_rules" / "data" / "submission.schema.json").read_text("utf-8"))
KINDS = SCHEMA["$defs"]["platform_kind"]["enum"]
# spec §7: every kind except the unit's own line-of-business software and legacy dedicated networks
NOT_UNIFIED_ONLY = {"business_application", "dedicated_network"}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(rulebook=load_rulebook())


def test_every_schema_kind_is_in_the_table() -> None:
    missing = [k for k in KINDS if k not in TABLE]
    assert not missing, f"platform kinds missing from rules/_platform-kinds.yaml: {missing}"
    assert not set(TABLE) - set(KINDS), "the table names kinds the schema does not have"


def test_unified_only_flags_follow_the_spec() -> None:
    for kind in KINDS:
        assert TABLE[kind]["unified_only"] is (kind not in NOT_UNIFIED_ONLY), kind


def test_named_rules_exist_and_cite_the_article(checker: Checker) -> None:
    for kind, row in TABLE.items():
        for rule_id in row["rules"]:
            rule = checker.rulebook.get(rule_id)
            assert rule is not None, f"{kind}: no rule {rule_id}"
        if row["unified_only"]:
            assert row["rules"], f"{kind} is unified-only but names no rule"
            assert checker.rulebook.get(row["rules"][0]).spec.article == row["article"], kind  # type: ignore[union-attr]


def _own_build(kind: str, mode: str = "build_own", implementation_start: str | None = None) -> dict:
    patch = {
        "platforms": [
            {"id": "plat.fj.unified", "kind": kind, "unified": True, "owner": "auth.fj.egov", "level": "provincial",
             "region": {"province": "Fujian"}, "status": "in_service", "in_apps_services_directory": True,
             "subtype": "population"},
            {"id": "plat.ct.own", "kind": kind, "unified": False, "owner": "unit.ct.mz", "level": "county",
             "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"}, "status": "planned",
             "cloud_backup_compliant": True, "subtype": "population"},
        ],
        "projects": [{"id": "prj.ex01", "implementation_start": implementation_start,
                      "components+": [{"kind": kind, "mode": mode, "platform": "plat.ct.own"}]}],
    }
    return apply_patch(copy.deepcopy(BASE), patch)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NOT_UNIFIED_ONLY])
def test_own_build_of_a_unified_only_kind_is_a_finding(checker: Checker, kind: str) -> None:
    result = checker.check_data(_own_build(kind), f"{kind}.yaml", raise_errors=True)
    named = set(TABLE[kind]["rules"])
    hits = [f for f in result.findings if f.rule in named and f.severity in ("violation", "warning")]
    assert hits, f"own {kind} beside a covering unified one: no finding of {sorted(named)}"
    assert result.decisions[0].outcome != "allow"


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NOT_UNIFIED_ONLY])
def test_using_the_unified_platform_is_no_finding(checker: Checker, kind: str) -> None:
    data = _own_build(kind, mode="use_unified")
    data["projects"][0]["components"][-1]["platform"] = "plat.fj.unified"
    result = checker.check_data(data, f"{kind}.yaml", raise_errors=True)
    assert not [f for f in result.findings if f.rule in set(TABLE[kind]["rules"])]


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NOT_UNIFIED_ONLY])
def test_an_own_build_before_2015_is_not_judged(checker: Checker, kind: str) -> None:
    """Art 47: the build began before the Measures were in force."""
    data = _own_build(kind, implementation_start="2014-06-01")
    data["projects"][0]["stage"] = "in_operation"
    result = checker.check_data(data, f"{kind}.yaml", raise_errors=True)
    assert not [f for f in result.findings if f.rule in set(TABLE[kind]["rules"])]


LEGACY_RULES = {"data_centre": "art17-legacy-data-centre-not-integrated",
                "dedicated_network": "art16-dedicated-network-not-integrated",
                "grid_platform": "art24-legacy-grid-system-not-integrated",
                **{k: "art25-legacy-channel-not-integrated"
                   for k in ("call_centre", "push_platform", "mobile_app", "portal_website", "other_service_channel")}}


def _legacy(kind: str, stage: str) -> dict:
    patch = {
        "platforms": [{"id": "plat.ct.old", "kind": kind, "unified": False, "owner": "unit.ct.mz", "level": "county",
                       "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"},
                       "status": "in_service", "integration_status": "none", "cloud_backup_compliant": True}],
        "projects": [{"id": "prj.ex01", "stage": stage,
                      "implementation_start": None if stage == "proposal" else "2016-01-01",
                      "components+": [{"kind": kind, "mode": "expand_own", "platform": "plat.ct.old"}]}],
    }
    return apply_patch(copy.deepcopy(BASE), patch)


@pytest.mark.parametrize("kind", sorted(LEGACY_RULES))
def test_legacy_rules_skip_what_a_project_is_building(checker: Checker, kind: str) -> None:
    """Issue 11 point 7: an existing platform the project expands is judged by the build rules; once the
    project is completed it is an existing asset again and the continuing duty to integrate applies."""
    building = checker.check_data(_legacy(kind, "proposal"), f"{kind}.yaml", raise_errors=True)
    assert LEGACY_RULES[kind] not in {f.rule for f in building.findings}
    done = checker.check_data(_legacy(kind, "in_operation"), f"{kind}.yaml", raise_errors=True)
    assert LEGACY_RULES[kind] in {f.rule for f in done.findings}
