"""The loader's fast path (egov_rules/input/load_fast.py) against the reference builder it stands in for.

``load.FAST_PATH = False`` makes every load go through the builder, the reference.  For documents generated
to be valid and for broken, hostile and limit-breaking ones, both paths must give the same outcome: the same
data (types and key order included), positions and key positions, or the same error (class, message, file,
line, column, field, expectation).  The fast path declines what it does not handle, so these also check
that it never accepts what the reference rejects.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import egov_rules.input.load as load_module
from egov_rules.errors import EgovError
from egov_rules.input.load import Document, Limits, load_bytes
from egov_rules.input.load_index import IndexedDocument, pointer_maps

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def reference_path() -> Iterator[None]:
    load_module.FAST_PATH = False
    try:
        yield
    finally:
        load_module.FAST_PATH = True


def outcome(data: bytes, source: str, limits: Limits) -> tuple[Any, ...]:
    """What a load gives, comparable with ==: repr keeps True apart from 1 and 1.0, and shows key order."""
    try:
        doc = load_bytes(data, source, limits=limits)
    except EgovError as exc:
        return ("error", type(exc).__name__, exc.render(), exc.line, exc.column, exc.field, exc.expected)
    return ("ok", doc.format, repr(doc.data), doc.positions, doc.key_positions)


DEFAULT_LIMITS = Limits()


def same_both_ways(data: bytes, source: str = "t.yaml", limits: Limits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    fast = outcome(data, source, limits)
    with reference_path():
        reference = outcome(data, source, limits)
    assert fast == reference
    return fast


# ---------------------------------------------------------------------------------------------- generated

KEYS = st.text(st.sampled_from("ab~/ 1:-#é中\u2028\x85\"'\\"), max_size=6)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["yes", "no", "on", "0o17", "0x1F", "1_000", ".5", "+1", "~", "Null", "2024-01-01",
                      "1e3", ".inf", "-.Inf", ".nan", "", " ", "- a", "a: b", "#", "&x", "*x", "!x"])
)
TREES = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=4),
    max_leaves=40,
)
ROOTS = st.dictionaries(KEYS, TREES, min_size=1, max_size=4)


def dumped_yaml(tree: dict[str, Any], style: str) -> bytes:
    tree = json.loads(json.dumps(tree))  # no object twice: PyYAML would dump it as an anchor and an alias
    if style == "block":
        text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, default_flow_style=False)
    elif style == "flow":
        text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, default_flow_style=True, width=30)
    else:  # every scalar quoted: dumped scalars that would resolve to other types stay strings
        text = yaml.safe_dump(tree, allow_unicode=False, sort_keys=False, default_style='"')
    return text.encode("utf-8")


@SETTINGS
@given(ROOTS, st.sampled_from(["block", "flow", "quoted"]), st.booleans())
def test_generated_yaml_loads_the_same_both_ways(tree: dict[str, Any], style: str, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + dumped_yaml(tree, style)
    same_both_ways(data)


@SETTINGS
@given(ROOTS, st.sampled_from([None, 2]), st.booleans(), st.sampled_from(["t.json", "t.yaml", "stdin"]))
def test_generated_json_loads_the_same_both_ways(
    tree: dict[str, Any], indent: int | None, ascii_only: bool, source: str
) -> None:
    data = json.dumps(tree, indent=indent, ensure_ascii=ascii_only).encode("utf-8")
    result = same_both_ways(data, source)
    assert result[0] == "ok" and result[1] == "json"
    assert result[2] == repr(tree)  # and both are right: JSON round-trips exactly


@SETTINGS
@given(ROOTS, st.integers(min_value=0, max_value=10**6), st.binary(max_size=4), st.booleans())
def test_cut_and_spliced_documents_fail_or_load_the_same_both_ways(
    tree: dict[str, Any], cut: int, splice: bytes, as_json: bool
) -> None:
    whole = json.dumps(tree, indent=1).encode() if as_json else dumped_yaml(tree, "block")
    cut %= len(whole) + 1
    same_both_ways(whole[:cut] + splice + whole[cut:], "t.json" if as_json else "t.yaml")


# fragments that reach every way out of the fast path: tags, anchors, aliases, duplicate and non-string
# keys, special numbers, surrogates, second documents, line breaks that YAML 1.1 and 1.2 count differently
YAML_FRAGMENTS = [
    "a", "b", "k: ", "- ", "\n", "  ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!str ", "!x ", "! ", "#c",
    "---\n", "...\n", "|\n", ">-\n", '"', "'", "? ", "1", "1e999", "0x" + "f" * 3001, "null", "true", ".nan",
    "\x85", "\u2028", "\ufeff", "~", ": ", "a: 1\n", "a: 2\n", "l:\n- 1\n- 2\n",
]
JSON_FRAGMENTS = [
    "{", "}", "[", "]", ",", ":", '"a"', '"b"', '"a/~"', '"\\u00e9"', '"\\ud800"', '"\\ud83d\\ude00"',
    '"\\n"', "1", "-0", "1.5e3", "1e999", "NaN", "-Infinity", "9" * 4400, "true", "null", " ", "\n",
    "\r\n", "\t", "\u2028", '{"a": 1, "a": 2}', '{"k": [1, {"x": null}]}', "/* */",
]


@SETTINGS
@given(
    st.lists(st.sampled_from(YAML_FRAGMENTS), max_size=40).map("".join),
    st.sampled_from([Limits(), Limits(max_aliases=3), Limits(max_depth=3, max_nodes=12)]),
)
def test_yamlish_text_gives_the_same_outcome_both_ways(text: str, limits: Limits) -> None:
    same_both_ways(text.encode("utf-8", "surrogatepass"), "t.yaml", limits)


@SETTINGS
@given(
    st.lists(st.sampled_from(JSON_FRAGMENTS), max_size=40).map(lambda parts: '{"r": ' + "".join(parts)),
    st.sampled_from(["t.json", "sniffed"]),
    st.sampled_from([Limits(), Limits(max_depth=3, max_nodes=12)]),
)
def test_jsonish_text_gives_the_same_outcome_both_ways(text: str, source: str, limits: Limits) -> None:
    same_both_ways(text.encode("utf-8", "surrogatepass"), source, limits)


def limit(values: range) -> st.SearchStrategy[int | None]:
    return st.none() | st.sampled_from(values)  # None: the default, so that each limit may be the one hit


@SETTINGS
@given(ROOTS, st.booleans(), limit(range(1, 9)), limit(range(1, 300)), limit(range(4)))
def test_limits_stop_both_ways_at_the_same_node(
    tree: dict[str, Any], as_json: bool, depth: int | None, nodes: int | None, entities: int | None
) -> None:
    tree = {"items": [tree, "x", tree], **tree}  # a list under the root holds entities
    data = json.dumps(tree).encode() if as_json else dumped_yaml(tree, "block")
    limits = Limits(max_depth=depth or 64, max_nodes=nodes or 2_000_000, max_entities=entities or 200_000)
    same_both_ways(data, "t.json" if as_json else "t.yaml", limits)


# raw JSON the fast path must decline: the reference rejects most of them, with their own messages
JSON_SPECIALS = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1E400", "9" * 4400, '"\\ud800"', '"x\\udc00"', '"\\ud83d\\ude00"',
    '"\\u00e9~/"', "-0", "1.0", '{"d": 1, "d": 2}', '{"d~1": [], "d/": {}}', "[[[[[1]]]]]",
]


@SETTINGS
@given(
    st.recursive(
        SCALARS | st.sampled_from(range(len(JSON_SPECIALS))).map(lambda i: f"@@{i}@@"),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=4),
        max_leaves=30,
    ),
    st.sampled_from([None, 1]),
    st.sampled_from(["t.json", "sniffed"]),
)
def test_json_with_special_values_gives_the_same_outcome_both_ways(tree: Any, indent: int | None, source: str) -> None:
    text = json.dumps({"r": tree}, indent=indent)
    for i, raw in enumerate(JSON_SPECIALS):
        text = text.replace(f'"@@{i}@@"', raw)
    same_both_ways(text.encode(), source)


@pytest.mark.parametrize("as_json", [False, True])
def test_pointer_budget_stops_both_ways_at_the_same_node(as_json: bool) -> None:
    # pointers total 8 characters per byte of max_bytes at most: long keys nested deep exceed that
    key = "k" * 200
    tree: Any = 1
    for _ in range(20):
        tree = {key: tree}
    data = json.dumps(tree).encode() if as_json else dumped_yaml(tree, "flow")
    result = same_both_ways(data, "t.json" if as_json else "t.yaml", Limits(max_bytes=len(data)))
    assert result[0] == "error" and "field paths (JSON pointers) total more than" in result[2]


# ---------------------------------------------------------------------------------------------- cases


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, {c: d}]\n",
        "a: 1\na: 2\n",  # duplicate key
        "a: !!str 1\n",  # tag
        "a: &x 1\nb: *x\n",  # anchor and alias
        "1: a\n",  # a key that is not a string
        "a: 1\n---\nb: 2\n",  # a second document
        "a: b\u2028c: d\n\x85e: [1e3, .5, 0o17, 0x1F, yes]\n",  # YAML 1.1 line breaks
        "a: 1e999\n",  # out of range
        "- a\n",  # the top level not a mapping
        "a: [1, 2\n",  # syntax error
        '{"a": 1, "a": 2}',  # sniffed JSON with a duplicate key
        '{"a": NaN}',
        '{"a": "\\ud800"}',
        '{"a": "\\ud83d\\ude00", "b~/": [1.5, -0, 1E2, true, null]}',
        '{"a": 1} x',  # trailing data: sniffed JSON, then YAML
        '[1, 2]',
        '{"a": 1e999}',
        '{"a": [1, -Infinity]}',
        '{"a": [1, 2, 3]}',
    ],
)
@pytest.mark.parametrize("source", ["t.yaml", "t.json", "stdin"])
@pytest.mark.parametrize("limits", [Limits(), Limits(max_nodes=2), Limits(max_nodes=4, max_depth=1)])
def test_cases_give_the_same_outcome_both_ways(text: str, source: str, limits: Limits) -> None:
    same_both_ways(text.encode(), source, limits)


def test_fast_path_reads_a_valid_document_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken, not declined (were it always declined, the comparisons above would be empty)."""
    import egov_rules.input.load_fast as fast
    import egov_rules.input.load_json as load_json
    import egov_rules.input.load_yaml as load_yaml

    def no_builder(*args: Any) -> Any:
        raise AssertionError("the reference builder was used")

    monkeypatch.setattr(load_yaml, "_yaml_events", no_builder)
    monkeypatch.setattr(load_json, "_parse_json", no_builder)
    doc = load_bytes(b"a: [1, {b: c}]\nd: '1'\n", "t.yaml")
    assert doc.data == {"a": [1, {"b": "c"}], "d": "1"} and doc.positions["/a/1/b"] == (1, 12)
    doc = load_bytes(b'{"a": [1, {"b": "c"}],\n "d": "1"}', "t.json")
    assert doc.data == {"a": [1, {"b": "c"}], "d": "1"} and doc.key_positions["/d"] == (2, 2)
    with pytest.raises(fast.Fallback):
        fast.read_json('{"a": 1, "a": 2}', "t.json", Limits(), float("inf"))


