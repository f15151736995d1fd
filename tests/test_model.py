"""The fact model (egov_rules.input.model) and the validate stage (egov_rules.input.validate).

Three layers: the models mirror the normative JSON Schema structurally (field by field); errors come out in plain
words at the right file position; and a differential property test mutates the shared examples and checks that
the models accept exactly what ``Draft202012Validator`` accepts.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, ValidationError

from egov_rules.errors import InputError, InputErrors
from egov_rules.input.load import Document, load_bytes, load_document
from egov_rules.input.model import ENTITY_MODELS, MODEL_NODES, Submission
from egov_rules.input.model_fields import NotNull, Unique
from egov_rules.input.schema_nodes import COLLECTIONS, REFERENCES, normative_schema, schema_node
from egov_rules.input.validate import schema_json, validate_document, validate_models
from egov_rules.input.validate_words import FieldError

SHARED = Path(__file__).resolve().parents[1] / "vendor"
EXAMPLES = sorted(p for p in (SHARED / "spec" / "examples").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
assert EXAMPLES, "vendored spec examples missing (vendor/spec/examples)"


def needs_shared(fn: Any) -> Any:  # kept as a no-op marker: the examples are vendored, never skipped
    return fn

VALIDATOR = Draft202012Validator(normative_schema(), format_checker=FormatChecker())

# A small document that switches on every if/then rule of the schema, so deleting the key each rule
# requires must fail.  Tests edit it as text so that positions can be checked.
MINIMAL = """\
submission:
  id: sub.min
  as_of: 2016-09-20
  kind: project_proposal
authorities:
  - {id: auth.egov, kind: egov_dept, level: provincial, region: {province: Fujian}}
  - {id: auth.city, kind: city_gov, level: municipal, region: {province: Fujian, city: Longyan}}
units:
  - id: unit.qz.wjw
    type: state_organ
    level: county
    region: {province: Fujian, city: Longyan, county: Changting}
    urban_rural_mgmt_role: true
    separate_grid_team: false
technical_service_units:
  - {id: tsu.v, basis: agreement, contract: ctr.1}
contracts:
  - {id: ctr.1, unit: unit.qz.wjw, tsu: tsu.v, type: om, data_ownership: state, sla_defined: true, emergency_backup_cooperation: true}
plans:
  - id: plan.city
    kind: city_development_plan
    owner: auth.city
    approved_by: auth.city
    published_date: 2015-12-20
    filing: {filed_with: auth.egov, filed_date: 2015-11-30}
approvals:
  - {id: appr.1, kind: data_centre, subject: plat.dc, scope: new, issuer: auth.egov, decision: approved, date: 2016-01-10}
platforms:
  - {id: plat.dc, kind: data_centre, unified: true, owner: auth.egov, level: provincial, region: {province: Fujian}, status: in_service}
  - {id: plat.net, kind: egov_network, unified: true, owner: auth.egov, level: provincial, region: {province: Fujian}, status: in_service}
projects:
  - id: prj.1
    unit: unit.qz.wjw
    stage: proposal
    implementation_start: null
    delivery_model: self_build
    contract: ctr.1
    budget: {construction_cny: 100000, om_cny_per_year: 1000.5}
    plan_refs: [plan.city]
    programme_ref: null
    central_deployed: true
    incorporated_in_digital_fujian: true
    conforms_overall_framework: true
    declared_standards: []
    standards_deviations: []
    network: plat.net
    hosting: {data_centre: plat.dc, backup_centre: null}
    components:
      - {kind: data_centre, mode: use_unified, platform: plat.dc}
    inter_unit_sharing: false
    sharing_via: null
    business_software: []
    central_vertical: {uses: true, docked_with_provincial_dc: true, local_data_storage: true, sharing_mechanism: true}
    grid_connected: true
    security_system_per_plan: true
    correction_deletion_channel: true
    emergency_plan: {tsu_cooperation: true}
    backup_recovery_drill: true
    information_systems: [sys.1]
    collection_items: []
    services: []
    impact: {}
    severity: null
information_systems:
  - id: sys.1
    project: prj.1
    secret_involved: true
    mlps_level: null
    fenji_level: secret
    accesses_shared_sensitive: [res.1]
    access_audit: {enabled: true, logs_submitted_to_provider: true}
