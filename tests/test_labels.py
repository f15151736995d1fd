"""The labels table covers the whole submission format, in English and in Chinese without Latin letters."""

from __future__ import annotations

import re

import pytest

from egov_rules.input.factschema import fact_schema
from egov_rules.text import labels

LATIN = re.compile(r"[A-Za-z]")


def _enum_fields() -> list[tuple[str, str, object]]:
    rows = []
    for (entity, path), _key in labels._enum_keys().items():
        ftype = labels._field_type(fact_schema().entities.get(entity), path)
        assert ftype is not None, (entity, path)
        rows.extend((entity, path, value) for value in ftype.enum if value is not None)
    return rows


def test_every_enum_value_has_its_own_label_in_both_languages() -> None:
    table = labels._table()["enums"]
    missing = []
    for entity, path, value in _enum_fields():
        key = labels.enum_key(entity, path)
        entry = table.get(key, {}).get(str(value))
        if not (isinstance(entry, dict) and entry.get("en") and entry.get("zh")):
            missing.append(f"{key}: {value}")
    assert missing == []


def test_every_field_has_label_and_help_in_both_languages() -> None:
    table = labels._table()["fields"]
    missing = []
    for entity, path in labels.schema_fields():
        entry = table.get(f"{entity}.{path}")
        if not isinstance(entry, dict) or not all(entry.get(k) for k in ("en", "zh", "help_en", "help_zh")):
            missing.append(f"{entity}.{path}")
    assert missing == []
    assert len(labels.schema_fields()) > 250  # the walk reaches nested objects and list items


def test_every_entity_and_collection_is_labelled() -> None:
    for entity, collection in labels.entity_types().items():
        assert labels._table()["entities"][entity]["zh"], entity
        if collection != "submission":
            assert labels._table()["collections"][collection]["zh"], collection


def test_table_has_no_stale_keys() -> None:
    fields = {f"{e}.{p}" for e, p in labels.schema_fields()}
    assert set(labels._table()["fields"]) - fields == set()
    enum_keys = set(labels._enum_keys().values())
    assert set(labels._table()["enums"]) - enum_keys == set()


def _zh_texts(node: object, where: str = ""):
    if isinstance(node, dict):
        for key, sub in node.items():
            if key in ("zh", "help_zh"):
                yield f"{where}.{key}", sub
            else:
                yield from _zh_texts(sub, f"{where}.{key}")


@pytest.mark.parametrize("section", ["entities", "collections", "fields", "enums"])
def test_chinese_labels_have_no_latin_letters(section: str) -> None:
    bad = [(where, text) for where, text in _zh_texts(labels._table()[section], section) if LATIN.search(text)]
    assert bad == []


def test_api_uses_the_table() -> None:
    assert labels.enum_label("project", "components[].mode", "build_own", "zh") == "自建"
    assert labels.enum_label("plan", "kind", "city_development_plan", "en") == "city development plan"
    assert labels.enum_label("plan", "kind", "city_development_plan", "zh") == "设区市电子政务发展规划"
    assert labels.enum_label("platform", "integration_status", "none", "zh") == "未整合"
    assert labels.enum_label("info_resource", "not_shared_basis", "none", "en") == "no lawful basis stated"
    assert labels.enum_label("project", "stage", None, "zh") == "未填写"
    assert labels.field_label("plan", "filing.filed_date", "zh") == "备案日期"
    assert "Art" in labels.field_help("approval", "date", "en") or "Arts" in labels.field_help("approval", "date")
    assert labels.collection_label("approvals", "zh") == "审批事项"
