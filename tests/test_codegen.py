"""The generated engine: readable source per rule (``rules compile --show``), each engine selectable, and
the code object kept with the cached rulebook.  Agreement with the reference and durable engines is in
test_differential.py."""

from __future__ import annotations

import copy
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.engine.evaluate import RuleRun
from egov_rules.engine.generated import GeneratedEngine
from egov_rules.errors import LimitExceeded
from egov_rules.input.load import load_document
from egov_rules.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_show_prints_the_rules_python_with_its_yaml_lines() -> None:
    code, out, _ = run("rules", "compile", "--show", "art17-data-centre-without-approval")
    assert code == 0
    assert out.startswith("def rule_")
    assert "# rule art17-data-centre-without-approval: rules/" in out
    # each comparison carries the rule file and line it came from, and the condition as written
    assert "art17-data-centres.yaml:" in out and "component.kind eq 'data_centre'" in out
    compile(out, "<shown>", "exec")  # the printed function is valid Python on its own


def test_show_prints_the_same_text_in_every_process(tmp_path: Path) -> None:
    # a list literal ("in: [...]") is a frozenset once compiled: its comment must not follow the hash seed
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "EGOV_RULES_CACHE": "0", "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "rules", "compile", "--show",
                               "art17-data-centre-without-approval"], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "component.mode in [build_own, expand_own, rebuild_own]" in done.stdout
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_show_an_unknown_rule_exits_2_with_a_suggestion() -> None:
    code, _, err = run("rules", "compile", "--show", "art17-data-center-without-approval")
    assert code == 2
    assert "no rule 'art17-data-center-without-approval'" in err
    assert "art17-data-centre-without-approval" in err


def test_compile_without_show_reports_the_rulebook() -> None:
    code, out, _ = run("rules", "compile")
    assert code == 0
    assert out.startswith(f"{len(load_rulebook().rules)} rules compiled to ")


def test_engines_give_one_report(tmp_path: Path) -> None:
    outputs = {}
    for engine in ("native", "reference"):
        target = tmp_path / f"{engine}.json"
        code, _, _ = run("check", "--format", "json", "--engine", engine, "--output", str(target), FIXTURE)
        assert code == 1
        outputs[engine] = target.read_text().replace('"engine": "reference"', '"engine": "native"')
    assert outputs["native"] == outputs["reference"]


def test_the_code_object_is_kept_with_the_rulebook_and_reused() -> None:
    rulebook = load_rulebook()
    GeneratedEngine(rulebook)
    code = marshal.loads(rulebook.code)
    assert {f"rule_{i}" for i in range(len(rulebook.rules))} <= set(code.co_names)
    again = GeneratedEngine(rulebook)  # from the kept code object: the same verdicts
    checker = Checker(rulebook=rulebook, engine="reference")
    facts = checker.validate(load_document(FIXTURE))
    def signature(runs: list[RuleRun]) -> list[tuple[object, ...]]:
        return [(r.rule.id, r.applied, r.passed, [(v.status, v.key) for v in r.verdicts]) for r in runs]

    assert signature(again.run(facts)) == signature(checker.engine.run(facts))


def test_a_rulebook_copied_with_other_rules_does_not_reuse_the_kept_code() -> None:
    import dataclasses

    rulebook = load_rulebook()
    GeneratedEngine(rulebook)
    assert rulebook.code
    one = dataclasses.replace(rulebook, rules=rulebook.rules[:1])  # carries the full rulebook's code along
    engine = GeneratedEngine(one)
    assert [rule.id for rule, _, _ in engine.functions] == [rulebook.rules[0].id]
    assert one.code != rulebook.code  # generated again for its own rules


def test_a_rule_nested_deeper_than_python_compiles_runs_by_the_reference_and_says_so(tmp_path: Path) -> None:
    from rule_fixtures import BASE, write_rule

    depth = 22  # Python compiles at most 20 nested loops; each quantifier is one
    condition = "{project.id: {eq: prj.ex01}}"
    for i in reversed(range(depth)):
        condition = f"{{exists: {{q{i}: projects, where: {condition}}}}}"
    rules = write_rule(tmp_path, f"for_each: {{project: projects}}\nrequire: {{not: {condition}}}\n")
    generated = Checker([rules], include_default_rules=False)
    reference = Checker([rules], include_default_rules=False, engine="reference")
    assert isinstance(generated.engine, GeneratedEngine)
    [note] = generated.engine.notes
    assert note.startswith("rule art17-test-rule: run by the reference engine because")
    result, expected = generated.check_data(BASE), reference.check_data(BASE)
    assert [f.rule for f in result.findings] == [f.rule for f in expected.findings] == ["art17-test-rule"]
    assert result.engine_notes == [note]


