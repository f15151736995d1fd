"""The rule language: load-time checking (errors at file:line:col with suggestions) and its semantics
(three-valued logic, null-means-none, joins, quantifiers), on small rulebooks written for each test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rule_fixtures import BASE, RULE_HEAD, write_rule

from egov_rules.check import Checker
from egov_rules.engine import reference as compile_mod
from egov_rules.errors import InputErrors
from egov_rules.rules.examples import apply_patch, outcome_of
from egov_rules.rules.rulebook import load_rulebook


def load_errors(tmp_path: Path, body: str, head: str = RULE_HEAD) -> list[Any]:
    d = write_rule(tmp_path, body, head)
    with pytest.raises(InputErrors) as info:
        load_rulebook([d])
    return [e for e in info.value.errors if "art17-test" in e.file]


# ------------------------------------------------------------------------------- load-time errors
def test_unknown_field_is_an_error_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.stgae: proposal
    """)
    assert err.line == 14 and err.column == 7
    assert "has no field 'stgae'" in err.message
    assert err.suggestion == "stage"


def test_misspelt_enum_value_is_an_error(tmp_path: Path) -> None:
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.stage: under_construcion
    """)
    assert "'under_construcion' is not a value of project.stage" in err.message
    assert err.suggestion == "under_construction"
    assert err.line == 14


def test_unknown_binding_and_collection_are_errors(tmp_path: Path) -> None:
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          projet.stage: proposal
    """)
    assert "'projet' is not a binding" in err.message and err.suggestion == "project"
    [err] = load_errors(tmp_path, """\
        for_each: {project: project}
        require:
          project.stage: proposal
    """)
    assert "'project' is not a collection" in err.message and err.suggestion == "projects"