def test_the_switches_on_egov_rules_load_choose_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """``load.FAST_PATH`` and ``load._FastParser`` are where tests and benchmarks turn them, though the
    readers live in load_yaml / load_json: off, the fast path is never asked; None, libyaml is not used."""
    import egov_rules.input.load_fast as fast

    def no_fast_path(*args: Any) -> Any:
        raise AssertionError("the fast path was used")

    monkeypatch.setattr(fast, "read_yaml", no_fast_path)
    monkeypatch.setattr(fast, "read_json", no_fast_path)
    with reference_path():
        assert load_bytes(b"a: [1]\n", "t.yaml").data == {"a": [1]}
        assert load_bytes(b'{"a": [1]}', "t.json").data == {"a": [1]}
    used: list[str] = []

    class Recording(yaml.SafeLoader):  # PyYAML's pure-Python parser, noting that it was asked
        def __init__(self, text: str) -> None:
            used.append("libyaml stand-in")
            super().__init__(text)

    monkeypatch.setattr(load_module, "_FastParser", Recording)
    with reference_path():
        load_bytes(b"a: 1\n", "t.yaml")
    assert used == ["libyaml stand-in"]
    monkeypatch.setattr(load_module, "_FastParser", None)
    with reference_path():
        load_bytes(b"a: 1\n", "t.yaml")
    assert used == ["libyaml stand-in"]


