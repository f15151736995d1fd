"""`--registry` on the one-pass check: the same facts, mismatch findings and errors as through pydantic.

Loading the registry, too, checks its files in one pass (pydantic only on a doubt) and locates errors in
each file without building its position maps; both are held here to the way they were done before.

``Checker.prepare`` merges the registry (``augment``), builds the facts in one generated pass and puts the
registry's values over inline copies on the facts (``override_facts``); only when the one-pass check has a
doubt does it validate with pydantic and ``override`` the dumped data, as it always did.  Every document
here goes through both (the slow one forced by a one-pass check that always doubts) and must come out the
same: registries made from every seed document, and hypothesis-made submissions that leave registry
entities out, change inline copies, or reuse a registry id for another kind of entity.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import EXAMPLES, entity_schema, new_value, seed_files, seeds, slots, submissions
from test_fast_facts import strict_difference

from egov_rules import check as check_module
from egov_rules.check import Checker
from egov_rules.errors import EgovError, InputErrors
from egov_rules.input.load import Document, load_document
from egov_rules.input.load_index import IndexedDocument
from egov_rules.input.registry import SUPPORTING, TRUSTED, Registry, _combine, load_registry
from egov_rules.reports.model import submission_dict

ROOT = Path(__file__).resolve().parent.parent
COMPLIANT = ROOT / "fixtures" / "01_county_compliant.yaml"


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


# ------------------------------------------------------------------------------ registries from documents
def registry_part(data: dict[str, Any]) -> dict[str, list[Any]]:
    """What a registry could hold of a document: its authorities and units, and the trusted entities
    (unified platforms only) whose references stay inside that set (entities are dropped until none
    names an id of the document outside it)."""
    ids = {e["id"] for items in data.values() if isinstance(items, list)
           for e in items if isinstance(e, dict) and isinstance(e.get("id"), str)}
    part = {c: list(data.get(c) or []) for c in SUPPORTING}
    part.update({c: [e for e in data.get(c) or [] if c != "platforms" or e.get("unified") is True]
                 for c in TRUSTED})
    while True:
        inside = {e["id"] for items in part.values() for e in items}
        outside = ids - inside
        kept = {c: [e for e in items if c in SUPPORTING or not _names(e, outside)] for c, items in part.items()}
        if kept == part:
            return {c: items for c, items in part.items() if items}
        part = kept


def _names(value: Any, ids: set[str]) -> bool:
    if isinstance(value, dict):
        return any(k != "id" and _names(v, ids) for k, v in value.items())
    if isinstance(value, list):
        return any(_names(v, ids) for v in value)
    return isinstance(value, str) and value in ids


def write_registry(part: dict[str, list[Any]], root: Path) -> Registry | None:
    """The registry in files (one per collection, trusted ones as JSON, the rest YAML); None if it does
    not load (an entity the schema only accepts beside others)."""
    root.mkdir(parents=True, exist_ok=True)
    for coll, items in part.items():
        if coll in TRUSTED:
            (root / f"{coll}.json").write_text(json.dumps({coll: items}, ensure_ascii=False, default=str), "utf-8")
        else:
            (root / f"{coll}.yaml").write_text(yaml.safe_dump({coll: items}, allow_unicode=True), "utf-8")
    try:
        return load_registry(root)
    except EgovError:
        return None


# ------------------------------------------------------------------------------ the two paths compared
@contextmanager
def one_pass_doubts() -> Iterator[None]:
    with mock.patch.object(check_module, "fast_facts", return_value=None):
        yield


def error_text(exc: EgovError) -> list[tuple[Any, ...]]:
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    return [(type(e).__name__, str(e), e.file, e.line, e.column, e.field, e.expected, e.suggestion)
            for e in errors]


def outcome(checker: Checker, doc: Document) -> Any:
    try:
        return checker.prepare(doc)
    except EgovError as exc:
        return error_text(exc)


def assert_same(checker: Checker, doc: Document, registry: Registry | None) -> Any:
    raw = copy.deepcopy({eid: e.raw for eid, e in registry.entries.items()}) if registry else {}
    checker.registry = registry
    try:
        fast = outcome(checker, doc)
        with one_pass_doubts():
            slow = outcome(checker, doc)
    finally:
        checker.registry = None
    if registry is not None:  # shared by every check: neither path may change it
        assert {eid: e.raw for eid, e in registry.entries.items()} == raw
    if isinstance(slow, list):
        assert fast == slow
        return slow
    assert not isinstance(fast, list), f"the one-pass path failed where pydantic accepts: {fast}"
    (fast_facts, fast_found), (slow_facts, slow_found) = fast, slow
    for part in ("submission", "collections", "by_id"):
        assert strict_difference(getattr(fast_facts, part), getattr(slow_facts, part), part) is None
    assert fast_found == slow_found
    return fast


def without(data: dict[str, Any], part: dict[str, list[Any]], every: int) -> dict[str, Any]:
    """The document with every ``every``-th entity the registry holds left out (the registry supplies it)."""
    held = {e["id"] for items in part.values() for e in items}
    out = copy.deepcopy(data)
    n = 0
    for coll in part:
        kept = []
        for e in out.get(coll) or []:
            if e.get("id") in held:
                n += 1
                if n % every == 0:
                    continue
            kept.append(e)
        out[coll] = kept
    return out


# ------------------------------------------------------------------------------ fixtures and examples
@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_every_seed_file_with_a_registry_made_from_it(path: Path, checker: Checker, tmp_path: Path) -> None:
    doc = load_document(path)
    part = registry_part(doc.data)
    registry = write_registry(part, tmp_path / "registry")
    assert registry is not None, "every seed file's authorities, units and trusted entities make a registry"
    # as loaded (positions of a file), and with each second registry entity left out of it
    assert_same(checker, doc, registry)
    assert_same(checker, doc, None)
    lean = tmp_path / "lean.yaml"
    lean.write_text(yaml.safe_dump(without(doc.data, part, 2), allow_unicode=True, sort_keys=False), "utf-8")
    assert_same(checker, load_document(lean), registry)


def test_every_rule_example_with_a_registry_made_from_it(checker: Checker, tmp_path: Path) -> None:
    checked = 0
    for n, data in enumerate(seeds()):
        part = registry_part(data)
        registry = write_registry(part, tmp_path / f"registry{n}")
        if registry is None:
            continue
        for variant in (data, without(data, part, 1), without(data, part, 3)):
            assert_same(checker, Document("<t>", variant, {}, {}, "data"), registry)
        checked += 1
    assert checked > 100


# ------------------------------------------------------------------------------ generated submissions
@st.composite
def with_registry(draw: Any) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """A valid submission, a registry made from it, and the submission then changed: registry entities
    left out, fields of inline copies changed (valid or not), sometimes a registry id reused for an entity
    of another kind."""
    data = draw(submissions(max_mutations=3))
    part = registry_part(data)
    held = [(c, e["id"]) for c, items in part.items() for e in items]
    sub = copy.deepcopy(data)
    for coll, eid in held:
        items = sub.get(coll) or []
        index = next(i for i, e in enumerate(items) if e.get("id") == eid)
        choice = draw(st.sampled_from(["keep", "keep", "drop", "change"]))
        if choice == "drop":
            items.pop(index)
        elif choice == "change" and coll in TRUSTED:
            found = list(slots(items[index], entity_schema(coll)))
            if found:
                container, key, n = draw(st.sampled_from(found))
                container[key] = new_value(draw, sub, container.get(key), n)
    others = [(c, i) for c, items in sub.items() if c not in part and c != "submission" and isinstance(items, list)
              for i in range(len(items))]
    if held and others and draw(st.integers(0, 9)) == 0:
        coll, i = draw(st.sampled_from(others))
        sub[coll][i]["id"] = draw(st.sampled_from(held))[1]
    return sub, part


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_registry())
def test_generated_submissions_with_a_registry(checker: Checker, case: tuple[dict[str, Any], Any]) -> None:
    sub, part = case
    with tempfile.TemporaryDirectory() as root:
        registry = write_registry(part, Path(root))
        assume(registry is not None)
        assert_same(checker, Document("<generated>", sub, {}, {}, "data"), registry)


# ------------------------------------------------------------------------------ the fast path is taken
@pytest.fixture()
def falsified(tmp_path: Path) -> tuple[Registry, Path]:
    """test_registry.py's case: registry platforms left out of the submission but for a falsified copy."""
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    registry = write_registry(registry_part(data), tmp_path / "registry")
    assert registry is not None
    dc = next(p for p in data["platforms"] if p["id"] == "plat.ly.dc")
    fake = {**dc, "level": "county", "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"}}
    data["platforms"] = [fake, *[p for p in data["platforms"] if not p["unified"]]]
    path = tmp_path / "submission.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return registry, path


