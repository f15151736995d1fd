"""egov_rules.input.load: examples, YAML 1.2 scalars, positions (YAML and JSON), pointers, entry points."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from egov_rules.errors import InputError
from egov_rules.input.load import (
    Document,
    Limits,
    load_bytes,
    load_document,
    load_stream,
    pointer_join,
    pointer_parts,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "vendor" / "spec" / "examples"


def example(name: str) -> Path:
    path = EXAMPLES / name
    assert path.is_file(), f"vendored example missing: {path}"
    return path


def where(path: Path, needle: str, value_start: str | None = None) -> tuple[int, int]:
    """1-based (line, character column) of ``value_start`` on the first line containing ``needle``."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number, text.index(value_start if value_start is not None else needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def load(text: str, **kwargs: object) -> Document:
    return load_bytes(text.encode("utf-8"), "t.yaml", **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "name",
    ["01_county_compliant.yaml", "02_municipal_own_datacentre.yaml", "03_collection_outside_catalogue.yaml"],
)
def test_examples_load_as_mappings_with_a_position_for_every_node(name: str) -> None:
    doc = load_document(example(name))
    assert doc.format == "yaml"
    assert doc.source == str(EXAMPLES / name)
    assert isinstance(doc.data["submission"]["id"], str)
    assert isinstance(doc.data["submission"]["as_of"], str)  # dates stay strings
    # every node of the data has a position, every mapping member a key position
    todo: list[tuple[str, object]] = [("", doc.data)]
    while todo:
        pointer, value = todo.pop()
        assert pointer in doc.positions, pointer
        if isinstance(value, dict):
            for k, v in value.items():
                assert pointer_join(pointer, k) in doc.key_positions
                todo.append((pointer_join(pointer, k), v))
        elif isinstance(value, list):
            todo.extend((pointer_join(pointer, i), v) for i, v in enumerate(value))


def test_example_02_component_position_is_its_flow_mapping() -> None:
    path = example("02_municipal_own_datacentre.yaml")
    doc = load_document(path)
    assert doc.data["projects"][0]["components"][0]["mode"] == "build_own"
    assert doc.locate("/projects/0/components/0") == where(path, "- {kind: data_centre, mode: build_own", "{")
    assert doc.locate("/projects/0/components/0/mode") == where(
        path, "- {kind: data_centre, mode: build_own", "build_own"
    )
    assert doc.positions["/submission/as_of"] == where(path, "as_of:", "2016-11-08")
    assert doc.key_positions["/submission/as_of"] == where(path, "as_of:")
    assert doc.data["submission"]["as_of"] == "2016-11-08"
    # a quoted record number with CJK characters: a string, column counted in characters
    record = doc.data["plans"][0]["filing"]["record_no"]
    assert record == "闽数字办备〔2016〕3号"
    assert doc.positions["/plans/0/filing/record_no"] == where(path, "record_no:", '"闽数字办')


def test_example_01_columns_are_characters_not_bytes() -> None:
    path = example("01_county_compliant.yaml")
    doc = load_document(path)
    # line 27: "{id: unit.fj.gat, name: 福建省公安厅 (...), type: state_organ, ...}": CJK before `type`
    assert doc.data["units"][1]["type"] == "state_organ"
    assert doc.positions["/units/1/type"] == where(path, "id: unit.fj.gat", "state_organ")
    assert doc.key_positions["/units/1/type"] == where(path, "id: unit.fj.gat", "type:")
    # a block mapping item is positioned at its first key
    assert doc.positions["/units/0"] == where(path, "- id: unit.ct.mz", "id:")


def test_example_03_item_after_comment_lines() -> None:
    path = example("03_collection_outside_catalogue.yaml")
    doc = load_document(path)
    items = doc.data["collection_items"]
    index = next(i for i, item in enumerate(items) if item["id"] == "ci.33")
    assert doc.locate(f"/collection_items/{index}") == where(path, "{id: ci.33,", "{")
    assert doc.locate(f"/collection_items/{index}/source") == where(path, "{id: ci.33,", "from_subject")