def test_time_limit_stops_the_fast_path() -> None:
    for text, source in (("a: [" + "[1], " * 3000 + "]\n", "t.yaml"), ('{"a": [' + "[1], " * 3000 + "1]}", "t.json")):
        err = outcome(text.encode(), source, Limits(max_seconds=0))
        assert err[0] == "error" and err[1] == "LimitExceeded"
        assert "loading took longer than 0 s (raise with --max-seconds)" in err[2]
        assert err[3] >= 1 and err[4] >= 1


# ---------------------------------------------------------------------------------------------- locate

TOKENS = st.sampled_from(["0", "1", "00", "01", "-", "-1", "+1", "١", "", "a", "b", "~0", "~1", "~2", "~01",
                          "a~1b", "~", "x", "10"])


def pointers_to_try(doc: Document) -> st.SearchStrategy[str]:
    """Pointers that name nodes and pointers that almost do (wrong spellings, too deep, no leading '/')."""
    known = sorted(doc.positions)
    edited = st.tuples(st.sampled_from(known), st.lists(TOKENS, max_size=3)).map(
        lambda p: p[0] + "".join("/" + t for t in p[1])
    )
    return st.sampled_from(known) | edited | edited.map(lambda p: p.lstrip("/")) | edited.map(lambda p: p + "/")