def test_type_errors_are_caught(tmp_path: Path) -> None:
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.central_deployed: "yes"
    """)
    assert "true or false" in err.message
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.stage: {lt: proposal}
    """)
    assert "'lt' needs a number or a date" in err.message
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.plan_refs: x
    """)
    assert "is a list" in err.message


def test_unknown_operator_and_condition(tmp_path: Path) -> None:
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          project.stage: {eqq: proposal}
    """)
    assert "unknown operator 'eqq'" in err.message and err.suggestion == "eq"
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require:
          exist: {a: approvals}
    """)
    assert "unknown condition 'exist'" in err.message and err.suggestion == "exists"


def test_message_placeholders_are_checked(tmp_path: Path) -> None:
    head = RULE_HEAD.replace("Found in {submission.id}", "Found in {submission.nme}")
    [err] = load_errors(tmp_path, """\
        for_each: {project: projects}
        require: {project.stage: proposal}
    """, head)
    assert "no field 'nme'" in err.message and err.suggestion == "name"
    assert err.field == "/rules/0/message/en"


def test_rule_metadata_is_validated(tmp_path: Path) -> None:
    head = RULE_HEAD.replace("id: art17-test-rule", "id: art18-test-rule").replace("zh: 整改", "zh: ''")
    errors = load_errors(tmp_path, """\
        for_each: {project: projects}
        require: {project.stage: proposal}
    """, head)
    messages = " | ".join(e.message for e in errors)
    assert "names article 18 but the rule cites article 17" in messages or "at least 1 character" in messages


def test_rule_without_a_passing_example_is_rejected(tmp_path: Path) -> None:
    head = RULE_HEAD.replace("{name: a, expect: pass}", "{name: a, expect: violation}")
    errors = load_errors(tmp_path, """\
        for_each: {project: projects}
        require: {project.stage: proposal}
    """, head)
    assert any("passing example" in e.message for e in errors)


def test_duplicate_rule_ids_are_rejected(tmp_path: Path) -> None:
    d = write_rule(tmp_path, """\
        for_each: {project: projects}
        require: {project.stage: proposal}
    """)
    (d / "art17-copy.yaml").write_text((d / "art17-test.yaml").read_text("utf-8"), "utf-8")
    with pytest.raises(InputErrors) as info:
        load_rulebook([d], include_default=False)
    assert any("duplicate rule id 'art17-test-rule'" in e.message for e in info.value.errors)


def test_broken_yaml_in_a_rule_file_is_an_error_not_a_skip(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "art17-broken.yaml").write_text("rules:\n  - id: [unclosed\n", "utf-8")
    with pytest.raises(InputErrors) as info:
        load_rulebook([d], include_default=False)
    assert info.value.errors[0].line >= 2


# ------------------------------------------------------------------------------- semantics
def run_rule(tmp_path: Path, body: str, patch: dict[str, Any] | None = None) -> tuple[str, int]:
    d = write_rule(tmp_path, body)
    rb = load_rulebook([d], include_default=False)
    checker = Checker(rulebook=rb)
    data = apply_patch(BASE, patch or {})
    return outcome_of(checker, rb.get("art17-test-rule"), data, "<test>")  # type: ignore[arg-type]


def test_null_fact_gives_insufficient_not_pass(tmp_path: Path) -> None:
    body = """\
        for_each: {project: projects}
        require: {project.grid_connected: true}
    """
    assert run_rule(tmp_path, body) == ("pass", 0)
    assert run_rule(tmp_path, body, {"projects": [{"id": "prj.ex01", "grid_connected": None}]}) == ("insufficient", 1)
    assert run_rule(tmp_path, body, {"projects": [{"id": "prj.ex01", "grid_connected": False}]}) == ("violation", 1)


def test_null_means_none_compares_definitely(tmp_path: Path) -> None:
    body = """\
        for_each: {project: projects}
        require:
          any:
            - project.implementation_start: {is_set: false}
            - project.implementation_start: {ge: 2016-01-01}
    """
    assert run_rule(tmp_path, body) == ("pass", 0)  # null implementation_start: not started (definite)
    started_early = {"projects": [{"id": "prj.ex01", "implementation_start": "2015-06-01"}]}
    assert run_rule(tmp_path, body, started_early) == ("violation", 1)


def test_any_with_a_true_part_is_true_even_if_another_is_unknown(tmp_path: Path) -> None:
    body = """\
        for_each: {project: projects}
        require:
          any: [{project.grid_connected: true}, {project.stage: proposal}]
    """
    assert run_rule(tmp_path, body, {"projects": [{"id": "prj.ex01", "grid_connected": None}]}) == ("pass", 0)
    both_unknown_or_false = {"projects": [{"id": "prj.ex01", "grid_connected": None, "stage": "approved"}]}
    assert run_rule(tmp_path, body, both_unknown_or_false) == ("insufficient", 1)


def test_when_false_is_not_applicable(tmp_path: Path) -> None:
    body = """\
        for_each: {project: projects}
        when: {project.stage: completed}
        require: {project.grid_connected: false}
    """
    assert run_rule(tmp_path, body) == ("not_applicable", 0)


def test_negation_over_a_join(tmp_path: Path) -> None:
    body = """\
        for_each: {item: collection_items}
        when: {item.source: from_subject}
        require:
          none:
            r: info_resources
            where:
              all:
                - r.elements: {contains: $item.element}
                - r.owner_unit: {ne: $item.unit}
    """
    assert run_rule(tmp_path, body) == ("pass", 0)
    recollect = {"collection_items": [{"id": "ci.03", "source": "from_subject"}]}
    assert run_rule(tmp_path, body, recollect) == ("violation", 1)


def test_every_quantifier(tmp_path: Path) -> None:
    body = """\
        for_each: {service: services}
        require:
          every:
            p: service.paper_outputs
            require: {p.electronic_synchronous: true}
    """
    assert run_rule(tmp_path, body) == ("pass", 0)
    paper = {"services": [{"id": "svc.ex01", "paper_outputs+": [{"document": "x", "electronic_synchronous": False}]}]}
    assert run_rule(tmp_path, body, paper) == ("violation", 1)


def test_hash_join_gives_the_same_result_as_a_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
        for_each: {item: collection_items}
        require:
          exists:
            c: collection_catalogues
            where:
              all:
                - c.unit: $item.unit
                - c.entries.element: {contains: $item.element}
    """
    patch = {"collection_items": [
        {"id": "ci.99", "unit": "unit.ct.mz", "project": "prj.ex01", "element": "person.marital_status",
         "source": "from_subject", "subject_type": "natural_person", "personal": True, "sensitive": True}]}
    indexed = run_rule(tmp_path, body, patch)
    monkeypatch.setattr(compile_mod, "_join_plan", lambda node: None)
    scanned = run_rule(tmp_path, body, patch)
    assert indexed == scanned == ("violation", 3)  # ci.03 and ci.06 (via sharing) are not in it either


def test_literal_index_gives_the_same_result_as_a_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
        for_each: {project: projects}
        require:
          none:
            p: platforms
            where:
              all:
                - p.kind: data_centre
                - p.unified: false
                - p.owner: $project.unit
    """
    own = {"platforms": [{"id": "plat.own", "kind": "data_centre", "unified": False, "owner": "unit.ct.mz",
                          "level": "county", "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"},
                          "status": "in_service"}]}
    results = [run_rule(tmp_path, body), run_rule(tmp_path, body, own)]
    monkeypatch.setattr(compile_mod, "_join_plan", lambda node: None)
    assert [run_rule(tmp_path, body), run_rule(tmp_path, body, own)] == results == [("pass", 0), ("violation", 1)]
