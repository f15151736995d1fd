"""egov_rules.input.load against hostile and broken input: every case fails cleanly, fast, with a precise error."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_rules.errors import EgovError, InputError, LimitExceeded
from egov_rules.input.load import Document, Limits, load_bytes, load_document, load_stream, pointer_join


@pytest.fixture(autouse=True)
def no_hang() -> Any:
    """A hostile document must end, not hang: a generous bound, not a speed claim (speed is benchmarked)."""
    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError("loading a hostile document did not end within 60 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def fails(data: bytes | str, source: str = "t.yaml", **kwargs: Any) -> InputError:
    """Load ``data`` expecting an InputError; check the rendered message is clean, return the error."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(InputError) as info:
        load_bytes(raw, source, **kwargs)
    err = info.value
    rendered = err.render()
    assert rendered.startswith(source)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", rendered), rendered  # no raw control characters
    for leak in ("Traceback", "<yaml.", "Mark object", '"<unicode string>"', "Error("):
        assert leak not in rendered, rendered
    return err


# ---------------------------------------------------------------------------------------------- aliases

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def test_billion_laughs_fails_fast_on_the_first_anchor() -> None:
    err = fails(BILLION_LAUGHS)
    assert "aliases" in err.message and "--max-aliases" in err.message
    assert (err.line, err.column, err.field) == (1, 4, "/a")


def test_billion_laughs_with_aliases_allowed_is_stopped_by_counts_before_expanding() -> None:
    err = fails(BILLION_LAUGHS, limits=Limits(max_aliases=10**9))
    assert isinstance(err, LimitExceeded) and "--max-nodes" in err.message
    err = fails(BILLION_LAUGHS, limits=Limits(max_aliases=20))
    assert isinstance(err, LimitExceeded)
    assert "alias uses exceed 20 (raise with --max-aliases)" in err.message


def test_allowed_aliases_are_expanded_as_independent_copies() -> None:
    doc = load_bytes(b"x: &a {k: [1, 2]}\ny: *a\n", "t.yaml", limits=Limits(max_aliases=1))
    assert doc.data == {"x": {"k": [1, 2]}, "y": {"k": [1, 2]}}
    assert doc.data["x"] is not doc.data["y"] and doc.data["x"]["k"] is not doc.data["y"]["k"]
    assert doc.locate("/y/k/1") == (2, 4)  # inside an alias: the alias's position
    assert "no complete anchor" in fails("x: &a [1, *a]\n", limits=Limits(max_aliases=5)).message  # no cycles
    assert "no complete anchor" in fails("x: *nope\n", limits=Limits(max_aliases=5)).message


# ---------------------------------------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "data",
    [
        "a: " + "[" * 100_000,
        "a: " + "{a: " * 100_000,
        "a: " + "[\n" * 100_000,
        '{"a": ' + "[" * 100_000,
        '{"a": ' + '{"a": ' * 100_000,
        "a:\n" + "".join("  " * i + "- b:\n" for i in range(1, 400)),
    ],
    ids=["yaml-flow-seq", "yaml-flow-map", "yaml-lines", "json-array", "json-object", "yaml-block"],
)
def test_deep_nesting_is_a_depth_error_not_a_crash(data: str) -> None:
    err = fails(data)
    assert isinstance(err, LimitExceeded)
    assert "nesting depth exceeds 64 (raise with --max-depth)" in err.message


def test_raised_depth_limit() -> None:
    deep = "a: " + "[" * 500 + "]" * 500
    assert "nesting depth exceeds 64" in fails(deep).message
    node: Any = load_bytes(deep.encode(), "t.yaml", limits=Limits(max_depth=501)).data["a"]
    for _ in range(499):
        node = node[0]
    assert node == []
    # libyaml stops at 1000 whatever the option says, and the message says so
    err = fails("a: " + "[" * 3000, limits=Limits(max_depth=5000))
    assert isinstance(err, LimitExceeded) and "exceeds 1000" in err.message and "cannot raise" in err.message
    # JSON has no parser cap
    deep_json = '{"a": ' + "[" * 3000 + "]" * 3000 + "}"
    assert load_bytes(deep_json.encode(), "t.json", limits=Limits(max_depth=3001)).data["a"]


