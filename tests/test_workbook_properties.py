"""Property: any schema-valid submission (tests/strategies.py: fixtures, examples and rule examples, mutated)
written to a workbook reads back to the same validated data, and checks to the same findings."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from strategies import EXAMPLES, document, submissions
from test_workbook_roundtrip import _without_locations, same_facts

from egov_rules import Checker
from egov_rules.input.load import load_document
from egov_rules.input.validate import validate_document
from egov_rules.input.xlsx_template import write_template

CHECKER = Checker()


def _validated(doc: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = validate_document(doc).model_dump(mode="json", warnings=False)
    return dumped


def _has_empty_text(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_empty_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_empty_text(v) for v in value)
    return isinstance(value, str) and not value.strip()


def _findings(doc: Any) -> list[tuple[str, str, str, str]]:
    result = CHECKER.check_document(doc)
    assert result.error is None, result.error.render()
    return sorted((f.rule, f.pointer, f.severity, _without_locations(f.message["zh"])) for f in result.findings)


@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=submissions())
def test_a_valid_submission_survives_the_workbook(base: dict[str, Any]) -> None:
    # an empty text is a blank cell, which the reader rightly calls missing (docs/workbook.md): such a
    # submission (a rule example has duty_basis: "") has no workbook form to survive in
    assume(not _has_empty_text(base))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.xlsx"
        write_template(str(path), "zh", base)
        book = load_document(path)
    original = document(base)
    assert same_facts(_validated(book)) == same_facts(_validated(original))
    if CHECKER.check_document(original).error is None:  # "nothing to check" is an input error for both
        assert _findings(book) == _findings(original)
