"""The Python API for embedding (a finance system, a web service): one ``Checker``, many submissions.

It loads the rulebook once, takes dicts, paths and bytes alike, gives the same results from 8 threads as
from one, and keeps submissions apart: nothing of one check shows in the next.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest

import egov_rules
from egov_rules import check as check_mod
from egov_rules.check import Checker, Report, SubmissionResult
from egov_rules.errors import EgovError
from egov_rules.input.load import load_document
from egov_rules.reports import RenderOptions, render
from egov_rules.reports.model import submission_dict

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").glob("*.yaml") if not p.name.endswith(".expected.yaml"))


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def as_json(result: SubmissionResult) -> str:
    assert result.error is None, result.error
    return json.dumps(submission_dict(result, "en"), sort_keys=True, ensure_ascii=False)


def test_checker_is_exported_from_the_package() -> None:
    assert egov_rules.Checker is Checker
    with pytest.raises(AttributeError):
        egov_rules.NoSuchThing  # noqa: B018


def test_the_rulebook_is_loaded_once_for_many_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = check_mod.load_rulebook

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(check_mod, "load_rulebook", counting)
    checker = Checker()
    for path in FIXTURES:
        checker.check_path(path)
        checker.check_data(load_document(path).data)
    assert len(calls) == 1


def test_dicts_paths_and_bytes_give_the_same_findings(checker: Checker) -> None:
    path = ROOT / "fixtures" / "03_collection_outside_catalogue.yaml"
    by_path = checker.check_path(path)
    by_bytes = checker.check_bytes(path.read_bytes(), str(path))
    by_dict = checker.check_data(load_document(path).data, str(path))
    assert by_path.findings and by_path.error is None
    assert as_json(by_path) == as_json(by_bytes)
    # a dict carries no line numbers; everything else is the same
    strip = [(f.rule, f.pointer, f.fingerprint, f.severity, f.message["en"]) for f in by_path.findings]
    assert strip == [(f.rule, f.pointer, f.fingerprint, f.severity, f.message["en"]) for f in by_dict.findings]


def test_input_errors_are_returned_not_raised(checker: Checker) -> None:
    result = checker.check_bytes(b"submission: {id: x}\nprojcts: []\n", "bad.yaml")
    assert result.error is not None and result.error.exit_code == 2
    assert not result.findings
    with pytest.raises(EgovError):
        checker.check_bytes(b"submission: {id: x}\nprojcts: []\n", "bad.yaml", raise_errors=True)


def test_eight_threads_give_the_results_of_one(checker: Checker) -> None:
    inputs = [load_document(p).data for p in FIXTURES]
    expected = [as_json(checker.check_data(copy.deepcopy(d), f"s{i}")) for i, d in enumerate(inputs)]
    failures: list[str] = []

    def work(slot: int) -> None:
        for n in range(50):
            i = (slot * 7 + n) % len(inputs)
            got = as_json(checker.check_data(copy.deepcopy(inputs[i]), f"s{i}"))
            if got != expected[i]:
                failures.append(f"thread {slot} check {n}: submission {i} differs")

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]


def test_submissions_are_isolated(checker: Checker) -> None:
    a = load_document(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").data
    b = load_document(ROOT / "fixtures" / "01_county_compliant.yaml").data
    fresh_b = as_json(Checker(rulebook=checker.rulebook).check_data(copy.deepcopy(b), "b"))
    untouched = copy.deepcopy(a)
    first = checker.check_data(a, "a")
    assert as_json(checker.check_data(copy.deepcopy(b), "b")) == fresh_b  # nothing of a leaks into b
    assert a == untouched  # the caller's data is not changed
    assert as_json(checker.check_data(a, "a")) == as_json(first)  # and checking again changes nothing
    ids_of_a = {e["id"] for coll in a.values() if isinstance(coll, list) for e in coll} - \
        {e["id"] for coll in b.values() if isinstance(coll, list) for e in coll}
    assert not any(f.subject_id in ids_of_a for f in checker.check_data(copy.deepcopy(b), "b").findings)


def test_a_report_of_many_results_renders_deterministically(checker: Checker) -> None:
    results = [checker.check_path(p) for p in FIXTURES]
    one = render(Report(results, checker.rulebook), "json", RenderOptions())
    two = render(Report([checker.check_path(p) for p in FIXTURES], checker.rulebook), "json", RenderOptions())
    assert one == two
    assert len(json.loads(one)["submissions"]) == len(FIXTURES)


def test_the_garbage_collector_is_off_during_a_check_and_as_it_was_after(checker: Checker,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A check pauses the cyclic collector (its objects hold no cycles; full collections would walk them again
    and again) and leaves it as it found it: on after a clean check, an input error or a raised error, off
    when it was off."""
    import gc

    seen: list[bool] = []
    run = checker.engine.run

    def spying(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return run(*args, **kwargs)

    monkeypatch.setattr(checker.engine, "run", spying)
    data = load_document(FIXTURES[0]).data
    assert gc.isenabled()
    checker.check_data(data)
    assert seen == [False] and gc.isenabled()
    assert checker.check_data({"submission": {}}).error is not None and gc.isenabled()
    with pytest.raises(EgovError):
        checker.check_data({"submission": {}}, raise_errors=True)
    assert gc.isenabled()
    gc.disable()
    try:
        checker.check_data(data)
        assert not gc.isenabled()
    finally:
        gc.enable()