# ---------------------------------------------------------------------------------------------- keys


def test_duplicate_keys_name_the_key_and_both_lines() -> None:
    err = fails("a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n")
    assert "duplicate key 'x'" in err.message and "line 3" in err.message and "line 5" in err.message
    assert (err.line, err.column, err.field) == (5, 3, "/b/x")
    err = fails('{"a": 1,\n "a": 2}', "t.json")
    assert "duplicate key 'a'" in err.message and "line 1" in err.message and "line 2" in err.message
    assert (err.line, err.column) == (2, 2)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1: x\n", "1"),
        ("null: x\n", "null"),
        ("~: x\n", "null"),
        ("true: x\n", "true"),
        ("[a]: b\n", "a list"),
        ("? {a: 1}\n: b\n", "a mapping"),
        ("{1.5: x}\n", "1.5"),
    ],
)
def test_non_string_keys_are_rejected(text: str, shown: str) -> None:
    err = fails(text)
    assert "not a string" in err.message and shown in err.message
    assert err.line == 1


def test_control_characters_in_a_key_are_escaped() -> None:
    err = fails('"evil\\x1b[31mkey\\x07": 1\n"evil\\x1b[31mkey\\x07": 2\n')
    rendered = err.render()
    assert "\x1b" not in rendered and "\x07" not in rendered
    assert "\\x1b[31m" in rendered and "\\x07" in rendered
    raw = fails("k\x01y: 1\n")  # a raw control character is refused by the YAML reader
    assert "U+0001" in raw.message and (raw.line, raw.column) == (1, 2)


@pytest.mark.parametrize("source", ["t.yaml", "t.json"])
def test_huge_keys_under_deep_nesting_cannot_exhaust_memory(source: str) -> None:
    # 60 levels of 1000-character keys, then 500,000 items: 30 G characters of pointers if unchecked
    key = "k" * 1000
    items = "1," * 500_000 + "1"
    if source.endswith("json"):
        text = f'{{"{key}": ' * 60 + "[" + items + "]" + "}" * 60
    else:
        text = "".join(" " * i + key + ":\n" for i in range(60)) + " " * 60 + "x: [" + items + "]\n"
    err = fails(text, source)
    assert isinstance(err, LimitExceeded) and "--max-bytes" in err.message
    assert len(err.field or "") < 600  # the huge pointer is shortened in the error


