"""Authoring help (issue 10 pt 11): the published schema describes every property in English and Chinese and
has a `$id`; a submission with many problems gets its schema and reference errors in one round; a block with
missing required fields is one error naming them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from egov_rules.cli import app
from egov_rules.input.load import load_document
from egov_rules.input.schema_nodes import normative_schema
from egov_rules.text.labels import field_help

ROOT = Path(__file__).resolve().parents[1]
COMPLIANT = ROOT / "fixtures" / "01_county_compliant.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def published() -> dict[str, Any]:
    code, out, _ = run("schema", "submission")
    assert code == 0
    return json.loads(out)


def properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, key, prop) for name, node in [("(root)", schema), *schema["$defs"].items()]
            for key, prop in node.get("properties", {}).items()]


def test_schema_has_an_id_and_is_a_valid_2020_12_schema() -> None:
    schema = published()
    assert schema["$id"] == normative_schema()["$id"] and schema["$id"].startswith("urn:egov-rules:")
    Draft202012Validator.check_schema(schema)
    assert not list(Draft202012Validator(schema).iter_errors(load_document(COMPLIANT).data))  # dates as text


def test_every_property_has_an_english_and_a_chinese_description() -> None:
    props = properties(published())
    assert len(props) > 250  # every entity's fields, nested objects included
    for owner, key, prop in props:
        en, _, zh = prop["description"].partition("\n")
        assert re.search("[A-Za-z]{3}", en) and en != key.replace("_", " "), (owner, key, prop["description"])
        assert CJK.search(zh) and CJK.search(prop["x-description-zh"]) and CJK.search(prop["x-title-zh"]), (owner, key)


def test_descriptions_come_from_the_labels_table() -> None:
    mode = published()["$defs"]["Component"]["properties"]["mode"]
    assert mode["description"].split("\n")[0] == field_help("project", "components[].mode")
    assert mode["x-description-zh"] == field_help("project", "components[].mode", "zh")


def _write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return str(path)


def test_schema_and_reference_errors_in_one_round(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    data["units"][0]["unit_type"] = "bogus"              # schema: unknown field
    data["projects"][0]["stage"] = "someday"              # schema: not a stage
    data["projects"][0]["unit"] = "unit.nowhere"          # reference: names nothing
    data["plans"][0]["owner"] = data["projects"][0]["id"]  # reference: the wrong kind of entity
    code, _, err = run("validate", _write(tmp_path, data))
    assert code == 2
    fields = re.findall(r"field '([^']+)'", err)
    assert {"/units/0/unit_type", "/projects/0/stage", "/projects/0/unit", "/plans/0/owner"} <= set(fields), err
    assert len(fields) == len(set(fields))  # nothing reported twice


def test_a_field_with_a_schema_error_is_not_also_a_reference_error(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    data["projects"][0]["unit"] = 42
    code, _, err = run("validate", _write(tmp_path, data))
    assert code == 2 and err.count("'/projects/0/unit'") == 1


def test_a_block_missing_its_required_fields_is_one_error_naming_them(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    project = data["projects"][0]
    data["projects"][0] = {"id": project["id"]}
    code, _, err = run("validate", _write(tmp_path, data))
    lines = [x for x in err.splitlines() if "/projects/0" in x]
    assert code == 2 and len(lines) == 1, err
    assert "missing" in lines[0] and all(k in lines[0] for k in ("unit", "stage", "budget", "components"))
    assert re.search(r"missing \d+ required fields: ", lines[0])


def test_one_missing_field_is_still_named_alone(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    del data["projects"][0]["stage"]
    code, _, err = run("validate", _write(tmp_path, data))
    assert code == 2 and "'/projects/0/stage'" in err and "missing required field 'stage'" in err


def test_the_missing_fields_error_in_chinese(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    data["submission"] = {}
    code, _, err = run("validate", _write(tmp_path, data), "--lang", "zh")
    assert code == 2 and "缺少 3 个必填字段：“id”、“as_of”、“kind”" in err, err
