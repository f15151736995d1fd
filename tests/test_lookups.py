"""Quantifiers look their items up in hash indexes (engine/candidates.py) and change no result: verdicts and
findings are what a full scan of every collection gives.

The reference closures compiled with the lookups turned off scan each collection in full for every binding:
that is the semantics, by definition.  The generated code (the default engine, whose findings trace failed
bindings through the lookups) and the reference closures with lookups are compared with it on verdicts and on
the JSON report in both languages (texts naming the witnesses, locations, the unknown facts of insufficient
findings): every rule example, fixture and shared example, generated submissions, and crowded ones (many
clones, so keys are shared by many items, then nulls and other values put in).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EXAMPLES, Draw, change_field, clone_entity, document, rulebook, seeds, submissions, valid

from egov_rules.check import Checker
from egov_rules.engine import candidates
from egov_rules.engine.emitter import join_plan
from egov_rules.engine.evaluate import RuleRun
from egov_rules.reports.model import submission_dict
from egov_rules.rules.conditions import AllOf, AnyOf, Not, Quantifier

Checkers = tuple[Checker, Checker, Checker]


@pytest.fixture(scope="module")
def checkers() -> Checkers:
    """Full scans (the semantics), then the generated code and the reference closures with lookups."""
    book = rulebook()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(candidates, "lookups", lambda node: None)
        scanned = Checker(rulebook=book, engine="reference")
        for rule in book.rules:  # compiled now, while there are no lookups
            scanned.native.by_id[rule.id]
    return scanned, Checker(rulebook=book), Checker(rulebook=book, engine="reference")


def verdicts(runs: list[RuleRun]) -> list[tuple[Any, ...]]:
    return [(r.rule.id, r.applied, r.passed, r.not_applicable,
             [(v.status, v.downgraded, v.key) for v in r.verdicts]) for r in runs]


def assert_as_scanned(checkers: Checkers, data: dict[str, Any]) -> None:
    scanned, *indexed = checkers
    expected = verdicts(scanned.engine.run(scanned.validate(document(data))))
    report = scanned.check_data(data)
    assert report.error is None, report.error
    for checker in indexed:
        assert verdicts(checker.engine.run(checker.validate(document(data)))) == expected, checker.engine.name
        result = checker.check_data(data)
        for lang in ("en", "zh"):
            assert submission_dict(result, lang) == submission_dict(report, lang), (checker.engine.name, lang)


def test_rule_examples_fixtures_and_shared_examples_give_what_full_scans_give(checkers: Checkers) -> None:
    for data in seeds():
        assert_as_scanned(checkers, data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=submissions())
def test_generated_submissions_give_what_full_scans_give(checkers: Checkers, data: dict[str, Any]) -> None:
    assert valid(data)
    assert_as_scanned(checkers, data)


@st.composite
def crowded(draw: Draw) -> dict[str, Any]:
    """A seed with many clones (projects sharing platforms, services sharing channels...), then changed
    fields: a lookup finds many items by one key, and nulls put items under unknown keys."""
    data = copy.deepcopy(draw(st.sampled_from(seeds())))
    return crowd(draw, data, clones=draw(st.integers(4, 14)), changes=draw(st.integers(2, 10)))


def crowd(draw: Draw, data: dict[str, Any], *, clones: int, changes: int) -> dict[str, Any]:
    """``clones`` entities cloned, then ``changes`` fields changed; each mutation kept only if still valid."""
    for mutate, count in ((clone_entity, clones), (change_field, changes)):
        for _ in range(count):
            candidate = mutate(draw, copy.deepcopy(data))
            if candidate is not None and valid(candidate):
                data = candidate
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=crowded())
def test_crowded_submissions_give_what_full_scans_give(checkers: Checkers, data: dict[str, Any]) -> None:
    assert valid(data)
    assert_as_scanned(checkers, data)


def collection_quantifiers(node: Any) -> list[Quantifier]:
    if isinstance(node, Quantifier):
        inner = [q for c in (node.where, node.require) if c is not None for q in collection_quantifiers(c)]
        return ([node] if node.source.collection is not None else []) + inner
    if isinstance(node, AllOf | AnyOf):
        return [q for c in node.items for q in collection_quantifiers(c)]
    if isinstance(node, Not):
        return collection_quantifiers(node.item)
    return []


def test_no_quantifier_of_the_rulebook_scans_a_collection_for_each_binding() -> None:
    """Per-entity cost stays flat with the submission's size only if every quantifier over a collection is
    answered by an index: its join plan or lookups (a where that neither covers needs a new lookup here)."""
    scanning = [f"{rule.id}: {q.kind} {q.binding} in {q.source.text} (line {q.line})"
                for rule in rulebook().rules for c in (rule.when, rule.require, rule.downgrade_when)
                for q in collection_quantifiers(c) if join_plan(q) is None and candidates.lookups(q) is None]
    assert not scanning, scanning


def test_the_lookups_are_what_answers_and_the_scan_builds_none_of_their_indexes(checkers: Checkers) -> None:
    """The comparison above is between two different evaluations: the scanning checker builds none of the
    lookups' indexes, the others build them (named by the part of where they answer)."""
    scanned, generated, reference = checkers
    data = next(d for d in seeds() if d.get("plans") and d.get("projects"))

    def lookup_indexes(checker: Checker) -> set[str]:
        facts = checker.validate(document(data))
        checker.engine.run(facts)
        return {name for _, name in facts._indexes if name.startswith(("exists ", "if ")) or " if " in name}

    assert not lookup_indexes(scanned)
    found = lookup_indexes(generated)
    assert found == lookup_indexes(reference)
    assert any(name.startswith("exists ") for name in found)  # e.g. a project by the platforms it builds


