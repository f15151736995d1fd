"""A left-out field is unknown (spec/submission.md "null means unknown"; issue 11 point 5).

Deleting an optional field whose null means "unknown" from a compliant base must never produce a
violation or a warning: only insufficient findings (or none).  Fields whose null the spec defines as
"there is none / has not happened" (filed_date, implementation_start, null references...) are exempt:
leaving them out states a fact."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from egov_rules.check import Checker
from egov_rules.input.factschema import fact_schema
from egov_rules.input.load import load_document
from egov_rules.rules.rulebook import default_rules_dir, load_rulebook

SCHEMA = fact_schema()
COLLECTIONS = SCHEMA.collections


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(rulebook=load_rulebook())


def _required(entity: str) -> set[str]:
    from egov_rules.input.factschema import load_schema_json

    return set(load_schema_json()["$defs"][entity].get("required", ()))


def _deletable(base: dict[str, Any]) -> Iterator[tuple[str, int, str]]:
    """(collection, index, field) of every optional field stated in the base whose null means unknown."""
    for coll, entity in COLLECTIONS.items():
        fields = SCHEMA.entities[entity].fields
        required = _required(entity)
        for i, item in enumerate(base.get(coll) or []):
            for name in item:
                ft = fields.get(name)
                if ft is None or name in required or name in ("name", "notes"):
                    continue
                if ft.null_means_none or (ft.kind == "list" and not ft.nullable):
                    continue
                yield coll, i, name


CASES = [(b, c, i, f) for b in ("county", "provincial")
         for c, i, f in _deletable(load_document(default_rules_dir() / "_bases" / f"{b}.yaml").data)]


def test_the_audit_covers_optional_lists() -> None:
    plan = SCHEMA.entities["plan"].fields
    assert plan["implementation_reports"].nullable and plan["modifications"].nullable
    assert not SCHEMA.entities["project"].fields["components"].nullable  # required: never left out
    assert any(f == "implementation_reports" for _, _, _, f in CASES)


@pytest.mark.parametrize(("base", "coll", "index", "field"), CASES,
                         ids=[f"{b}:{c}[{i}].{f}" for b, c, i, f in CASES])
def test_leaving_out_an_unknown_field_asserts_nothing(checker: Checker, base: str, coll: str, index: int,
                                                      field: str) -> None:
    data = copy.deepcopy(load_document(default_rules_dir() / "_bases" / f"{base}.yaml").data)
    del data[coll][index][field]
    result = checker.check_data(data, f"{base}.yaml", raise_errors=True)
    asserted = [(f.rule, f.severity) for f in result.findings if f.severity != "insufficient"]
    assert not asserted, f"{coll}[{index}].{field} left out gave {asserted}"