def test_a_valid_submission_with_a_registry_is_not_validated_by_pydantic(
        checker: Checker, falsified: tuple[Registry, Path]) -> None:
    registry, path = falsified
    doc = load_document(path)
    checker.registry = registry
    try:
        with mock.patch("egov_rules.input.validate.validate_document", side_effect=AssertionError("pydantic ran")):
            facts, found = checker.prepare(doc)
    finally:
        checker.registry = None
    assert sorted(f.pointer for f in found) == ["/platforms/0/level", "/platforms/0/region"]
    assert facts.by_id["plat.ly.dc"]["level"] == "municipal"  # the registry's value
    assert facts.by_id["plat.ly.dc"]["_pointer"] == "/platforms/0"


def test_a_registry_check_builds_no_position_map(checker: Checker, falsified: tuple[Registry, Path]) -> None:
    registry, path = falsified
    doc = load_document(path)
    assert isinstance(doc, IndexedDocument)
    checker.registry = registry
    try:
        result = checker.check_document(doc)
    finally:
        checker.registry = None
    assert result.error is None and any("registry-mismatch" in f.rule for f in result.findings)
    assert "positions" not in doc.__dict__ and "key_positions" not in doc.__dict__


def test_whole_reports_agree_through_both_paths(checker: Checker, falsified: tuple[Registry, Path]) -> None:
    registry, path = falsified
    checker.registry = registry
    try:
        fast = checker.check_path(path)
        with one_pass_doubts():
            slow = checker.check_path(path)
    finally:
        checker.registry = None
    assert fast.findings and submission_dict(fast, "en") == submission_dict(slow, "en")