def test_policy_parameters_reach_the_generated_code() -> None:
    """A parameter is a literal in the generated source: a rulebook with another value gets its own code,
    and its verdicts stay the reference's."""
    from egov_rules.rules.rulebook import apply_parameters

    rulebook = load_rulebook()
    GeneratedEngine(rulebook)  # code kept for the defaults
    fixtures = sorted(p for p in (ROOT / "fixtures").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
    outcomes = {}
    for days in (1, 3650):
        applied = apply_parameters(rulebook, {"art31_answer_days": days})
        generated = Checker(rulebook=applied)
        reference = Checker(rulebook=applied, engine="reference")
        seen = []
        for path in fixtures:
            facts = reference.validate(load_document(path))

            def signature(runs: list[RuleRun]) -> list[tuple[object, ...]]:
                return [(r.rule.id, r.applied, r.passed, [(v.status, v.key) for v in r.verdicts]) for r in runs]

            assert signature(generated.engine.run(facts)) == signature(reference.engine.run(facts)), path.name
            seen.append(signature(reference.engine.run(facts)))
        outcomes[days] = seen
    assert outcomes[1] != outcomes[3650]  # the parameter decides some verdict in the fixtures


@pytest.mark.parametrize(("dates", "in_force"), [
    ("applies_from: 2016-09-21\n", False),  # the base's as_of is 2016-09-20
    ("applies_from: 2016-09-20\n", True),  # the first day counts
    ("applies_until: 2016-09-19\n", False),
    ("applies_until: 2016-09-20\n", True),  # so does the last
    ("applies_from: 2015-04-01\napplies_until: 2020-12-31\n", True),
])
def test_a_rule_out_of_force_on_the_as_of_date_is_not_applicable_in_both_engines(
        tmp_path: Path, dates: str, in_force: bool) -> None:
    from rule_fixtures import BASE, RULE_HEAD, write_rule

    head = RULE_HEAD.replace("    severity: violation\n", "    severity: violation\n    " + dates.replace(
        "\n", "\n    ").rstrip(" "))
    rules = write_rule(tmp_path, "for_each: {project: projects}\nrequire: {project.id: {eq: nothing}}\n", head)
    for engine in ("native", "reference"):
        result = Checker([rules], include_default_rules=False, engine=engine).check_data(BASE)
        assert result.error is None
        assert result.outcomes.get("art17-test-rule", "not_applicable") == ("findings" if in_force else
                                                                           "not_applicable"), engine
        assert (result.not_applicable, len(result.findings) > 0) == ((0, True) if in_force else (1, False)), engine


def test_a_rule_giving_more_findings_than_the_cap_stops_the_check_in_both_engines(tmp_path: Path) -> None:
    """A cross product without a join: 10 per entity plus 10,000 verdicts at most, then one clear error."""
    from rule_fixtures import BASE, write_rule

    from egov_rules.engine.evaluate import verdict_cap
    from egov_rules.input.load import Document

    data = copy.deepcopy(BASE)
    item = data["collection_items"][0]
    data["collection_items"] += [{**item, "id": f"ci.extra.{i}"} for i in range(120)]  # > 14,400 pairs
    rules = write_rule(tmp_path, "for_each: {a: collection_items, b: collection_items}\n"
                                 "require: {a.id: {eq: nothing}}\n")
    messages = set()
    for engine in ("native", "reference"):
        checker = Checker([rules], include_default_rules=False, engine=engine)
        result = checker.check_data(data)
        assert isinstance(result.error, LimitExceeded), engine
        messages.add(str(result.error))
    cap = verdict_cap(checker.prepare(Document("<data>", data, {}, {}, "data"))[0])
    assert 120 * 120 > cap > 10_000  # the cap counts the entities
    [message] = messages
    assert f"rule 'art17-test-rule' gives more than {cap} findings for this submission" in message