# ---------------------------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/object/apply:builtins.exec [\"open('PWNED', 'w')\"]\n",
        "a: !!str 1\n",
        "a: !custom x\n",
        "a: ! x\n",
        "a: !!map {b: 1}\n",
        "a: !!seq [1]\n",
        "--- !!python/name:os.system\n",
    ],
)
def test_tags_are_rejected_and_nothing_runs(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    def spy_system(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", spy_system)
    monkeypatch.chdir(tmp_path)
    err = fails(text)
    assert "YAML tags are not allowed" in err.message
    assert err.line == 1
    assert calls == [] and not (tmp_path / "PWNED").exists()


# ---------------------------------------------------------------------------------------------- encoding


def test_non_utf8_names_byte_offset_line_and_column() -> None:
    err = fails(b"a: 1\nb: caf\xe9\n")
    assert "UTF-8" in err.message and "byte offset 11" in err.message
    assert (err.line, err.column) == (2, 7)
    err = fails("a: 中文\n".encode() + b"b: \xff")  # column counts characters before the bad byte
    assert (err.line, err.column) == (2, 4)


def test_nul_bytes_mean_a_binary_file() -> None:
    err = fails(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary file" in err.message
    err = fails("a: 1\n".encode("utf-16"))
    assert "UTF-16" in err.message


def test_bom_only_and_whitespace_only_are_empty() -> None:
    for data in [b"", b"\xef\xbb\xbf", b"  \n\t\n", b"# only\n# comments\n", b"---\n", b"---\n...\n"]:
        assert "empty document" in fails(data).message
    assert "empty document" in fails(b"  \n", "t.json").message


# ---------------------------------------------------------------------------------------------- shape


@pytest.mark.parametrize(
    ("data", "source", "found"),
    [
        ("- a\n- b\n", "t.yaml", "found a list"),
        ("just text\n", "t.yaml", "found a scalar"),
        ("42\n", "t.yaml", "found a scalar (42)"),
        ("null\n", "t.yaml", "found a scalar (null)"),
        ("[1, 2]", "t.json", "found a list"),
        ('"x"', "t.json", "found a scalar"),
        ("[1, 2]", "t", "found a list"),
    ],
)
def test_top_level_must_be_a_mapping(data: str, source: str, found: str) -> None:
    err = fails(data, source)
    assert "the top level must be a mapping of entity lists" in err.message and found in err.message


def test_multiple_documents_name_the_second() -> None:
    err = fails("a: 1\n---\nb: 2\n")
    assert "one document expected" in err.message and "line 2" in err.message
    assert err.line == 2
    err = fails("a: 1\n...\n---\nb: [\n")  # even a broken second document: the count is the problem
    assert "one document expected" in err.message and err.line == 3


# ---------------------------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("data", "source", "line", "column", "words"),
    [
        ("a: 1\n b: 2\n", "t.yaml", 2, 3, "mapping values are not allowed"),
        ("a:\n  - x\n  y: 1\n", "t.yaml", 3, 3, "expected"),
        ("a: [1, 2\nb: 3\n", "t.yaml", 2, 2, "expected"),
        ("a: 'unterminated\n", "t.yaml", 2, 1, "quoted scalar"),
        ("a:\tb: 1\n", "t.yaml", 1, 5, "mapping values"),
        ('{"a": 1,\n "b" 2}', "t.json", 2, 6, "expected ':'"),
        ('{"a": [1, 2,]}', "t.json", 1, 13, "expected a value"),
        ('{"a": 1} {"b": 2}', "t.json", 1, 10, "trailing data"),
        ('{"a": 1}\n\nx', "t.json", 3, 1, "trailing data"),
        ('{"a": "x\ny"}', "t.json", 1, 9, "Invalid control character"),
        ('{"a": "\\q"}', "t.json", 1, 8, "Invalid \\escape"),
        ('{"a": "\\ud800"}', "t.json", 1, 7, "surrogate"),
        ("{'a': 1}", "t.json", 1, 2, "double quotes"),
        ('{"a": tru}', "t.json", 1, 7, "expected a value"),
        ('{"a": 01}', "t.json", 1, 8, "expected ','"),
        ('{"a": 1', "t.json", 1, 8, "end of file"),
    ],
)
def test_syntax_errors_have_line_and_column(
    data: str, source: str, line: int, column: int, words: str
) -> None:
    err = fails(data, source)
    assert ("YAML" if source.endswith(".yaml") else "JSON") in err.message
    assert words in err.message
    assert (err.line, err.column) == (line, column)


def test_sniffed_broken_json_reports_the_parser_that_got_further() -> None:
    err = fails('{"a": 1,\n "b": [1, 2,\n "c" 3]}', "stdin")
    assert err.line == 3


# ---------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_rejected(word: str) -> None:
    err = fails(f'{{"a": [1, {word}]}}', "t.json")
    assert word in err.message and "RFC 8259" in err.message
    assert (err.line, err.column, err.field) == (1, 11, "/a/1")
    fails(f'{{"a": {word}}}', "stdin")  # sniffed JSON does not fall back to YAML (where NaN is a string)


@pytest.mark.parametrize("word", [".nan", ".NaN", ".inf", "-.inf", "+.INF", ".Inf", "1e999", "-1e999"])
def test_yaml_non_finite_numbers_are_rejected(word: str) -> None:
    err = fails(f"a:\n  b: {word}\n")
    assert "finite" in (err.message + (err.expected or ""))
    assert (err.line, err.column, err.field) == (2, 6, "/a/b")


def test_json_overflowing_float_and_huge_integers_are_rejected() -> None:
    assert "out of range" in fails('{"a": 1e400}', "t.json").message
    assert "too many digits" in fails('{"a": ' + "9" * 5000 + "}", "t.json").message
    assert "too many digits" in fails("a: " + "9" * 5000 + "\n").message
    assert "too many digits" in fails("a: 0x" + "f" * 5000 + "\n").message


# ---------------------------------------------------------------------------------------------- limits

ENTITIES = "submission: {id: s}\nunits: [{id: a}, {id: b}]\nprojects: [{id: c}, {id: d}]\n"


@pytest.mark.parametrize(
    ("limits", "data", "option", "what"),
    [
        (Limits(max_bytes=10), ENTITIES, "--max-bytes", "file size"),
        (Limits(max_depth=2), ENTITIES, "--max-depth", "nesting depth exceeds 2"),
        (Limits(max_nodes=10), ENTITIES, "--max-nodes", "node count exceeds 10"),
        (Limits(max_entities=3), ENTITIES, "--max-entities", "entity count exceeds 3"),
        (Limits(max_aliases=1), "a: &x 1\nb: *x\nc: *x\n", "--max-aliases", "alias uses exceed 1"),
        (Limits(max_seconds=0), "a: [" + "1, " * 5000 + "]\n", "--max-seconds", "longer than 0 s"),
    ],
)
def test_each_limit_names_its_value_and_option(limits: Limits, data: str, option: str, what: str) -> None:
    for source in ("t.yaml", "t.json"):
        if source.endswith("json") and "&x" in data:
            continue
        text = json.dumps(yaml.safe_load(data)) if source.endswith("json") else data
        err = fails(text, source, limits=limits)
        assert isinstance(err, LimitExceeded)
        assert what in err.message and f"(raise with {option})" in err.message
    assert load_bytes(data.encode(), "t.yaml", limits=Limits(max_aliases=2)).data  # within the defaults


def test_entity_limit_counts_items_of_all_top_level_lists() -> None:
    assert load_bytes(ENTITIES.encode(), "t.yaml", limits=Limits(max_entities=4)).data["units"]
    err = fails(ENTITIES, limits=Limits(max_entities=3))
    assert err.field == "/projects/1" and err.line == 3


def test_file_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 1000)
    read_sizes: list[int] = []
    real_open = open

    def spy_open(*args: Any, **kwargs: Any) -> Any:
        fh = real_open(*args, **kwargs)
        real_read = fh.read

        def spy_read(n: int = -1) -> Any:
            read_sizes.append(n)
            return real_read(n)

        fh.read = spy_read
        return fh

    monkeypatch.setattr("builtins.open", spy_open)
    with pytest.raises(LimitExceeded, match="--max-bytes") as err:
        load_document(path, limits=Limits(max_bytes=100))
    assert read_sizes == []
    assert "1003 bytes" in err.value.message


def test_stream_reads_are_bounded() -> None:
    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            n = len(buffer)
            buffer[:n] = b"a" * n
            self.served += n
            return n

    endless = Endless()
    with pytest.raises(LimitExceeded, match="--max-bytes"):
        load_stream(io.BufferedReader(endless), limits=Limits(max_bytes=1000))
    assert endless.served < 100_000


# ---------------------------------------------------------------------------------------------- fuzzing

# fragments of YAML syntax, scalars of every type, anchors, tags, directives and bad characters
# fmt: off
FRAGMENTS = [
    "a", "b", "1", "-1.5", ".nan", "~", "yes", "'q'", '"d\\x01"', "é", "\t", "0x1F", ": ", "- ", "? ",
    "\n", "  ", "{", "}", "[", "]", ", ", "&a ", "*a", "&b ", "*b", "!!str ", "!x ", "#c", "---\n",
    "...\n", "|\n", ">-\n", "%YAML 1.2\n", '"', "'", "\\", "\x00", "\x85", "\ufeff", "null", "true",
    "NaN", ":",
]
# fmt: on
YAMLISH = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
TREES = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=30,
)