def test_the_augmented_document_locates_as_the_submission_does(falsified: tuple[Registry, Path]) -> None:
    registry, path = falsified
    doc = load_document(path)
    merged = registry.augment(doc)
    assert len(merged.data["platforms"]) > len(doc.data["platforms"])  # registry platforms appended
    reference = Document(doc.source, merged.data, dict(doc.positions), dict(doc.key_positions), doc.format)
    pointers = ["", "/platforms", "/platforms/0/level", "/platforms/0/region/city", "/units/0/id",
                f"/platforms/{len(merged.data['platforms']) - 1}/id", "/authorities/0", "/nowhere/1"]
    for pointer in pointers:
        assert merged.locate(pointer) == reference.locate(pointer), pointer
        assert merged.locate_key(pointer) == reference.locate_key(pointer), pointer
    assert merged.positions == doc.positions


# ------------------------------------------------------------------------------ loading the registry
def load_outcome(root: Path) -> Any:
    try:
        registry = load_registry(root)
    except EgovError as exc:
        return error_text(exc)
    return {eid: (e.collection, e.raw, e.value, e.file, e.line, e.column) for eid, e in registry.entries.items()}


def assert_loads_the_same(root: Path) -> Any:
    fast = load_outcome(root)
    with mock.patch("egov_rules.input.registry.fast_facts", return_value=None):
        slow = load_outcome(root)
    if isinstance(slow, list):
        assert fast == slow
    else:
        assert not isinstance(fast, list), fast
        assert strict_difference(fast, slow) is None
    return fast


