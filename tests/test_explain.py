"""`egov-rules explain PATH --rule ID`: each binding, the conditions with the values they saw, and why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from egov_rules.cli import app
from egov_rules.rules.examples import apply_patch
from egov_rules.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
COMPLIANT = str(FIX / "01_county_compliant.yaml")
OWN_DC = str(FIX / "02_municipal_own_datacentre.yaml")
RECOLLECT = FIX / "03_collection_outside_catalogue.yaml"
DC_RULE = "art17-data-centre-without-approval"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def explain_json(path: str, rule: str, *extra: str) -> dict[str, Any]:
    code, out, err = run("explain", path, "--rule", rule, "--format", "json", *extra)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_fired_binding_shows_the_false_requirement_and_the_finding() -> None:
    data = explain_json(OWN_DC, DC_RULE)
    fired = [b for b in data["bindings"] if b["outcome"] == "fired"]
    assert len(fired) == 1
    b = fired[0]
    assert {x["name"]: x["id"] for x in b["bindings"]}["project"] == "prj.ex02"
    first = b["when"][0]
    assert first["condition"] == "component.kind == 'data_centre'"
    assert (first["value"], first["result"]) == ("data_centre", True)
    def flat(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for s in steps for x in [s, *flat(s.get("children") or [])]]

    [exists] = [s for s in flat(b["require"]) if s["condition"].startswith("exists approval in approvals")]
    assert exists["result"] is False
    assert "the requirement is false" in b["why"]
    assert b["finding"]["severity"] == "violation" and b["finding"]["line"] > 0
    assert data["summary"]["fired"] == 1


def test_bindings_the_rule_does_not_apply_to_say_which_condition_was_false() -> None:
    data = explain_json(OWN_DC, DC_RULE)
    na = [b for b in data["bindings"] if b["outcome"] == "not_applicable"]
    assert na and all(b["require"] is None for b in na)
    values = {b["when"][0]["value"] for b in na}
    assert "business_application" in values
    assert all(b["when"][0]["result"] is False and "'when' condition is false" in b["why"] for b in na)


def test_passed_binding_shows_every_condition_with_its_value() -> None:
    data = explain_json(COMPLIANT, "art17-county-not-in-city-data-centre")
    [b] = data["bindings"]
    assert b["outcome"] == "passed"
    seen = {s["condition"]: s["value"] for s in b["require"]}
    assert seen["project.hosting.data_centre.level == 'municipal'"] == "municipal"
    assert all(s["result"] is True for s in b["require"])


def test_unknown_binding_names_the_null_facts_with_their_line(tmp_path: Path) -> None:
    rulebook = load_rulebook()
    rule = rulebook.get(DC_RULE)
    assert rule is not None
    example = next(e for e in rule.spec.examples if e.expect == "insufficient")
    base = yaml.safe_load(Path(rulebook.bases[example.base]).read_text("utf-8"))
    path = tmp_path / "unknown.yaml"
    path.write_text(yaml.safe_dump(apply_patch(base, example.patch), allow_unicode=True, sort_keys=False), "utf-8")
    data = explain_json(str(path), DC_RULE)
    [b] = [b for b in data["bindings"] if b["outcome"] == "unknown"]
    assert [f["path"] for f in b["unknown_facts"]] == ["approval.date"]
    assert b["unknown_facts"][0]["line"] > 1
    assert "approval.date" in b["why"]
    code, out, _ = run("explain", str(path), "--rule", DC_RULE, "--format", "table")
    assert code == 0 and "supply: approval.date (line " in out


def test_downgraded_binding_shows_the_downgrade_condition(tmp_path: Path) -> None:
    data = yaml.safe_load(RECOLLECT.read_text("utf-8"))
    for item in data["collection_items"]:
        if item["id"] == "ci.33":
            item["recollection_justification"] = "the bureau must verify the address in person"
    path = tmp_path / "justified.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    out = explain_json(str(path), "art19-recollection-of-shared-data", "--entity", "ci.33")
    [b] = out["bindings"]
    assert b["outcome"] == "downgraded"
    assert b["downgrade"][0]["result"] is True
    assert b["finding"]["severity"] == "warning"


def test_table_is_an_indented_tree_with_the_quantifiers_items_under_it() -> None:
    code, out, _ = run("explain", str(RECOLLECT), "--rule", "art19-recollection-of-shared-data",
                       "--entity", "ci.33", "--format", "table")
    assert code == 0
    lines = out.splitlines()
    q = next(i for i, line in enumerate(lines) if line.lstrip().startswith("[false] none resource in"))
    indent = len(lines[q]) - len(lines[q].lstrip())
    child = lines[q + 1]
    assert len(child) - len(child.lstrip()) > indent
    # each candidate examined is named, with its own tests under it
    assert "examined resource = " in child
    assert len(lines[q + 2]) - len(lines[q + 2].lstrip()) > len(child) - len(child.lstrip())
    assert "resource." in "\n".join(lines[q + 2:q + 6])
    assert "decided by: resource = res.fj.pop" in out
    assert "FIRED" in out


def test_entity_filter_keeps_only_bindings_of_that_entity() -> None:
    data = explain_json(str(RECOLLECT), "art19-recollection-of-shared-data", "--entity", "ci.34")
    assert [b["bindings"][0]["id"] for b in data["bindings"]] == ["ci.34"]


def test_unknown_rule_id_exits_2_with_the_closest_id() -> None:
    code, out, err = run("explain", OWN_DC, "--rule", "art17-data-center-without-approval")
    assert code == 2
    assert "did you mean 'art17-data-centre-without-approval'" in err
    assert "Traceback" not in out + err


def test_invalid_submission_exits_2_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(OWN_DC).read_text("utf-8").replace("mode: build_own", "mode: build_owne", 1), "utf-8")
    code, _, err = run("explain", str(bad), "--rule", DC_RULE)
    assert code == 2 and "bad.yaml:" in err and "build_own" in err


def test_chinese_explanation_cites_in_chinese() -> None:
    code, out, _ = run("explain", OWN_DC, "--rule", DC_RULE, "--format", "table", "--lang", "zh")
    assert code == 0
    assert "第十七条第一款" in out and "触发" in out and "不适用" in out


def test_explanation_is_identical_across_hash_seeds() -> None:
    """Set-valued conditions (component.mode in {...}) must not print in hash order."""
    outs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "explain", OWN_DC, "--rule", DC_RULE,
                               "--format", "json"], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        outs.add(proc.stdout)
    assert len(outs) == 1
    assert "[build_own, expand_own, rebuild_own]" in outs.pop()


def test_explain_names_every_candidate_with_the_test_that_ruled_it_out(tmp_path: Path) -> None:
    """Two approvals that do not fit: each is named, with the condition it failed, under its quantifier."""
    data = yaml.safe_load(Path(OWN_DC).read_text("utf-8"))
    data["approvals"].append({"id": "ap.wrong.kind", "kind": "om_funds", "subject": "plat.qz.wjw_dc",
                              "issuer": "auth.qz.ndrc", "decision": "approved", "date": "2016-01-01",
                              "name": "运维经费批复"})
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    code, out, _ = run("explain", str(path), "--rule", DC_RULE, "--format", "table")
    assert code == 0
    lines = out.splitlines()
    init = next(x for x in lines if "examined approval = ap.ex02.init" in x)
    wrong = next(x for x in lines if "examined approval = ap.wrong.kind" in x)
    assert "does not match: approval.subject == $component.platform" in init
    assert "does not match: approval.kind == 'data_centre'" in wrong
    assert "is set:" not in out and "null" not in out
    zh = run("explain", str(path), "--rule", DC_RULE, "--format", "table", "--lang", "zh")[1]
    assert "已检查 approval = ap.wrong.kind：不符合" in zh