def test_examples_match_safe_load_apart_from_dates() -> None:
    import datetime

    import yaml

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, datetime.date) else value

    for name in ("01_county_compliant.yaml", "02_municipal_own_datacentre.yaml"):
        path = example(name)
        assert load_document(path).data == plain(yaml.safe_load(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------- scalars

YAML_12_SCALARS = [
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("Yes", "Yes"),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("~", None),
    ("", None),
    ("nULL", "nULL"),
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("0", 0),
    ("-12", -12),
    ("+7", 7),
    ("007", 7),
    ("0o17", 15),
    ("0x1F", 31),
    ("0xff", 255),
    ("0o8", "0o8"),
    ("0b101", "0b101"),  # binary is YAML 1.1 only
    ("1_000", "1_000"),  # underscores are YAML 1.1 only
    ("١٢٣", "١٢٣"),  # non-ASCII digits are text
    ("1.5", 1.5),
    ("-1.5", -1.5),
    (".5", 0.5),
    ("1.", 1.0),
    ("1e3", 1000.0),
    ("1E-2", 0.01),
    ("2016-01-10", "2016-01-10"),
    ("2016-01-10T10:00:00Z", "2016-01-10T10:00:00Z"),
    ("12:30", "12:30"),  # sexagesimal is YAML 1.1 only
    ("'true'", "true"),
    ('"1"', "1"),
    ("'null'", "null"),
    ("'~'", "~"),
    ('""', ""),
    ("'.nan'", ".nan"),
    ("|\n    multi\n    line\n", "multi\nline\n"),
    (">-\n    folded\n    text\n", "folded text"),
]


@pytest.mark.parametrize(("text", "expected"), YAML_12_SCALARS)
def test_yaml_12_core_schema(text: str, expected: object) -> None:
    value = load(f"v: {text}\n").data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_quoted_keys_that_look_like_numbers_are_strings() -> None:
    assert load("\"1\": a\n'null': b\n").data == {"1": "a", "null": "b"}


# ---------------------------------------------------------------------------------------------- positions


def test_yaml_positions_and_key_positions() -> None:
    doc = load("a:\n  b: [1, {c: x}]\n  d:\n    - e\n")
    assert doc.positions == {
        "": (1, 1),
        "/a": (2, 3),
        "/a/b": (2, 6),
        "/a/b/0": (2, 7),
        "/a/b/1": (2, 10),
        "/a/b/1/c": (2, 14),
        "/a/d": (4, 5),
        "/a/d/0": (4, 7),
    }
    assert doc.key_positions == {"/a": (1, 1), "/a/b": (2, 3), "/a/b/1/c": (2, 11), "/a/d": (3, 3)}


JSON_TEXT = """{
  "submission": {"id": "s\\"1", "as_of": "2016-01-01"},
  "projects": [
    {"id": "p\\u00e9", "budget": {"construction_cny": 1.5e3, "om_cny_per_year": -2},
     "flags": [true, false, null]}
  ]
}
"""


def test_json_positions_for_every_value_and_key() -> None:
    doc = load_bytes(JSON_TEXT.encode(), "s.json")
    assert doc.format == "json"
    assert doc.data["submission"]["id"] == 's"1'
    assert doc.data["projects"][0]["id"] == "pé"
    assert doc.data["projects"][0]["budget"] == {"construction_cny": 1500.0, "om_cny_per_year": -2}
    assert doc.positions == {
        "": (1, 1),
        "/submission": (2, 17),
        "/submission/id": (2, 24),
        "/submission/as_of": (2, 41),
        "/projects": (3, 15),
        "/projects/0": (4, 5),
        "/projects/0/id": (4, 12),
        "/projects/0/budget": (4, 33),
        "/projects/0/budget/construction_cny": (4, 54),
        "/projects/0/budget/om_cny_per_year": (4, 80),
        "/projects/0/flags": (5, 15),
        "/projects/0/flags/0": (5, 16),
        "/projects/0/flags/1": (5, 22),
        "/projects/0/flags/2": (5, 29),
    }
    assert doc.key_positions["/submission"] == (2, 3)
    assert doc.key_positions["/submission/as_of"] == (2, 32)
    assert doc.key_positions["/projects/0/flags"] == (5, 6)
    # the same text parsed by the standard library gives the same data
    assert doc.data == json.loads(JSON_TEXT)


def test_json_positions_with_crlf_and_sniffed_format() -> None:
    doc = load_bytes(b'\r\n  {"a":\r\n [1,\r\n 2]}', "stdin")  # no .json suffix: sniffed
    assert doc.format == "json"
    assert doc.positions == {"": (2, 3), "/a": (3, 2), "/a/0": (3, 3), "/a/1": (4, 2)}
    assert doc.key_positions == {"/a": (2, 4)}


def test_sniffed_yaml_flow_mapping_falls_back_to_yaml() -> None:
    doc = load_bytes(b"{a: 1, b: [yes]}", "x")
    assert doc.format == "yaml"
    assert doc.data == {"a": 1, "b": ["yes"]}


def test_explicit_format_is_respected() -> None:
    with pytest.raises(InputError, match="JSON"):
        load_bytes(b"{a: 1}", "x.yaml", fmt="json")
    assert load_bytes(b'{"a": 1}', "x.json", fmt="yaml").format == "yaml"  # JSON is valid YAML
    with pytest.raises(InputError, match="JSON"):
        load_bytes(b"a: 1\n", "x.json")  # the suffix decides


def test_locate_falls_back_to_nearest_ancestor() -> None:
    doc = load("a:\n  b:\n    c: 1\n")
    assert doc.locate("/a/b/c") == (3, 8)
    assert doc.locate("/a/b/missing/deeper") == (3, 5)
    assert doc.locate("/nothing") == (1, 1)
    assert doc.locate_key("/a/b/c") == (3, 5)
    assert doc.locate_key("/a/b/missing") == (3, 5)
    empty = Document("x", {}, {}, {}, "yaml")
    assert empty.locate("/a") == (1, 1)


# ---------------------------------------------------------------------------------------------- pointers


def test_pointer_escaping() -> None:
    assert pointer_join("", "a/b") == "/a~1b"
    assert pointer_join("/x", "m~n") == "/x/m~0n"
    assert pointer_join("/x", "~1") == "/x/~01"  # '~' first, so '~1' does not become '/'
    assert pointer_join("/x", 3) == "/x/3"
    assert pointer_join("", "") == "/"
    assert pointer_parts("") == []
    assert pointer_parts("/") == [""]
    assert pointer_parts("/x/~01/a~1b/m~0n/0") == ["x", "~1", "a/b", "m~n", "0"]
    for key in ["a/b", "~", "~0", "~1/", "plain", ""]:
        assert pointer_parts(pointer_join("/p", key)) == ["p", key]
    with pytest.raises(ValueError):
        pointer_parts("no-slash")


def test_loaded_keys_are_escaped_in_pointers() -> None:
    doc = load('"a/b": {"m~n": 1}\n')
    assert doc.data == {"a/b": {"m~n": 1}}
    assert doc.positions["/a~1b/m~0n"] == (1, 16)
    assert doc.key_positions["/a~1b"] == (1, 1)


# ---------------------------------------------------------------------------------------------- entry points


def test_load_document_uses_source_name_and_reports_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "sub.yaml"
    path.write_text("submission: {id: s}\n", encoding="utf-8")
    assert load_document(path).source == str(path)
    assert load_document(path, source="shown.yaml").source == "shown.yaml"
    with pytest.raises(InputError, match="file not found") as err:
        load_document(tmp_path / "missing.yaml")
    assert err.value.file == str(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="directory"):
        load_document(tmp_path)


def test_load_stream_reads_bytes_and_text_streams() -> None:
    doc = load_stream(io.BytesIO(b"a: 1\n"))
    assert (doc.source, doc.data) == ("<stdin>", {"a": 1})
    text_stream = io.TextIOWrapper(io.BytesIO("a: é\n".encode()), encoding="utf-8")
    assert load_stream(text_stream, "in").data == {"a": "é"}  # type: ignore[arg-type]


def test_bom_is_skipped_and_positions_unchanged() -> None:
    doc = load_bytes(b"\xef\xbb\xbfa: 1\n", "x.yaml")
    assert doc.data == {"a": 1}
    assert doc.positions["/a"] == (1, 4)
    assert load_bytes(b'\xef\xbb\xbf{"a": 1}', "x.json").data == {"a": 1}


def test_limits_name_their_options() -> None:
    fields = {"max_bytes", "max_depth", "max_nodes", "max_entities", "max_aliases", "max_seconds"}
    assert set(Limits.OPTIONS) == fields
    assert all(option == "--" + name.replace("_", "-") for name, option in Limits.OPTIONS.items())
    assert Limits().max_aliases == 0 and Limits().max_depth == 64