def test_every_seed_registry_loads_the_same_through_both_paths(tmp_path: Path) -> None:
    loaded = 0
    for n, data in enumerate(seeds()[::3]):
        root = tmp_path / f"r{n}"
        if write_registry(registry_part(data), root) is not None:
            loaded += not isinstance(assert_loads_the_same(root), list)
    assert loaded > 20


@st.composite
def broken_registries(draw: Any) -> dict[str, list[Any]]:
    """A registry made from a generated submission, then a field of its entities changed (valid or not),
    an entity dropped (its references may dangle) or one id given twice."""
    part = copy.deepcopy(registry_part(draw(submissions(max_mutations=2))))
    places = [(c, i) for c, items in part.items() for i in range(len(items))]
    for _ in range(draw(st.integers(1, 3))):
        coll, i = draw(st.sampled_from(places))
        what = draw(st.sampled_from(["change", "change", "drop", "twice"]))
        if what == "change":
            found = list(slots(part[coll][i], entity_schema(coll)))
            if found:
                container, key, n = draw(st.sampled_from(found))
                container[key] = new_value(draw, part, container.get(key), n)
        elif what == "drop" and len(part[coll]) > 1:
            part[coll].pop(i)
            places = [(c, j) for c, items in part.items() for j in range(len(items))]
        elif what == "twice":
            part[coll].append(copy.deepcopy(part[coll][i]))
    return part


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_registries())
def test_generated_registries_load_the_same_through_both_paths(part: dict[str, list[Any]]) -> None:
    with tempfile.TemporaryDirectory() as root:
        for coll, items in part.items():  # as write_registry, without loading
            text = json.dumps({coll: items}, ensure_ascii=False, default=str, indent=1)
            (Path(root) / f"{coll}.json").write_text(text, "utf-8")
        assert_loads_the_same(Path(root))


def test_loading_a_registry_builds_no_position_map(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    root = tmp_path / "registry"
    assert write_registry(registry_part(data), root) is not None
    with mock.patch("egov_rules.input.load_index.pointer_maps", side_effect=AssertionError("maps built")):
        registry = load_registry(root)
    assert registry.entries["plat.ly.dc"].file.endswith("platforms.json")


def test_the_combined_registry_locates_as_the_merged_position_maps_did(tmp_path: Path) -> None:
    """Every pointer of the files (renumbered into the combination), and pointers that name nothing."""
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    part = registry_part(data)
    platforms = part["platforms"]
    files = {"a.yaml": {"authorities": part["authorities"], "platforms": platforms[:1]},
             "b.json": {"platforms": platforms[1:], "units": part["units"]},
             "c.yaml": {"info_resources": part.get("info_resources", []), "platforms": []}}
    docs = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_text(json.dumps(content) if name.endswith(".json") else yaml.safe_dump(content), "utf-8")
        docs.append(load_document(path))
    combined, _ = _combine(docs)
    reference = Document("<registry>", combined.data, combined.positions, combined.key_positions, "data")
    n = len(combined.data["platforms"])
    pointers = [*reference.positions, *reference.key_positions, "/platforms/01", f"/platforms/{n}",
                f"/platforms/{n}/id", "/platforms/1/nothing/deeper", "/platforms/x", "/submission/as_of",
                "/nothing", "/nothing/0", "nothing", "/units/0/region/county/x", "/platforms/+1", "/platforms/١"]
    fresh, _ = _combine([load_document(tmp_path / name) for name in files])  # its maps not yet read
    for pointer in pointers:
        assert fresh.locate(pointer) == reference.locate(pointer), pointer
        assert fresh.locate_key(pointer) == reference.locate_key(pointer), pointer
    assert "positions" not in fresh.__dict__
