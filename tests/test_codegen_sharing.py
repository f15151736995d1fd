"""What the generated code reads once and keeps (engine/emit_values.py, emitter.py, indexes.py) changes no
result: a path read again in the block it was read in, the entity of a reference that several paths follow,
paths through lists read by nested loops, indexes built without the reference's key functions.

Each is compared with the reference closures where the shared value is null, "none" (a null reference),
or a reference whose fields are unknown: the three-valued results must be the reference's.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_fixtures import BASE, write_rule
from strategies import EXAMPLES, document

from egov_rules.check import Checker
from egov_rules.engine.emitter import SCANNED, Emitter
from egov_rules.engine.evaluate import RuleRun
from egov_rules.engine.generated import GeneratedEngine
from egov_rules.engine.getters import ABSENT, compile_path, keys_function, plain_keys
from egov_rules.engine.indexes import index_field
from egov_rules.input.facts import FactBase
from egov_rules.input.factschema import FieldType
from egov_rules.rules.conditions import Path, Step

# every path below follows unit.parent_unit (null means "there is none"); its fields are nullable booleans
SHARING_RULE = """\
for_each: {unit: units}
when:
  all:
    - any:  # the second read only when the first is not true: the require must not take its local
        - {unit.id: {eq: unit.ly.rsj}}
        - {unit.parent_unit.data_return_to_lower: {eq: true}}
    - {unit.parent_unit.power_list_published: {ne: false}}
    - any:
        - {unit.parent_unit.public_service_list_published: {is_set: false}}
        - {unit.parent_unit.public_service_list_published: {eq: true}}
require:
  all:
    - {unit.parent_unit.data_return_to_lower: {eq: true}}
    - exists:
        other: units
        where:
          all:
            - {other.parent_unit: {eq: $unit.id}}
            - {other.parent_unit.power_list_published: {eq: $unit.parent_unit.power_list_published}}
            - {other.parent_unit.data_return_to_lower: {ne: false}}