info_resources:
  - {id: res.1, owner_unit: unit.qz.wjw, title: T, elements: [person.name], available: true, sharing_type: not_shared, not_shared_basis: law, published_on_exchange: true, published_on_platform: true, sensitive: true, open_type: not_open}
sharing_requests:
  - {id: sr.1, requester_unit: unit.qz.wjw, provider_unit: unit.qz.wjw, resource: res.1, duty_basis: x, requested_date: 2016-06-01, deadline_days: 10, response: refused, refusal_basis: none}
tsu_evaluations:
  - {id: ev.1, unit: unit.qz.wjw, tsu: tsu.v, period: "2015", date: 2016-01-20, result: satisfactory}
"""  # noqa: E501


def load(text: str) -> Document:
    return load_bytes(text.encode(), "sub.yaml")


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"edit target {old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def errors_of(text: str, **kw: Any) -> list[InputError]:
    with pytest.raises(InputErrors) as info:
        validate_document(load(text), **kw)
    errs = info.value.errors
    assert all(isinstance(e, InputError) for e in errs)
    return errs  # type: ignore[return-value]


def by_field(errs: list[InputError], field: str) -> InputError:
    found = [e for e in errs if e.field == field]
    assert found, f"no error for {field}: {[e.render() for e in errs]}"
    return found[0]


def schema_accepts(data: Any) -> bool:
    return VALIDATOR.is_valid(data)


def models_accept(data: Any) -> bool:
    try:
        validate_models(data)
    except ValidationError:
        return False
    return True


# ------------------------------------------------------------------------------------------ valid documents


def test_minimal_document_is_valid_for_both() -> None:
    doc = load(MINIMAL)
    assert schema_accepts(doc.data)
    sub = validate_document(doc)
    assert sub.submission.as_of == dt.date(2016, 9, 20)
    assert sub.tsu_evaluations[0].period == 2015  # "YYYY" normalised to int
    assert sub.projects[0].budget.om_cny_per_year == 1000.5
    assert sub.projects[0].implementation_start is None
    assert sub.units[0].parent_unit is None  # left out = null
    assert sub.services == [] and sub.open_directory == []  # left-out top-level lists are empty


@needs_shared
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shared_examples_validate_unchanged(path: Path) -> None:
    doc = load_document(path)
    original = copy.deepcopy(doc.data)
    assert schema_accepts(doc.data)
    sub = validate_document(doc)
    assert doc.data == original  # validation never edits the loaded data
    assert len(list(sub.entities())) == sum(len(doc.data.get(c, [])) for c in COLLECTIONS)


def test_period_forms() -> None:
    for value, expected in (("2015", 2015), (2015, 2015), ("0999", 999), (1000, 1000), (9999, 9999)):
        text = edit('period: "2015"', f"period: {value!r}".replace("'", '"'))
        assert validate_document(load(text)).tsu_evaluations[0].period == expected
    for bad in ("15", "20155", "999", "10000", "true", "2015.5", '"2015 "', '"2015.0"'):
        errs = errors_of(edit('period: "2015"', f"period: {bad}"))
        assert by_field(errs, "/tsu_evaluations/0/period").message.startswith("expected a year")


# ---------------------------------------------------------------------------------------- error reporting


def test_typo_in_top_level_key_names_key_line_and_suggestion() -> None:
    text = edit("\nunits:", "\nunitz:")
    err = by_field(errors_of(text), "/unitz")
    assert err.message == "unknown field 'unitz'"
    assert err.suggestion == "units"
    assert (err.line, err.column) == (line_of(text, "unitz:"), 1)
    assert err.file == "sub.yaml"
    assert "did you mean 'units'?" in err.render()


def test_typo_in_nested_key_points_at_the_key() -> None:
    text = edit("    stage: proposal", "    stgae: proposal")
    errs = errors_of(text)
    unknown = by_field(errs, "/projects/0/stgae")
    assert unknown.message == "unknown field 'stgae'" and unknown.suggestion == "stage"
    assert (unknown.line, unknown.column) == (line_of(text, "stgae:"), 5)
    missing = by_field(errs, "/projects/0/stage")  # reported at the project mapping
    assert missing.message == "missing required field 'stage'"
    assert (missing.line, missing.column) == (line_of(text, "- id: prj.1"), 5)
    assert [(e.line, e.column) for e in errs] == sorted((e.line, e.column) for e in errs)


def test_typo_in_submission_block_suggests_its_fields() -> None:
    err = by_field(errors_of(edit("  kind: project_proposal", "  kind: project_proposal\n  nmae: x")),
                   "/submission/nmae")
    assert err.suggestion == "name"


def test_wrong_enum_value_lists_choices_and_suggests() -> None:
    text = edit("stage: proposal", "stage: proposl")
    err = by_field(errors_of(text), "/projects/0/stage")
    assert err.message.startswith("expected one of: planning, proposal, approved,")
    assert "got the string 'proposl'" in err.message
    assert err.suggestion == "proposal"
    assert (err.line, err.column) == (line_of(text, "stage: proposl"), 12)


def test_nullable_enum_says_null_is_allowed() -> None:
    err = by_field(errors_of(edit("severity: null", "severity: grave")), "/projects/0/severity")
    assert err.expected == "one of: normal, serious (or null)"


def test_yes_is_not_a_bool() -> None:
    text = edit("urban_rural_mgmt_role: true", "urban_rural_mgmt_role: yes")
    err = by_field(errors_of(text), "/units/0/urban_rural_mgmt_role")
    assert err.message == "expected true or false, got the string 'yes'"
    assert err.expected == "true or false"
    rendered = err.render()
    assert rendered.startswith(f"sub.yaml:{line_of(text, 'urban_rural_mgmt_role')}:28: invalid input: ")
    assert rendered.count("expected") == 1 and "pydantic" not in rendered and "http" not in rendered


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("urban_rural_mgmt_role: true", 'urban_rural_mgmt_role: "true"', "/units/0/urban_rural_mgmt_role",
         "expected true or false, got the string 'true'"),
        ("urban_rural_mgmt_role: true", "urban_rural_mgmt_role: 1", "/units/0/urban_rural_mgmt_role",
         "expected true or false, got the number 1"),
        ("deadline_days: 10", 'deadline_days: "5"', "/sharing_requests/0/deadline_days",
         "expected a whole number, got the string '5'"),
        ("deadline_days: 10", "deadline_days: 5.5", "/sharing_requests/0/deadline_days",
         "expected a whole number, got the number 5.5"),
        ("title: T", "title: 5", "/info_resources/0/title",
         "expected a string, got the number 5 (quote it to make it a string)"),
        ("construction_cny: 100000", 'construction_cny: "100000"', "/projects/0/budget/construction_cny",
         "expected a number, got the string '100000'"),
        ("construction_cny: 100000", "construction_cny: -1", "/projects/0/budget/construction_cny",
         "expected a number of at least 0, got the number -1"),
        ("mlps_level: null", "mlps_level: 6", "/information_systems/0/mlps_level",
         "expected a number of at most 5, got the number 6"),
        ("mlps_level: null", "mlps_level: false", "/information_systems/0/mlps_level",
         "expected a whole number or null, got false"),
        ("elements: [person.name]", "elements: []", "/info_resources/0/elements",
         "expected at least 1 item, got an empty list"),
        ("elements: [person.name]", "elements: [Person.Name]", "/info_resources/0/elements/0",
         "expected a data element code: lower-case dotted words such as person.id_number, "
         "got the string 'Person.Name'"),
        ("id: sub.min", "id: 'sub min'", "/submission/id",
         "expected an id: 1-128 characters from A-Z a-z 0-9 . _ : - starting with a letter or digit, "
         "got the string 'sub min'"),
        ("region: {province: Fujian}}\n  - {id: auth.city", "region: {province: ''}}\n  - {id: auth.city",
         "/authorities/0/region/province", "expected a non-empty string, got an empty string"),
        ("urban_rural_mgmt_role: true", "urban_rural_mgmt_role: null", "/units/0/urban_rural_mgmt_role",
         "expected true or false, got null (leave the field out when it is unknown)"),
        ("impact: {}", "impact: []", "/projects/0/impact", "expected a mapping, got an empty list"),
        ("declared_standards: []", "declared_standards: x", "/projects/0/declared_standards",
         "expected a list, got the string 'x'"),
    ],
)
def test_no_coercion_and_plain_words(old: str, new: str, field: str, message: str) -> None:
    text = edit(old, new)
    assert not schema_accepts(load(text).data)
    err = by_field(errors_of(text), field)
    assert err.message == message


def test_invalid_calendar_date() -> None:
    text = edit("as_of: 2016-09-20", "as_of: 2016-02-30")
    err = by_field(errors_of(text), "/submission/as_of")
    assert err.message == "'2016-02-30' is not a real calendar date"
    assert (err.line, err.column) == (3, 10)
    assert validate_document(load(edit("as_of: 2016-09-20", "as_of: 2016-02-29"))).submission.as_of.day == 29
    for bad in ("2016-9-20", "20160920", "2016-09-20T00:00:00", "16-09-20", "2015-02-29", "0000-01-01"):
        assert not schema_accepts(load(edit("as_of: 2016-09-20", f"as_of: {bad}")).data)
        errors_of(edit("as_of: 2016-09-20", f"as_of: {bad}"))


def test_integral_numbers_are_integers_as_in_json_schema() -> None:
    text = edit("deadline_days: 10", "deadline_days: 10.0")
    assert schema_accepts(load(text).data)
    value = validate_document(load(text)).sharing_requests[0].deadline_days
    assert value == 10 and type(value) is int
    text = edit('period: "2015"', "period: 2015.0")
    assert schema_accepts(load(text).data) and validate_document(load(text)).tsu_evaluations[0].period == 2015


def test_dates_must_be_strings() -> None:
    data = load(MINIMAL).data
    data["submission"]["as_of"] = dt.date(2016, 9, 20)  # the loader never produces these; no silent pass
    assert not models_accept(data)


def test_duplicate_id_across_two_lists_names_both_places() -> None:
    text = edit("  - id: sys.1\n", "  - id: res.1\n")
    text = edit("information_systems: [sys.1]", "information_systems: [res.1]", text)
    assert schema_accepts(load(text).data)  # JSON Schema cannot see this; the document stage does
    errs = errors_of(text)
    err = by_field(errs, "/info_resources/0/id")
    first = line_of(text, "  - id: res.1")
    assert err.message == f"duplicate id 'res.1': already used at /information_systems/0/id (line {first}, column 9)"
    assert err.line == line_of(text, "{id: res.1,")


def test_dangling_reference_suggests_closest_id() -> None:
    text = edit("  - id: prj.1\n    unit: unit.qz.wjw", "  - id: prj.1\n    unit: unit.qz.wj")
    err = by_field(errors_of(text), "/projects/0/unit")
    assert err.message == "'unit.qz.wj' does not name any entity"
    assert err.suggestion == "unit.qz.wjw"
    assert err.expected == "the id of a unit"
    assert "'unit.qz.wj' does not name any entity; did you mean 'unit.qz.wjw'?" in err.render()
    assert (err.line, err.column) == (text.splitlines().index("    unit: unit.qz.wj") + 1, 11)


def test_mistyped_reference() -> None:
    text = edit("network: plat.net", "network: unit.qz.wjw")
    err = by_field(errors_of(text), "/projects/0/network")
    assert err.message == "'unit.qz.wjw' is a unit, but this field must name a platform"
    text = edit("subject: plat.dc", "subject: ctr.1")
    err = by_field(errors_of(text), "/approvals/0/subject")
    assert err.message == "'ctr.1' is a contract, but this field must name a platform or a project"


def test_nested_and_list_references() -> None:
    errs = errors_of(edit("{kind: data_centre, mode: use_unified, platform: plat.dc}",
                          "{kind: data_centre, mode: use_unified, platform: plat.x}"))
    assert by_field(errs, "/projects/0/components/0/platform").message == "'plat.x' does not name any entity"
    errs = errors_of(edit("filed_with: auth.egov", "filed_with: unit.qz.wjw"))
    assert by_field(errs, "/plans/0/filing/filed_with").message.endswith("must name an authority")
    errs = errors_of(edit("plan_refs: [plan.city]", "plan_refs: [plan.city, plan.cty]"))
    assert by_field(errs, "/projects/0/plan_refs/1").suggestion == "plan.city"


def test_units_under_review_references() -> None:
    base = "  kind: project_proposal\n"
    errs = errors_of(edit(base, base + "  units_under_review: [unit.qz.wjw, plat.dc, unit.zz]\n"))
    assert by_field(errs, "/submission/units_under_review/1").message == (
        "'plat.dc' is a platform, but this field must name a unit"
    )
    assert by_field(errs, "/submission/units_under_review/2").message == "'unit.zz' does not name any entity"
    errs = errors_of(edit(base, base + "  units_under_review: [unit.qz.wjw, unit.qz.wjw]\n"))
    assert by_field(errs, "/submission/units_under_review/1").message.startswith("duplicate item 'unit.qz.wjw'")


def test_errors_survive_pickling() -> None:
    # batch workers send errors back to the parent process
    errs = errors_of(edit("network: plat.net", "network: plat.nt"))
    again = pickle.loads(pickle.dumps(errs))
    assert [e.render() for e in again] == [e.render() for e in errs]
    assert again[0].suggestion == "plat.net"


def test_optional_enum_may_be_left_out_but_not_null() -> None:
    text = edit("    owner: auth.city\n", "    owner: auth.city\n    public_comment: null\n")
    err = by_field(errors_of(text), "/plans/0/public_comment")
    assert err.message == (
        "expected one of: done, not_required, missing, got null (leave the field out when it is unknown)"
    )
    assert validate_document(load(MINIMAL)).plans[0].public_comment is None


def test_trailing_newline_is_not_part_of_a_valid_id() -> None:
    # JSON Schema patterns are ECMA-262 ("$" = end of input).  Python's re (used by the jsonschema package)
    # would let "$" match before a final newline; the models follow the standard.
    data = load(MINIMAL).data
    data["submission"]["id"] = "sub.min\n"
    assert not models_accept(data)


def test_nullable_reference_null_means_none() -> None:
    text = edit("contract: ctr.1\n    budget", "contract: null\n    budget")
    assert validate_document(load(text)).projects[0].contract is None


def test_max_errors_truncates_and_says_so() -> None:
    text = MINIMAL.replace("unit: unit.qz.wjw", "unit: unit.nope")
    errs = errors_of(text, max_errors=2)
    assert len(errs) == 3 and errs[-1].message.endswith("more errors not shown")
    assert len(errors_of(text, max_errors=0)) > 3


# ----------------------------------------------------------------------------------------- if/then rules

IF_THEN = [
    # (rule, edit that breaks it, pointer of the error, further edit that turns the rule's condition off)
    ("tsu agreement needs contract", ("basis: agreement, contract: ctr.1", "basis: agreement"),
     "/technical_service_units/0/contract", ("basis: agreement", "basis: duty")),
    ("city plan needs approved_by", ("    approved_by: auth.city\n", ""), "/plans/0/approved_by",
     ("kind: city_development_plan", "kind: overall_framework")),
    ("city plan needs published_date", ("    published_date: 2015-12-20\n", ""), "/plans/0/published_date", None),
    ("city plan needs filing", ("    filing: {filed_with: auth.egov, filed_date: 2015-11-30}\n", ""),
     "/plans/0/filing", None),
    ("dc approval needs scope", ("scope: new, ", ""), "/approvals/0/scope",
     ("kind: data_centre, subject", "kind: acceptance, subject")),
    ("not_shared needs basis", ("not_shared_basis: law, ", ""), "/info_resources/0/not_shared_basis",
     ("sharing_type: not_shared", "sharing_type: conditional")),
    ("refused needs basis", (", refusal_basis: none", ""), "/sharing_requests/0/refusal_basis",
     ("response: refused", "response: granted")),
    ("central_deployed needs incorporated", ("    incorporated_in_digital_fujian: true\n", ""),
     "/projects/0/incorporated_in_digital_fujian", None),
    ("secret_involved needs fenji key", ("    fenji_level: secret\n", ""), "/information_systems/0/fenji_level",
     ("secret_involved: true", "secret_involved: false")),
    ("central_vertical.uses needs docked", ("docked_with_provincial_dc: true, ", ""),
     "/projects/0/central_vertical/docked_with_provincial_dc", ("{uses: true,", "{uses: false,")),
    ("central_vertical.uses needs sharing", (", sharing_mechanism: true", ""),
     "/projects/0/central_vertical/sharing_mechanism", None),
    ("municipal region names city", ("region: {province: Fujian, city: Longyan}}", "region: {province: Fujian}}"),
     "/authorities/1/region/city", ("kind: city_gov, level: municipal", "kind: city_gov, level: provincial")),
    ("municipal region city not null", ("city: Longyan}}", "city: null}}"), "/authorities/1/region/city", None),
    ("county region names county", ("city: Longyan, county: Changting}", "city: Longyan}"),
     "/units/0/region/county", ("    level: county\n", "    level: municipal\n")),
    ("county region names city", ("{province: Fujian, city: Longyan, county: Changting}",
                                   "{province: Fujian, county: Changting}"), "/units/0/region/city", None),
]


@pytest.mark.parametrize(("rule", "breaking", "field", "switch_off"), IF_THEN, ids=[r[0] for r in IF_THEN])
def test_if_then_rules(
    rule: str, breaking: tuple[str, str], field: str, switch_off: tuple[str, str] | None
) -> None:
    text = edit(*breaking)
    assert not schema_accepts(load(text).data), "the normative schema must reject this too"
    err = by_field(errors_of(text), field)
    assert err.message.startswith(("missing field", "null is not allowed"))
    if err.message.startswith("missing"):  # a missing key is reported where it belongs: at its parent mapping
        assert (err.line, err.column) == load(text).locate(field.rsplit("/", 1)[0])
    if switch_off is not None:  # the same key left out is fine once the rule's condition is off
        relaxed = edit(*switch_off, text=text)
        assert schema_accepts(load(relaxed).data)
        validate_document(load(relaxed))


def test_if_then_messages_are_plain() -> None:
    err = by_field(errors_of(edit("basis: agreement, contract: ctr.1", "basis: agreement")),
                   "/technical_service_units/0/contract")
    assert err.message == "missing field 'contract', required when basis is 'agreement' (null if there is none)"


# ------------------------------------------------------------------------------- the models mirror the schema


def _declared(tp: Any, metadata: list[Any]) -> tuple[Any, bool]:
    """(bare type, nullable) of a model field annotation."""
    nullable = False
    while True:
        if get_origin(tp) is Annotated:
            metadata = [*metadata, *tp.__metadata__]
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(tp))
            tp = args[0]
        else:
            break
    if any(isinstance(m, NotNull) for m in metadata):
        nullable = False
    return tp, nullable


def _schema_admits_null(node: dict[str, Any]) -> bool:
    node = _deref(node)
    t = node.get("type")
    return t == "null" or (isinstance(t, list) and "null" in t) or None in node.get("enum", [])


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    defs = normative_schema()["$defs"]
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize("model", list(MODEL_NODES), ids=lambda m: m.__name__)
def test_model_mirrors_schema_node(model: type[BaseModel]) -> None:
    node = schema_node(*MODEL_NODES[model])
    props: dict[str, Any] = node["properties"]
    assert list(model.model_fields) == list(props), "same field names, in schema order"
    assert node.get("additionalProperties") is False and model.model_config.get("extra") == "forbid"
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert required == set(node.get("required", []))
    for name, info in model.model_fields.items():
        tp, nullable = _declared(info.annotation, list(info.metadata))
        prop = _deref(props[name])
        assert nullable == _schema_admits_null(prop), f"{model.__name__}.{name}: nullability"
        enum = [v for v in prop.get("enum", []) if v is not None]
        if enum:
            assert get_origin(tp) is Literal and list(get_args(tp)) == enum, f"{model.__name__}.{name}: enum"
        assert _python_type(tp) == _json_type(prop), f"{model.__name__}.{name}: type"
        if get_origin(tp) is list:
            item = _deref(prop["items"])
            item_tp, _ = _declared(get_args(tp)[0], [])
            assert _python_type(item_tp) == _json_type(item), f"{model.__name__}.{name}[]: type"
            if "enum" in item:
                assert list(get_args(item_tp)) == item["enum"]
            assert ("uniqueItems" in prop) == any(isinstance(m, Unique) for m in info.metadata)


def _python_type(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return "enum"
    if get_origin(tp) is list:
        return "array"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "object"
    return {bool: "boolean", str: "string", int: "integer", float: "number", dt.date: "date"}[tp]


def _json_type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return "enum"
    if "anyOf" in node:  # tsu_evaluation.period: "YYYY" or an integer, normalised to int
        return "integer"
    types_ = node["type"] if isinstance(node["type"], list) else [node["type"]]
    (kind,) = [t for t in types_ if t != "null"]
    return "date" if node.get("format") == "date" else kind


def test_root_mirrors_schema() -> None:
    schema = normative_schema()
    assert list(Submission.model_fields) == list(schema["properties"])
    assert [n for n, f in Submission.model_fields.items() if f.is_required()] == schema["required"]
    for name, model in ENTITY_MODELS.items():
        assert model.__doc__ and model.__doc__.strip() == schema["$defs"][name]["description"]


def test_every_schema_object_has_a_model() -> None:
    mirrored = {(d, p) for d, p in MODEL_NODES.values()}

    def walk(def_name: str, node: dict[str, Any], path: str) -> None:
        if "$ref" in node and path:  # a shared object definition (region) has its own model
            target = node["$ref"].rsplit("/", 1)[-1]
            if _deref(node).get("type") == "object":
                assert (target, "") in mirrored, f"no model for {target}"
            return
        if node.get("type") == "object" and "properties" in node:
            assert (def_name, path) in mirrored, f"no model for {def_name} {path}"
            for key, sub in node["properties"].items():
                walk(def_name, sub, f"{path}.{key}" if path else key)
        elif node.get("type") == "array":
            walk(def_name, node["items"], f"{path}[]")

    defs = normative_schema()["$defs"]
    for name in ("submission", *COLLECTIONS.values()):
        walk(name, defs[name], "")


def test_references_table() -> None:
    assert REFERENCES[("project", "hosting.data_centre")] == ("platforms",)
    assert REFERENCES[("project", "plan_refs[]")] == ("plans",)
    assert REFERENCES[("submission", "units_under_review[]")] == ("units",)
    assert REFERENCES[("inspection", "subject")] == ("units", "technical_service_units")
    assert REFERENCES[("apps_services_directory_entry", "unit_registrations[].unit")] == ("units",)
    assert COLLECTIONS["units"] == "unit"
    assert COLLECTIONS["apps_services_directory"] == "apps_services_directory_entry"
    assert len(COLLECTIONS) == 20 and set(COLLECTIONS.values()) <= set(ENTITY_MODELS)
    for (def_name, path), targets in REFERENCES.items():
        assert set(targets) <= set(COLLECTIONS)
        tp: Any = ENTITY_MODELS[def_name]
        for part in path.split("."):
            tp, _ = _declared(tp.model_fields[part.removesuffix("[]")].annotation, [])
            if part.endswith("[]"):
                assert get_origin(tp) is list
                tp, _ = _declared(get_args(tp)[0], [])
        assert tp is str, f"{def_name}.{path} keeps its string id"


def test_schema_json() -> None:
    schema = schema_json()
    Draft202012Validator.check_schema(schema)
    assert schema["title"] == normative_schema()["title"] and schema["description"]
    defs = schema["$defs"]
    assert defs["Hosting"]["properties"]["data_centre"]["x-ref"] == ["platforms"]
    assert defs["Project"]["properties"]["plan_refs"]["items"]["x-ref"] == ["plans"]
    assert defs["Inspection"]["properties"]["subject"]["x-ref"] == ["units", "technical_service_units"]
    assert "allOf" in defs["Unit"] and "allOf" in defs["CentralVertical"]
    assert "default" not in defs["Platform"]["properties"]["in_apps_services_directory"]
    generated = Draft202012Validator(schema, format_checker=FormatChecker())
    assert generated.is_valid(load(MINIMAL).data)
    assert not generated.is_valid(load(edit("basis: agreement, contract: ctr.1", "basis: agreement")).data)


_KEYWORDS = ("minimum", "maximum", "pattern", "minLength", "minItems", "uniqueItems", "format", "x-ref", "enum")


def _constraints(node: Any, defs: dict[str, Any], out: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every validation keyword (and its value) in a property schema, following $ref, anyOf and items."""
    while isinstance(node, dict) and "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(node, dict) and "properties" not in node:
        for key in _KEYWORDS:
            if key in node:
                value = node[key]
                out.add((key, repr(sorted(v for v in value if v is not None) if key == "enum" else value)))
        for alt in node.get("anyOf", []):
            _constraints(alt, defs, out)
        if "items" in node:
            _constraints(node["items"], defs, out)
    return out


