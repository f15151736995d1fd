"""The one-pass check (egov_rules/input/fact_codegen.py) against the pydantic validation it stands in for.

The generated code may only be *more cautious* than pydantic: whatever it accepts, pydantic accepts, with
identical facts (types included: 3.0 is not 3, a date is not its string); whatever it rejects goes to
pydantic, which words the error.  And on valid documents it must actually be used (else it buys nothing).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EXAMPLES, seed_files, seeds, submissions

from egov_rules.check import Checker, _dump
from egov_rules.errors import EgovError
from egov_rules.input.fact_codegen import generate_source
from egov_rules.input.facts import FactBase
from egov_rules.input.fast_facts import fast_facts
from egov_rules.input.load import Document, load_document
from egov_rules.input.validate import validate_document

ROOT = Path(__file__).resolve().parent.parent


def strict_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two fact trees differ, comparing types as well as values (``1 == 1.0 == True`` in Python)."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = strict_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = strict_difference(x, y, f"{path}/{i}")
            if found:
                return found
        return None
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def slow_facts(data: Any) -> FactBase | None:
    doc = Document(source="<t>", data=data, positions={}, key_positions={}, format="data")
    try:
        return FactBase.from_data(_dump(validate_document(doc)), "<t>")
    except EgovError:
        return None


def assert_agrees(data: Any, *, must_accept: bool = False) -> None:
    before = copy.deepcopy(data)
    fast = fast_facts(data, "<t>")
    assert strict_difference(data, before) is None, "the one-pass check changed its input"
    slow = slow_facts(data)
    if fast is None:
        assert not (must_accept and slow is not None), "a valid document fell back to pydantic"
        return
    assert slow is not None, "the one-pass check accepted what pydantic rejects"
    for part in ("submission", "collections", "by_id"):
        assert strict_difference(getattr(fast, part), getattr(slow, part), part) is None


def test_generated_source_is_deterministic() -> None:
    # the same text in every process (frozensets written sorted): it can be cached and compared
    assert generate_source() == generate_source()
    assert "pydantic" not in generate_source()


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_every_seed_file_gives_the_same_facts(path: Path) -> None:
    assert_agrees(load_document(path).data, must_accept=True)


def test_every_rule_example_gives_the_same_facts() -> None:
    docs = seeds()
    assert len(docs) > 100
    for data in docs:
        assert_agrees(data, must_accept=True)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
def test_valid_generated_documents_give_the_same_facts(data: dict[str, Any]) -> None:
    assert_agrees(data, must_accept=True)


# ----------------------------------------------------------------------------- broken documents
HOSTILE = [None, True, False, 0, 1, -1, 2.0, 2.5, -0.5, 1e400, -1e400, math.nan, 1000, 9999, 10000, "", " ",
           "x", "a\n", "unit.a\n", "2016-02-29", "2015-02-29", "2016-2-1", "2016-02-29\n", "0000-01-01", "1999",
           "99999", "yes", "null", [], [None], ["x"], ["x", "x"], {}, {"x": 1}, dt.date(2016, 1, 1),
           ("tuple",), b"bytes", 10**30]


def containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document: (path to a dict or list, key or index)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            out.append((path, key))
            out += containers(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out.append((path, i))
            out += containers(sub, (*path, i))
    return out


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def broken(draw: Any) -> dict[str, Any]:
    """A valid seed with one to three hostile edits anywhere: most are invalid, some still valid."""
    data = copy.deepcopy(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 3))):
        places = containers(data)
        parent_path, key = draw(st.sampled_from(places))
        parent = at(data, parent_path)
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "copy", "wrap"]))
        if action == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "id", "name", "notes", 1, "region", "_pointer"]))] = \
                copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif action == "copy":  # a value from elsewhere: another id, a reference to the wrong kind
            other_path, other_key = draw(st.sampled_from(places))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                parent[key] = copy.deepcopy(at(data, other_path)[other_key])
        elif action == "wrap":
            parent[key] = [parent[key]]
    return data


@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_broken_documents_are_never_accepted_by_the_one_pass_check_alone(data: dict[str, Any]) -> None:
    assert_agrees(data)


@pytest.mark.parametrize("edit", [
    lambda d: d["projects"][0].__setitem__("id", "p.1\n"),  # "$" in a pattern is the very end
    lambda d: d["projects"][0]["budget"].__setitem__("construction_cny", math.inf),
    lambda d: d["projects"][0]["budget"].__setitem__("construction_cny", True),
    lambda d: d["projects"][0].__setitem__("central_deployed", 1),
    lambda d: d["projects"][0].__setitem__("implementation_start", dt.date(2016, 1, 1)),
    lambda d: d["projects"][0].__setitem__("unit", d["projects"][0]["id"]),  # names a project, not a unit
    lambda d: d["projects"].append(copy.deepcopy(d["projects"][0])),  # a duplicate id
    lambda d: d["submission"].__setitem__("units_under_review", ["x", "x"]),
    lambda d: d.__setitem__("units", None),
    # a key the model lacks, named as the tags the facts carry (the merge must not hide it)
    lambda d: d["projects"][0].__setitem__("_pointer", "/projects/0"),
    lambda d: d["projects"][0].__setitem__("_collection", "projects"),
    lambda d: d["projects"][0]["components"][0].__setitem__("_pointer", "/x"),
    lambda d: d["projects"][0]["budget"].__setitem__("extra", 1),
    lambda d: d["submission"].__setitem__("_pointer", "/submission"),
    lambda d: d["projects"][0].pop("id"),  # a required field left out
    lambda d: d["projects"][0].__setitem__("name", None),  # may be left out, but not null
    lambda d: d["projects"][0].__setitem__("central_deployed", True) or d["projects"][0].pop(
        "incorporated_in_digital_fujian", None),  # the schema's if/then
])
def test_pinned_invalid_edits_fall_back(edit: Any) -> None:
    data = copy.deepcopy(load_document(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").data)
    edit(data)
    assert fast_facts(data, "<t>") is None
    assert slow_facts(data) is None


def test_whole_numbers_and_years_convert_as_pydantic_does() -> None:
    data = copy.deepcopy(load_document(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").data)
    data["projects"][0]["budget"]["construction_cny"] = 3  # a number: 3.0
    assert_agrees(data, must_accept=True)
    fast = fast_facts(data, "<t>")
    assert fast is not None and type(fast.collections["projects"][0]["budget"]["construction_cny"]) is float


def test_checker_results_are_the_same_with_and_without_the_one_pass_check(monkeypatch: Any) -> None:
    checker = Checker()
    for path in sorted((ROOT / "fixtures").glob("*.yaml")):
        fast = checker.check_path(path)
        monkeypatch.setattr("egov_rules.check.fast_facts", lambda data, source: None)
        slow = checker.check_path(path)
        monkeypatch.undo()
        assert repr(fast.findings) == repr(slow.findings), path.name
        assert repr(fast.decisions) == repr(slow.decisions)
        assert (fast.error is None) == (slow.error is None)
        if fast.error is not None and slow.error is not None:
            assert fast.error.render() == slow.error.render()


# ------------------------------------------------------------------------------------------ the cache
def run_fresh(code: str, cache_home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": str(ROOT)}
    env.pop("EGOV_RULES_CACHE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


CHECK_ONE = (
    "import sys\n"
    "from egov_rules.input.fast_facts import fast_facts\n"
    "from egov_rules.input.load import load_document\n"
    "facts = fast_facts(load_document('fixtures/02_municipal_own_datacentre.yaml').data, 'x')\n"
    "print(facts is not None and len(facts.by_id), 'pydantic' in sys.modules)\n"
)


def test_a_cold_process_with_the_cache_needs_no_pydantic(tmp_path: Path) -> None:
    first = run_fresh(CHECK_ONE, tmp_path)  # generates from the models (pydantic) and writes the cache
    assert first.endswith("True")
    (cached,) = (tmp_path / "egov-rules").glob("facts-*.code")
    second = run_fresh(CHECK_ONE, tmp_path)
    assert second.endswith("False") and second.split()[0] == first.split()[0] != "False"
    cached.write_bytes(b"\xe3 not marshal data")  # a broken cache is a missed shortcut, then rewritten
    assert run_fresh(CHECK_ONE, tmp_path) == first
    assert cached.read_bytes() != b"\xe3 not marshal data"