def check_document(doc: Document, aliases: bool = False) -> None:
    """Every node has a position and every member a key position (without aliases); all positions 1-based."""
    assert isinstance(doc.data, dict)
    assert all(line >= 1 and column >= 1 for line, column in doc.positions.values())
    if aliases:
        return
    todo: list[tuple[str, Any]] = [("", doc.data)]
    while todo:
        pointer, value = todo.pop()
        assert pointer in doc.positions
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str) and pointer_join(pointer, k) in doc.key_positions
                todo.append((pointer_join(pointer, k), v))
        elif isinstance(value, list):
            todo.extend((pointer_join(pointer, i), v) for i, v in enumerate(value))
        else:
            assert value is None or isinstance(value, (str, int, float, bool))


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["f.yaml", "f.json", "stdin"]))
def test_fuzz_arbitrary_bytes(data: bytes, source: str) -> None:
    with contextlib.suppress(EgovError):
        check_document(load_bytes(data, source))


@FUZZ
@given(YAMLISH, st.sampled_from([Limits(), Limits(max_aliases=3), Limits(max_depth=999, max_aliases=2)]))
def test_fuzz_yamlish_text(text: str, limits: Limits) -> None:
    data = text.encode("utf-8", "surrogatepass")
    with contextlib.suppress(EgovError):
        check_document(load_bytes(data, "f.yaml", limits=limits), aliases=limits.max_aliases > 0)