@pytest.mark.parametrize("model", list(MODEL_NODES), ids=lambda m: m.__name__)
def test_schema_json_keeps_every_constraint(model: type[BaseModel]) -> None:
    generated = schema_json()
    normative = schema_node(*MODEL_NODES[model])["properties"]
    mine = generated["$defs"][model.__name__]["properties"]
    for name, prop in normative.items():
        want = _constraints(prop, normative_schema()["$defs"], set())
        got = _constraints(mine[name], generated["$defs"], set())
        assert want == got, f"{model.__name__}.{name}"


# ----------------------------------------------------------------------------------- differential property


def _property_names(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        out.update(node.get("properties", {}))
        for value in node.values():
            _property_names(value, out)
    elif isinstance(node, list):
        for value in node:
            _property_names(value, out)
    return out


def _enum_values(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict):
        for v in node.get("enum", []):
            if v not in out:
                out.append(v)
        for value in node.values():
            _enum_values(value, out)
    elif isinstance(node, list):
        for value in node:
            _enum_values(value, out)
    return out


KEYS = [*sorted(_property_names(normative_schema(), set())), "stauts", "extra", "Name", "id "]
VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 3, 5, 6, 47, 48, 999, 1000, 2015, 9999, 10000, 1.5, 3.0, -0.5, 1e6,
    "", " ", "yes", "no", "true", "null", "5", "2015", "0999", "20155", "2016-02-29", "2015-02-29", "2016-02-30",
    "2016-2-01", "2016-01-01T00:00:00", "x", "a b", "-x", "Fujian", "unit.ct.mz", "plat.ly.dc", "person.name",
    "Person.Name", "person", "a" * 128, "a" * 129,
    *_enum_values(normative_schema(), []),
    [], ["unit.ct.mz"], ["unit.ct.mz", "unit.ct.mz"], ["id_card", "id_card"], [1], [None], ["person.name"],
    {}, {"province": "Fujian"}, {"province": "Fujian", "city": "Longyan"},
    {"province": "Fujian", "city": "Longyan", "county": "Changting"}, {"uses": True}, {"uses": False},
    {"data_centre": "plat.ly.dc", "backup_centre": None}, {"construction_cny": 1, "om_cny_per_year": 0},
    {"filed_with": None, "filed_date": None}, {"tsu_cooperation": None}, {"x": 1},
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []  # the root stays a mapping (the loader guarantees it)
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for seg in path:
        node = node[seg]
    return node


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    bases = [load_document(p).data for p in EXAMPLES] or [load(MINIMAL).data]
    data = copy.deepcopy(draw(st.sampled_from(bases)))
    log: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        parent, last = _get(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["delete", "add_key", "replace", "replace", "replace", "duplicate", "copy"]))
        if op == "delete":
            del parent[last]
        elif op == "add_key":
            target = _get(data, path) if isinstance(_get(data, path), dict) else parent
            if not isinstance(target, dict):
                continue
            key = draw(st.sampled_from(KEYS))
            target[key] = copy.deepcopy(draw(st.sampled_from(VALUES)))
            log.append(f"add {key}={target[key]!r} at {path}")
            continue
        elif op == "replace":
            parent[last] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif op == "duplicate":  # repeat a list item (ids, enum values, whole entities)
            if not isinstance(parent, list):
                continue
            parent.append(copy.deepcopy(parent[last]))
        elif op == "copy":  # copy one field of a list item onto its sibling
            owner = _get(data, path[:-2]) if len(path) >= 2 else None
            if not (isinstance(owner, list) and isinstance(parent, dict) and len(owner) > 1):
                continue
            sibling = owner[(path[-2] + 1) % len(owner)]
            if isinstance(sibling, dict):
                sibling[last] = copy.deepcopy(parent[last])
        log.append(f"{op} {path} -> {_get(data, path) if op == 'replace' else ''!r}")
    return data, log


GENERATED = Draft202012Validator(schema_json(), format_checker=FormatChecker())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_models_accept_exactly_what_the_normative_schema_accepts(case: tuple[dict[str, Any], list[str]]) -> None:
    data, log = case
    expected = VALIDATOR.is_valid(data)
    event(f"schema accepts: {expected}")  # both outcomes must be common for the test to mean anything
    assert models_accept(data) == expected, (log, [e.message for e in VALIDATOR.iter_errors(data)][:3])
    assert GENERATED.is_valid(data) == expected, log  # and the published schema_json() agrees


def test_model_errors_never_leak_pydantic_text() -> None:
    data = load(MINIMAL).data
    data["projects"][0]["stage"] = 5
    data["units"][0]["level"] = None
    data["bogus"] = 1
    doc = Document("x.yaml", data, {}, {}, "yaml")
    with pytest.raises(InputErrors) as info:
        validate_document(doc)
    for err in info.value.errors:
        assert isinstance(err, FieldError)
        text = err.render()
        assert "Input should" not in text and "pydantic" not in text and "http" not in text
