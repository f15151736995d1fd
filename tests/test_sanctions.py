"""Art 46 item mapping and the 'nothing to check' guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_rules.check import Checker
from egov_rules.decisions.sanctions import art46_status
from egov_rules.errors import InputError
from egov_rules.input.load import load_bytes

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


def test_a_late_filed_programme_needs_review_with_its_reason(checker: Checker) -> None:
    """Issue 11 point 10: Art 13 breached, Art 44 class A cannot apply as written to work already done."""
    result = checker.check_path(ROOT / "fixtures" / "19_programme_filed_after_start.yaml", raise_errors=True)
    [finding] = [f for f in result.findings if f.rule == "art13-implemented-before-filing"]
    assert finding.art44_class == "A-review" and finding.severity == "violation"
    [decision] = result.decisions
    assert decision.outcome == "needs_review" and not decision.blocks
    assert decision.reasons == {finding.fingerprint: "a_review"}
    assert decision.conditional == ["not_implemented"]


def test_sharing_refusals_reach_the_projects_decision(checker: Checker) -> None:
    """Issue 11 point 2 (articles.md §3.2: 27, 31 → 44B-review)."""
    result = checker.check_path(ROOT / "fixtures" / "20_county_sharing_refusals.yaml", raise_errors=True)
    [decision] = result.decisions
    assert decision.outcome == "needs_review"
    reviewed = {f.rule for f in result.findings if f.fingerprint in decision.review}
    assert {"art31-sharing-request-refused-without-basis", "art31-sharing-request-unanswered",
            "art31-refused-on-secrecy-alone", "art27-sensitive-resource-shared-without-conditions"} <= reviewed
    assert set(decision.reasons.values()) == {"b_review"}
