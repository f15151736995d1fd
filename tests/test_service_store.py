"""Invariants of the store, over random data (hypothesis): unit scope lets a user see exactly the reviews
that concern one of their units, and a diff splits two versions' findings into new, fixed and unchanged."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_rules.service.auth import User
from egov_rules.service.db import Database, upgrade
from egov_rules.service.store import (
    CheckedSubmission,
    Forbidden,
    RulebookFiles,
    diff_versions,
    list_reviews,
    save_review,
)

UNITS = ["unit.a", "unit.b", "unit.c", "unit_d%"]  # '_' and '%' must not act as LIKE wildcards anywhere
RULEBOOK = RulebookFiles("0" * 64, "test", {"0/r.yaml": "rules: []\n"})
ALL = User(1, "all", "reviewer", None)
COUNTER = itertools.count()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('store') / 'db.sqlite3'}")
    upgrade(database)
    yield database
    database.dispose()


def checked(submission_id: str, units: set[str], fingerprints: list[str]) -> CheckedSubmission:
    findings = [{"fingerprint": fp, "rule": f"rule-{fp}", "article": 17, "severity": "violation",
                 "subject": {"type": "project", "id": "prj.x"}, "title": fp} for fp in fingerprints]
    report = {"submissions": [{"findings": findings, "decisions": [{"project": "prj.x", "stage": "proposal",
                                                                    "outcome": "allow"}],
                               "summary": {}}]}
    return CheckedSubmission(b"x", "x.yaml", "yaml", None, "en", "0", RULEBOOK, report, json.dumps(report),
                             submission_id, units, [])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reviews=st.lists(st.sets(st.sampled_from(UNITS), max_size=3), min_size=1, max_size=6),
       scope=st.sets(st.sampled_from(UNITS), max_size=3))
def test_a_user_sees_exactly_the_reviews_of_their_units(db: Database, reviews: list[set[str]],
                                                        scope: set[str]) -> None:
    run = next(COUNTER)
    ids = {}
    with db.write() as session:
        for i, units in enumerate(reviews):
            ids[save_review(session, ALL, checked(f"scope-{run}-{i}", units, []))[0]] = units
    user = User(2, "u", "finance", frozenset(scope))
    with db.read() as session:
        seen = {r["id"] for r in list_reviews(session, user, per_page=200)["items"]} & set(ids)
        for unit in UNITS:
            filtered = {r["id"] for r in list_reviews(session, user, unit=unit, per_page=200)["items"]} & set(ids)
            assert filtered == {rid for rid, units in ids.items() if unit in units and units & scope}
    assert seen == {rid for rid, units in ids.items() if units & scope}


def test_saving_outside_the_scope_is_refused(db: Database) -> None:
    user = User(3, "r", "reviewer", frozenset({"unit.a"}))
    with pytest.raises(Forbidden), db.write() as session:
        save_review(session, user, checked("outside", {"unit.b"}, []))
    with db.read() as session:
        assert not [r for r in list_reviews(session, ALL, per_page=200)["items"] if r["submission_id"] == "outside"]


FINGERPRINTS = st.lists(st.sampled_from([f"fp{i}" for i in range(8)]), unique=True, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=FINGERPRINTS, after=FINGERPRINTS)
def test_diff_partitions_the_findings(db: Database, before: list[str], after: list[str]) -> None:
    sid = f"diff-{next(COUNTER)}"
    with db.write() as session:
        rid, v1 = save_review(session, ALL, checked(sid, {"unit.a"}, before))
        _, v2 = save_review(session, ALL, checked(sid, {"unit.a"}, after))
    with db.read() as session:
        d = diff_versions(session, ALL, rid, v1, v2)
    new, fixed, same = ({f["fingerprint"] for f in d[k]} for k in ("new", "fixed", "unchanged"))
    assert new | same == set(after) and fixed | same == set(before)
    assert not (new & same) and not (fixed & same) and not (new & fixed)
    assert (v1, v2) == (1, 2)


def test_rulebook_files_round_trip(tmp_path: Path) -> None:
    from egov_rules.rules.rulebook import load_rulebook

    rb = load_rulebook()
    files = RulebookFiles.of(rb)
    assert RulebookFiles.unpack(files.packed()) == files.files
    rebuilt = load_rulebook(files.write_to(tmp_path), include_default=False)
    assert (rebuilt.sha256, rebuilt.version, rebuilt.ids()) == (rb.sha256, rb.version, rb.ids())