def test_a_lookup_finds_an_item_whose_key_is_unknown_and_every_item_for_an_unknown_key() -> None:
    """Three-valued: an item whose join key is null is a candidate for every key, and a null outer key makes
    every item one (their where is unknown, not false)."""
    from egov_rules.input.facts import FactBase

    rule = rulebook().get("art25-service-on-own-channel")
    assert rule is not None
    quantifier = next(q for q in collection_quantifiers(rule.when) if q.binding == "channel_build")
    [lookup] = candidates.lookups(quantifier) or [None]
    assert lookup is not None and lookup.inner is not None
    find = candidates.compile_finder("projects", (lookup,))
    data = copy.deepcopy(next(d for d in seeds() if d.get("projects")))
    known, unknown, other = (copy.deepcopy(data["projects"][0]) for _ in range(3))
    for project, ident, platform in ((known, "prj.k", "plat.x"), (unknown, "prj.u", None), (other, "prj.o", "plat.y")):
        project.update(id=ident, stage="approved",
                       components=[{"kind": "mobile_app", "mode": "build_own", "platform": platform}])
    data["projects"] = [known, unknown, other]
    facts = FactBase.from_data(data)
    ids = [[p["id"] for p in found] if found is not None else None
           for found in (find({"channel": {"id": key}}, facts) for key in ("plat.x", "plat.z"))]
    assert ids == [["prj.k", "prj.u"], ["prj.u"]]  # in the collection's order; the unknown one always
    assert find({"channel": {"id": None}}, facts) is None  # every item


# Rules with every shape of lookup over facts that may be null (the bundled rulebook joins mostly on required
# ones; a literal "eq" is the join plan's): a nested exists with filters read through a reference, a union
# with a "none" reference, an outer list holding the item's id, the item's key on the right, a filter alone.
SHAPES = """\
article: 17
rules:
""" + "".join(f"""\
  - id: art17-shape-{name}
    title: {{en: Shape {name}, zh: 形状}}
    message: {{en: "Shape {name}", zh: 形状}}
    remediation: {{en: Fix it, zh: 整改}}
    severity: violation
    sanctions: {{art44: B, art46: [{{item: 1}}]}}
    examples:
      - {{name: a, expect: pass}}
      - {{name: b, expect: violation}}
{body}""" for name, body in {
    "nested": """\
    for_each: {project: projects}
    require:
      none:
        q: projects
        where:
          all:
            - q.grid_connected: {ne: false}
            - exists:
                c: q.components
                where:
                  all:
                    - c.platform: $project.network
                    - c.platform.cloud_backup_compliant: {ne: false}
""",
    "union": """\
    for_each: {platform: platforms}
    when:
      any:
        - exists: {p: projects, where: {any: [{p.network: $platform.id}, {p.sharing_via: $platform.id}]}}
        - exists:
            p: projects
            where:
              all:
                - p.in_annual_points: {ne: false}
                - any: [{p.hosting.data_centre: $platform.id}, {p.hosting.backup_centre: $platform.id}]
    require: {platform.integration_status: {ne: planned}}
""",
    "held": """\
    for_each: {project: projects}
    require:
      every:
        pl: plans
        where: {project.plan_refs: {contains: $pl.id}}
        require: {pl.includes_projects: {contains: $project.id}}
""",
    "right": """\
    for_each: {platform: platforms}
    require:
      exists: {u: units, where: {all: [{platform.owner: $u.id}, {u.power_list_published: {ne: false}}]}}
""",
    "filter": """\
    for_each: {project: projects}
    require:
      none:
        pl: platforms
        where:
          all: [{pl.integration_status: {in: [planned]}}, {pl.commissioned_date: {le: $project.implementation_start}}]
""",
}.items())


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Checkers:
    d = tmp_path_factory.mktemp("shapes") / "rules"
    d.mkdir()
    (d / "art17-shapes.yaml").write_text(SHAPES, "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(candidates, "lookups", lambda node: None)
        scanned = Checker([d], include_default_rules=False, engine="reference")
        for rule in scanned.rulebook.rules:
            scanned.native.by_id[rule.id]
    return (scanned, Checker(rulebook=scanned.rulebook),
            Checker(rulebook=scanned.rulebook, engine="reference"))


def test_each_shape_is_looked_up(shapes: Checkers) -> None:
    quantifiers = [q for rule in shapes[0].rulebook.rules for c in (rule.when, rule.require)
                   for q in collection_quantifiers(c)]
    assert len(quantifiers) == 6
    assert all(join_plan(q) is None and candidates.lookups(q) for q in quantifiers)


@st.composite
def county_crowds(draw: Draw) -> dict[str, Any]:
    from rule_fixtures import BASE

    return crowd(draw, copy.deepcopy(BASE), clones=draw(st.integers(2, 10)), changes=draw(st.integers(3, 16)))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=county_crowds())
def test_every_shape_gives_what_full_scans_give(shapes: Checkers, data: dict[str, Any]) -> None:
    assert valid(data)
    assert_as_scanned(shapes, data)