@FUZZ
@given(TREES, st.booleans(), st.integers(min_value=0, max_value=400), st.binary(max_size=3))
def test_fuzz_dumped_trees(tree: Any, flow: bool, cut: int, splice: bytes) -> None:
    doc = {"root": tree}
    # JSON round-trips exactly (no aliases, finite floats, string keys)
    assert load_bytes(json.dumps(doc).encode(), "t.json").data == doc
    dumped = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True).encode()
    for data in (dumped, dumped[:cut] + splice + dumped[cut:], json.dumps(doc).encode()[:cut]):
        with contextlib.suppress(EgovError):
            check_document(load_bytes(data, "t.yaml"))


# ---------------------------------------------------------------------------------------------- no libyaml


@pytest.mark.parametrize(
    ("data", "line", "column", "words"),
    [
        ("a: " + "[" * 100_000, 1, None, "nesting depth exceeds 64 (raise with --max-depth)"),
        ("é: 1\nk\x01y: 1\n", 2, 2, "U+0001"),
        ("a: 1\n b: 2\n", 2, 3, "mapping values are not allowed"),
        ("a: !!python/object/apply:os.system ['x']\n", 1, 4, "YAML tags are not allowed"),
        ("a: 1\n---\nb: 2\n", 2, 1, "one document expected"),
    ],
)
def test_pure_python_parser_fallback_gives_the_same_errors(
    data: str, line: int, column: int | None, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_rules.input.load as load_module

    monkeypatch.setattr(load_module, "_FastParser", None)  # as when PyYAML is built without libyaml
    err = fails(data)
    assert words in err.message
    assert err.line == line and (column is None or err.column == column)


def test_pure_python_parser_fallback_loads_the_same_data(monkeypatch: pytest.MonkeyPatch) -> None:
    import egov_rules.input.load as load_module

    text = "a: [yes, 0o17, .5, ~, '1', {b: c}]\nd: |\n  x\n"
    fast = load_bytes(text.encode(), "t.yaml")
    monkeypatch.setattr(load_module, "_FastParser", None)
    slow = load_bytes(text.encode(), "t.yaml")
    assert (slow.data, slow.positions, slow.key_positions) == (fast.data, fast.positions, fast.key_positions)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_byte_order_mark_are_named(encoding: str) -> None:
    """As a Windows tool may save them: not "binary file (NUL byte at byte offset 1)"."""
    err = fails("submission:\n  id: x\n".encode(encoding))
    assert err.message == "file is UTF-16 or UTF-32 encoded" and (err.line, err.column) == (1, 1)
    assert "binary file" in fails(b"\x7fELF\x02\x01\x01\x00\x00").message  # binary stays binary
    assert "binary file" in fails(b"a: 1\n\x00\x00").message