@SETTINGS
@given(ROOTS, st.booleans(), st.data())
def test_locate_walks_the_tree_to_the_positions_the_maps_give(
    tree: dict[str, Any], as_json: bool, data: st.DataObject
) -> None:
    raw = json.dumps(tree, ensure_ascii=False).encode() if as_json else dumped_yaml(tree, "block")
    indexed = load_bytes(raw, "t.json" if as_json else "t.yaml")
    assume(isinstance(indexed, IndexedDocument))  # not when declined (a key twice, say)
    fresh = load_bytes(raw, "t.json" if as_json else "t.yaml")  # its maps stay unbuilt: locate walks
    maps = Document(indexed.source, indexed.data, indexed.positions, indexed.key_positions, indexed.format)
    for _ in range(10):
        pointer = data.draw(pointers_to_try(maps))
        assert fresh.locate(pointer) == maps.locate(pointer), pointer
        assert fresh.locate_key(pointer) == maps.locate_key(pointer), pointer
    assert "positions" not in vars(fresh)


def test_indexed_document_behaves_as_a_document() -> None:
    doc = load_bytes(b"a: [1, {b: c}]\n", "t.yaml")
    assert isinstance(doc, IndexedDocument) and doc.locate("/a/1/b") == (1, 12)
    copied = dataclasses.replace(doc, source="u.yaml")  # reads the maps, builds a Document of maps
    assert copied.source == "u.yaml" and copied.positions == doc.positions and copied.locate("/a/1") == (1, 8)
    assert copied == dataclasses.replace(copied) and doc.locate_key("/a/1/b") == (1, 9)
    with pytest.raises(AttributeError):
        doc.no_such_attribute  # noqa: B018


@pytest.mark.parametrize("pointer", ["/~2", "/~02", "/a/b", "/a~1b", "/~1", "/~01", "/~", "/~0", "/a", "/a/0",
                                     "/a/1/", "/a/01", "/a/1/~0", "a/1", "", "/", "/~1/x"])
def test_locate_takes_pointers_only_as_the_maps_spell_them(pointer: str) -> None:
    raw = b'{"~2": 1, "a/b": 2, "~1": 3, "~": 4, "/": {"x": 5}, "a": [6, {"~": 7}]}'
    fresh = load_bytes(raw, "t.json")
    maps = Document(fresh.source, fresh.data, *pointer_maps(fresh._tree, fresh._where), fresh.format)
    assert "positions" not in vars(fresh)
    assert (fresh.locate(pointer), fresh.locate_key(pointer)) == (maps.locate(pointer), maps.locate_key(pointer))


# ---------------------------------------------------------------------------------------------- scalars

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NONFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_WORDS = {"~": None, "null": None, "Null": None, "NULL": None, "true": True, "True": True, "TRUE": True,
          "false": False, "False": False, "FALSE": False}


def core_schema_reading(s: str) -> Any:
    """The YAML 1.2 core schema, read straight from the spec's regexes (the oracle for load_yaml._plain)."""
    if not s:
        return None
    if s in _WORDS:
        return _WORDS[s]
    if _INT.fullmatch(s):
        return int(s)
    if _OCT.fullmatch(s) or _HEX.fullmatch(s):
        return int(s[2:], 8 if s[1] == "o" else 16)
    if _FLOAT.fullmatch(s):
        return float(s)
    if _NONFINITE.fullmatch(s):
        return "error"
    return s


@SETTINGS
@given(st.text(st.sampled_from("0123456789+-.eExXoOabfinNtTrRuUlLsS~ _:"), max_size=8)
       | st.sampled_from([*_WORDS, "nul", "truE", "~~", ".inf", "-.Inf", ".NaN", "0o", "0x", "1e", "+.5"]))
def test_plain_scalars_resolve_by_the_core_schema(s: str) -> None:
    expected = core_schema_reading(s)
    try:
        got = load_module._plain(s)
    except load_module._BadScalar:
        got = "error"
    assert repr(got) == repr(expected)
