"""Art 46 item mapping and the 'nothing to check' guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_rules.check import Checker
from egov_rules.errors import InputError
from egov_rules.load import load_bytes
from egov_rules.sanctions import art46_status

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def test_threshold_items_need_an_impact_fact() -> None:
    assert art46_status(4, None, "violation") == "potential"
    assert art46_status(4, True, "violation") == "applicable"
    assert art46_status(1, 120000.0, "violation") == "applicable"
    assert art46_status(3, None, "violation") == "applicable"
    assert art46_status(3, None, "warning") == "potential"


def test_item_7_is_dropped_when_a_specific_item_applies(checker: Checker) -> None:
    result = checker.check_path(ROOT / "fixtures" / "11_municipal_sharing_refusals.yaml", raise_errors=True)
    sharing = ("art31-sharing-request", "art31-unit-sharing-request")  # project and unit-review variants
    items = [dict(f.art46) for f in result.findings if f.rule.startswith(sharing)]
    assert any(d.get(4) == "applicable" and 7 not in d for d in items)
    assert any(d.get(4) == "potential" and d.get(7) == "applicable" for d in items)


def test_a_submission_with_nothing_to_check_is_an_input_error(checker: Checker) -> None:
    text = b"submission: {id: x, as_of: 2016-01-01, kind: unit_review}\nunits: []\n"
    with pytest.raises(InputError) as info:
        checker.check_document(load_bytes(text, "empty.yaml"), raise_errors=True)
    assert "nothing to check" in info.value.message and info.value.line == 1