"""

UNITS = [u["id"] for u in BASE["units"]]
FLAGS = ("power_list_published", "public_service_list_published", "data_return_to_lower")


def runs_of(runs: list[RuleRun]) -> list[tuple[Any, ...]]:
    return [(r.rule.id, r.applied, r.passed, r.not_applicable,
             sorted((v.status, v.downgraded, v.key) for v in r.verdicts)) for r in runs]


def checkers(tmp_path: Any) -> tuple[Checker, Checker]:
    rules = write_rule(tmp_path, SHARING_RULE)
    return (Checker([rules], include_default_rules=False),
            Checker([rules], include_default_rules=False, engine="reference"))


def test_a_followed_reference_and_a_path_read_again_are_kept_in_locals(tmp_path: Any) -> None:
    generated, _ = checkers(tmp_path)
    assert isinstance(generated.engine, GeneratedEngine)
    source = generated.engine.source_of("art17-test-rule")
    body = source[source.index("def rule_0(facts):"):]
    # unit.parent_unit followed: in the when's `any` (read only when its first item is not true), for the
    # when's other three paths (their entity kept for the require: the when is true there, so every item of
    # its `all` was read), once per item of the exists for other's three paths
    assert body.count("by_id.get(") == 3, body
    assert body.count(".get('public_service_list_published')") == 1  # is_set, then eq on the same local
    assert body.count(".get('power_list_published')") == 2  # the when's (also $unit...'s in the exists); other's


@st.composite
def parents_and_flags(draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for unit in data["units"]:
        unit["parent_unit"] = draw(st.sampled_from([None, *[u for u in UNITS if u != unit["id"]]]))
        for flag in FLAGS:
            unit[flag] = draw(st.sampled_from([True, False, None]))
    return data


@settings(max_examples=max(EXAMPLES, 100), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=parents_and_flags())
def test_shared_values_give_the_references_three_valued_results(tmp_path: Any, data: dict[str, Any]) -> None:
    generated, reference = checkers(tmp_path)
    facts = reference.validate(document(data))
    expected = runs_of(reference.engine.run(facts))
    facts._indexes.clear()
    assert runs_of(generated.engine.run(facts)) == expected


def test_the_table_of_shared_prefixes_gives_every_outcome(tmp_path: Any) -> None:
    """The cases the sharing must keep apart, each with the reference's result: no parent ("none"), a
    parent whose flags are unknown, false or true; so that the table is not vacuous, all four outcomes occur."""
    generated, reference = checkers(tmp_path)
    seen = set()
    for parent, crossed in itertools.product((None, "unit.ly.mz"), (False, True)):
        for flags in ((None, None, None), (True, None, True), (True, True, True), (False, True, True),
                      (True, False, False), (None, True, False)):
            data = copy.deepcopy(BASE)
            for unit in data["units"]:
                unit.update(dict(zip(FLAGS, flags, strict=True)))
            data["units"][0]["parent_unit"] = parent
            data["units"][1]["parent_unit"] = data["units"][0]["id"]  # an `other` for units[0]'s exists
            if crossed:  # unit.ly.rsj (the when's `any` true without reading its parent) after a unit whose
                # parent's flag differs, with an `other` for its exists
                data["units"][2]["parent_unit"] = "unit.ly.mz"
                data["units"][3]["data_return_to_lower"] = True if flags[2] is None else not flags[2]
                data["units"][3]["parent_unit"] = "unit.ly.rsj"
            facts = reference.validate(document(data))
            expected = runs_of(reference.engine.run(facts))
            facts._indexes.clear()
            assert runs_of(generated.engine.run(facts)) == expected, (parent, crossed, flags)
            [(_, _, passed, not_applicable, verdicts)] = expected
            seen |= {"not_applicable"} if not_applicable else set()
            seen |= {"passed"} if passed else set()
            seen |= {status for status, _, _ in verdicts}
    assert seen == {"not_applicable", "passed", "fail", "unknown"}


# -- paths through lists, read by nested loops --------------------------------------------------------------
class Facts:
    def __init__(self, by_id: dict[str, Any]) -> None:
        self.by_id = by_id


STEP = st.builds(Step, name=st.sampled_from(["a", "b"]), deref=st.booleans(), none_semantic=st.booleans(),
                 is_list=st.booleans())
LEAF: st.SearchStrategy[Any] = st.one_of(st.none(), st.sampled_from(["x", "y", "e1", "e2"]))
VALUE = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)),
                     max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=3), value=VALUE,
       e1=st.dictionaries(st.sampled_from(["a", "b"]), VALUE, max_size=2),
       e2=st.dictionaries(st.sampled_from(["a", "b"]), VALUE, max_size=2))
def test_a_path_through_lists_reads_what_the_reference_reads(steps: list[Step], value: Any, e1: Any,
                                                             e2: Any) -> None:
    path = Path("it", tuple(steps), FieldType("list", item=FieldType("str")), "it.path", mapped=True)
    helpers: list[str] = []
    name = Emitter({}, None, helpers).mapped_reader(path)
    scope: dict[str, Any] = {"ABSENT": ABSENT}
    exec("\n".join(helpers), scope)
    by_id = {"e1": e1, "e2": e2}
    try:
        expected: Any = compile_path(path)({"it": value}, Facts(by_id), None)  # type: ignore[arg-type]
    except (AttributeError, TypeError) as e:  # a value that is no mapping where a field is read
        expected = type(e)
    try:
        got: Any = scope[name](value, by_id)
    except (AttributeError, TypeError) as e:
        got = type(e)
    assert got == expected


# -- indexes built without the reference's key functions ---------------------------------------------------
KEY = st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"]))
ITEMS = st.lists(st.fixed_dictionaries({"f": st.one_of(KEY, st.lists(KEY, max_size=4))}), max_size=8)


def fact_base(items: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> FactBase:
    return FactBase("<test>", {"as_of": None}, {"things": items}, dict(extra or {}), None)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(items=ITEMS, contains=st.booleans())
def test_an_index_by_one_field_is_the_one_factbase_builds(items: list[dict[str, Any]], contains: bool) -> None:
    items = [i for i in items if isinstance(i["f"], list) == contains]  # a contains index is over a list field
    expected = fact_base(items).index("things", "n", plain_keys("f", contains))
    assert index_field(fact_base(items), ("things", "n"), "f", contains) == expected


@settings(max_examples=300, deadline=None)
@given(items=st.lists(st.fixed_dictionaries({"r": st.sampled_from([None, "e1", "e2"])}), max_size=8),
       e1=st.sampled_from([None, "k1", "k2"]), e2=st.sampled_from([None, "k1", "k2"]))
def test_an_index_by_a_path_through_a_reference_is_the_one_factbase_builds(items: list[dict[str, Any]],
                                                                            e1: Any, e2: Any) -> None:
    # it.r.f: r a reference whose null means "none" (no key), f a nullable field (a null key is unknown)
    path = Path("it", (Step("r", none_semantic=True), Step("f", deref=True)), FieldType("str"), "it.r.f")
    by_id = {"e1": {"id": "e1", "f": e1}, "e2": {"id": "e2", "f": e2}}
    expected = fact_base(items, by_id).index("things", "eq:it.r.f", keys_function("it", compile_path(path), False)(
        fact_base(items, by_id)))
    helpers: list[str] = []
    emitter = Emitter({}, None, helpers)
    emitter.prefix = "t"
    emitter.shapes = type("NoShapes", (), {"collection": staticmethod(lambda name: None)})()
    name = emitter.index_builder(("things", "eq:it.r.f"), "it", path, False)
    scope: dict[str, Any] = {"ABSENT": ABSENT}
    exec("\n".join(helpers), scope)
    assert scope[name](fact_base(items, by_id), ("things", "eq:it.r.f")) == expected


# -- a for_each list inside a binding, joined to it: scanned when short, looked up in its index when long --
INNER_JOIN_RULE = """\
for_each: {project: projects, component: project.components}
when: {component.platform.owner: {eq: $project.unit}}
require: {component.platform.unified: {eq: false}}
"""
PLATFORMS = [p["id"] for p in BASE["platforms"]]


@settings(max_examples=max(EXAMPLES, 60), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(size=st.sampled_from([0, 1, 5, SCANNED, SCANNED + 1, SCANNED + 9]), unit=st.sampled_from(UNITS),
       draw=st.data())
def test_a_joined_list_inside_a_binding_gives_the_references_bindings(tmp_path: Any, size: int, unit: str,
                                                                     draw: st.DataObject) -> None:
    platforms = draw.draw(st.lists(st.sampled_from(PLATFORMS), min_size=size, max_size=size))
    rules = write_rule(tmp_path, INNER_JOIN_RULE)
    generated = Checker([rules], include_default_rules=False)
    reference = Checker([rules], include_default_rules=False, engine="reference")
    data = copy.deepcopy(BASE)
    project = data["projects"][0]
    project["unit"] = unit
    project["components"] = [{"kind": "business_application", "mode": "build_own", "platform": p}
                             for p in platforms]
    facts = reference.validate(document(data))
    expected = runs_of(reference.engine.run(facts))
    facts._indexes.clear()
    assert runs_of(generated.engine.run(facts)) == expected
    source = generated.engine.source_of("art17-test-rule")
    assert f"<= {SCANNED}:" in source and ".candidates(" in source  # both ways are in the code
