"""Trusted registry facts (``--registry DIR``): what the e-government department keeps, not the submitter.

Unified platforms, other units' information resources, collection catalogues, the applications-and-services
directory and the open-data directory are registry facts (spec/submission.md, last section): a submission
that copies them in could falsify them.  A registry directory holds YAML or JSON files whose top-level keys
are those collections (plus ``units`` and ``authorities`` that registry entities refer to); see
docs/registry.md.  Files are validated with the submission's own models (the one-pass check generated from
them, pydantic when that has a doubt), with errors at file:line:column.

Merging, per submission (``Checker.prepare``):

1. ``augment``: registry entities the submission does not hold are appended to it *before* validation, so
   the submission may refer to them (and validation covers the combination);
2. ``override_facts`` (on the one-pass check's facts) or ``override`` (on pydantic's data): after
   validation, a trusted entity the submission also holds inline (same id) is replaced by the registry's
   value, and every field the submission states differently becomes a ``warning`` finding that names the
   field and both values.  Units and authorities are only added, never replaced:
   a unit's own facts are the submission's.

Rules never know where a fact came from.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..decisions.findings import Finding
from ..errors import ConfigError, EgovError, InputError, InputErrors, Local, Position, Wording, closest
from .facts import COLLECTION, POINTER, FactBase, tag_entity
from .factschema import fact_schema
from .fast_facts import fast_facts
from .load import Document, Limits, load_document, pointer_join

# registry facts proper: the registry's value wins over an inline copy
TRUSTED = ("platforms", "info_resources", "collection_catalogues", "apps_services_directory", "open_directory")
# what registry entities refer to: added to a submission that lacks them, never put over its own copy
SUPPORTING = ("authorities", "units")
KEYS = TRUSTED + SUPPORTING
SUFFIXES = (".yaml", ".yml", ".json")
# what a bad registry is told, in both languages
NOT_A_DIRECTORY = Wording("the registry must be a directory of YAML or JSON files",
                          "登记库应为存放 YAML 或 JSON 文件的目录")
E_DIRECTORY = Wording("a directory (see docs/registry.md)", "目录（见 docs/registry.md）")
NO_FILES = Wording("the registry directory holds no .yaml, .yml or .json files",
                   "登记库目录中没有 .yaml、.yml 或 .json 文件")
UNIFIED_ONLY = Wording("the registry holds unified platforms only (unified: true)",
                       "登记库只收录统建平台（“统建平台”一项须为“是”）")
E_UNIFIED = Wording("true; a unit's own platforms belong in its submission", "“是”；单位自建的平台应写在其报送材料中")
NOT_A_MAPPING = Wording("a registry file must be a mapping of entity lists", "登记库文件应为由各类条目清单组成的映射")
E_KEYS = Wording("keys among {keys}", "以下键：{keys}")
NOT_A_COLLECTION = Wording("'{key}' is not a registry collection", "“{key}”不是登记库收录的清单")
E_ONE_OF = Wording("one of {keys}", "以下之一：{keys}")
NOT_A_LIST = Wording("'{key}' must be a list of entities", "“{key}”应为条目的列表")
E_LIST = Wording("a list", "列表")
E_ONCE = Wording("each id once across all registry files", "所有登记库文件中每个编号只出现一次")
OTHER_KIND = Wording("id '{id}' names {theirs} in the trusted registry ({where}), but {mine} here",
                     "编号“{id}”在可信登记库（{where}）中是{theirs}，此处却是{mine}")
E_SAME_KIND = Wording("an id the registry does not use for another kind of entity", "登记库未用于其他类别条目的编号")
UNCHECKED = frozenset({"id", "name", "notes"})  # labels, not facts: a differing name is no falsification

# The article a registry fact serves, cited by a mismatch finding (articles.md §2).
COLLECTION_ARTICLE = {"info_resources": 18, "collection_catalogues": 19, "apps_services_directory": 28,
                      "open_directory": 36}
PLATFORM_ARTICLE = {
    "egov_network": 16, "dedicated_network": 16, "data_centre": 17, "backup_centre": 17, "gov_cloud_platform": 17,
    "basic_database": 18, "directory_exchange_system": 18, "info_sharing_platform": 21, "open_data_portal": 21,
    "online_service_platform": 22, "cross_dept_common_software": 23, "business_application": 23,
    "grid_platform": 24, "community_terminal": 24, "call_centre": 25, "push_platform": 25, "mobile_app": 25,
    "portal_website": 25, "other_service_channel": 25, "security_monitoring_platform": 26,
    "gbs_admin_approval": 30, "gbs_law_enforcement": 30, "gbs_performance_evaluation": 30,
    "gbs_financial_management": 30, "identity_auth": 34,
}
MISMATCH_RULE = "art{article}-registry-mismatch"  # rule-like id, so waivers and reports treat it as a rule
# a placeholder identity block: registry files are validated with the submission model, which needs one
_IDENTITY = {"id": "registry", "as_of": "2015-04-01", "kind": "mixed"}


def is_registry_rule(rule_id: str) -> bool:
    head, _, tail = rule_id.partition("-")
    return tail == "registry-mismatch" and head.startswith("art") and head[3:].isdigit()


@dataclass(frozen=True)
class Entry:
    """One trusted registry entity, as read from its file."""
    collection: str
    id: str
    raw: dict[str, Any]  # as written: merged into the submission before validation
    value: dict[str, Any]  # validated and normalised: put over inline copies
    file: str
    line: int
    column: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Registry:
    """The trusted registry: entities that override inline copies in submissions."""
    root: str
    entries: dict[str, Entry]  # id -> entry
    files: list[str] = field(default_factory=list)
    sha256: str = ""

    # -- before validation -------------------------------------------------------------------------
    def augment(self, doc: Document) -> Document:
        """The submission with every registry entity it lacks appended, located in the submission (plain
        data: the one-pass check reads it as it reads a loaded document)."""
        data = doc.data
        if not isinstance(data, dict):
            return doc  # validation reports it
        held: dict[str, tuple[str, int]] = {}
        for coll, items in data.items():
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        held.setdefault(item["id"], (coll, i))
        out = dict(data)
        added: dict[str, list[Any]] = {}
        for eid, entry in self.entries.items():
            found = held.get(eid)
            if found is None:
                # shared, not copied: neither the one-pass check nor pydantic changes what it reads
                added.setdefault(entry.collection, []).append(entry.raw)
                continue
            coll, i = found
            if coll != entry.collection:
                line, column = doc.locate(f"/{coll}/{i}/id")
                raise InputError(
                    OTHER_KIND(id=eid, theirs=_kind_words(entry.collection), where=entry.where,
                               mine=_kind_words(coll)),
                    file=doc.source, line=line, column=column, field=f"/{coll}/{i}/id", expected=E_SAME_KIND(),
                )
        for coll, items in added.items():
            mine = out.get(coll)
            if mine is None or isinstance(mine, list):  # anything else: validation reports it
                out[coll] = [*(mine or []), *items]
        return _Augmented(doc, out)

    # -- after validation --------------------------------------------------------------------------
    def override(self, data: dict[str, Any], doc: Document) -> list[Finding]:
        """Put registry values over inline copies in ``data`` (validated); a finding per differing field."""
        findings: list[Finding] = []
        for coll, i, entity, entry in self._inline_copies(data, doc):
            findings += _differences(doc, coll, i, entity, entry, _as_is)
            data[coll][i] = copy.deepcopy(entry.value)
        return findings

    def override_facts(self, facts: FactBase, doc: Document) -> list[Finding]:
        """``override`` on facts built from ``doc`` (the augmented data) in one pass: the same findings, and
        the facts ``FactBase.from_data`` would build from the overridden data.  The facts' tags are left out
        of the comparison (the validated data has none)."""
        findings: list[Finding] = []
        for coll, i, entity, entry in self._inline_copies(facts.collections, doc):
            findings += _differences(doc, coll, i, entity, entry, _untagged)
            fresh = tag_entity(copy.deepcopy(entry.value), coll, i)
            facts.collections[coll][i] = fresh
            facts.by_id[entry.id] = fresh
        return findings

    def _inline_copies(self, collections: dict[str, Any], doc: Document
                       ) -> Iterator[tuple[str, int, dict[str, Any], Entry]]:
        """Each trusted entity of the validated ``collections`` that the registry holds in the same
        collection, with its place (the augmented submission ``doc`` has it at the same place)."""
        for coll in TRUSTED:
            raw_items = doc.data.get(coll) or []
            for i, entity in enumerate(collections.get(coll) or []):
                entry = self.entries.get(entity["id"])
                if entry is None or entry.collection != coll or i >= len(raw_items):
                    continue
                yield coll, i, entity, entry


class _Augmented(Document):
    """The submission's data with registry entities appended, located in the submission itself: its
    position maps are not copied (reading them makes a fast-loaded document build every pointer's)."""

    def __init__(self, base: Document, data: Any) -> None:
        self.source, self.data, self.format = base.source, data, base.format
        self.base = base

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the maps, the base's when read
        if name in ("positions", "key_positions") and "base" in self.__dict__:
            return getattr(self.base, name)
        raise AttributeError(name)

    def locate(self, pointer: str) -> tuple[int, int]:
        return self.base.locate(pointer)

    def locate_key(self, pointer: str) -> tuple[int, int]:
        return self.base.locate_key(pointer)


def _differences(doc: Document, coll: str, index: int, entity: dict[str, Any], entry: Entry,
                 plain: Callable[[Any], Any]) -> list[Finding]:
    """A finding per field the submission states (leaving a field out is no claim) unlike the registry."""
    findings = []
    for name in doc.data[coll][index]:
        if name in UNCHECKED:
            continue
        mine, theirs = plain(entity.get(name)), entry.value.get(name)
        if _show(mine) != _show(theirs):
            findings.append(_mismatch(doc, coll, index, entity, name, mine, theirs, entry))
    return findings


def _as_is(value: Any) -> Any:
    return value


def _untagged_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """A fact as the validated data has it: without its pointer and collection tags, nor its objects'."""
    return {k: _untagged(v) for k, v in entity.items() if k != POINTER and k != COLLECTION}


def _untagged(value: Any) -> Any:
    """A fact's field as the validated data has it: without the pointers tagged on objects in lists."""
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items() if k != POINTER}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


# ------------------------------------------------------------------------------------------- loading
def load_registry(root: str | os.PathLike[str], limits: Limits | None = None) -> Registry:
    """Load and validate every registry file under ``root`` (sorted; hidden files and folders skipped)."""
    limits = limits or Limits()
    base = Path(root)
    if not base.is_dir():
        raise ConfigError(NOT_A_DIRECTORY(), file=str(root), expected=E_DIRECTORY())
    paths = sorted(
        p for p in base.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and not any(s.startswith(".") for s in p.relative_to(base).parts)
    )
    if not paths:
        raise ConfigError(NO_FILES(), file=str(root))
    docs = [load_document(p, limits=limits) for p in paths]
    combined, origin = _combine(docs)
    values = _validated(combined, origin)
    entries: dict[str, Entry] = {}
    for coll in KEYS:
        for j, value in enumerate(values.get(coll) or []):
            src, i = origin[(coll, j)]
            line, column = src.locate(f"/{coll}/{i}")
            entry = Entry(coll, value["id"], src.data[coll][i], value, src.source, line, column)
            if coll == "platforms" and value.get("unified") is not True:
                line, column = src.locate(f"/{coll}/{i}/unified")
                raise ConfigError(UNIFIED_ONLY(), file=src.source, line=line, column=column,
                                  field=f"/{coll}/{i}/unified", expected=E_UNIFIED())
            entries[entry.id] = entry
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.relative_to(base).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return Registry(str(root), entries, [d.source for d in docs], digest.hexdigest())


def _validated(combined: Document, origin: dict[tuple[str, int], tuple[Document, int]]) -> dict[str, Any]:
    """The registry's entities checked with the submission's model and normalised as its dump has them: by
    the one-pass check (its facts untagged), or by pydantic when that has a doubt (it words the errors)."""
    facts = fast_facts(combined.data, combined.source)
    if facts is not None:
        return {coll: [_untagged_entity(e) for e in facts.collection(coll)] for coll in KEYS}
    try:
        from .validate import validate_document

        submission = validate_document(combined)
    except InputErrors as exc:
        raise _relocate(exc, origin) from None
    dumped: dict[str, Any] = submission.model_dump(mode="python", by_alias=True)
    return dumped


def _combine(docs: list[Document]) -> tuple[Document, dict[tuple[str, int], tuple[Document, int]]]:
    """All files as one document (so references may cross files), located in the files; and where each
    entity came from.  Keys and ids are checked here, where the file of each is still known."""
    data: dict[str, Any] = {"submission": dict(_IDENTITY)}
    offsets: list[dict[str, int]] = []
    origin: dict[tuple[str, int], tuple[Document, int]] = {}
    seen: dict[str, str] = {}
    for doc in docs:
        offset: dict[str, int] = {}  # collection -> index of this file's first entity in the combination
        if not isinstance(doc.data, dict):
            line, column = doc.locate("")
            raise ConfigError(NOT_A_MAPPING(), file=doc.source, line=line, column=column,
                              expected=E_KEYS(keys=_collections()))
        for key, items in doc.data.items():
            line, column = doc.locate_key(pointer_join("", str(key)))
            if key not in KEYS:
                raise ConfigError(NOT_A_COLLECTION(key=key), file=doc.source, line=line,
                                  column=column, field=f"/{key}", expected=E_ONE_OF(keys=_collections()),
                                  suggestion=closest(str(key), KEYS))
            if not isinstance(items, list):
                raise ConfigError(NOT_A_LIST(key=key), file=doc.source, line=line,
                                  column=column, field=f"/{key}", expected=E_LIST())
            target = data.setdefault(key, [])
            offset[key] = len(target)
            for i, item in enumerate(items):
                origin[(key, len(target))] = (doc, i)
                target.append(item)
                eid = item.get("id") if isinstance(item, dict) else None
                if isinstance(eid, str):
                    line, column = doc.locate(f"/{key}/{i}/id")
                    here = f"{doc.source}:{line}:{column}"
                    if eid in seen:
                        raise ConfigError(f"duplicate id '{eid}' in the registry: already used at {seen[eid]}",
                                          file=doc.source, line=line, column=column, field=f"/{key}/{i}/id",
                                          expected=E_ONCE())
                    seen[eid] = here
        offsets.append(offset)
    return _Combined(data, docs, offsets, origin), origin


class _Combined(Document):
    """All registry files as one document, each pointer located in the file it came from: an entity's
    ``/key/j/...`` in its file at ``/key/i/...``, a collection ``/key`` in the first file that has it,
    anything else at the first file's top.  Exactly what ``Document.locate`` gives on the files' position
    maps merged (``positions``, built only when read: reading a fast-loaded file's maps builds them)."""

    def __init__(self, data: dict[str, Any], docs: list[Document], offsets: list[dict[str, int]],
                 origin: dict[tuple[str, int], tuple[Document, int]]) -> None:
        self.source, self.data, self.format = "<registry>", data, "data"
        self.docs, self.offsets, self.origin = docs, offsets, origin

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the merged maps, when read
        if name not in ("positions", "key_positions") or "docs" not in self.__dict__:
            raise AttributeError(name)
        self.positions, self.key_positions = {}, {}
        for doc, offset in zip(self.docs, self.offsets, strict=True):
            for table, into in ((doc.positions, self.positions), (doc.key_positions, self.key_positions)):
                for ptr, pos in table.items():  # /key/i/... -> /key/(i + offset)/...
                    parts = ptr.split("/", 3)
                    if len(parts) >= 3 and parts[1] in offset and parts[2].isdigit():
                        parts[2] = str(int(parts[2]) + offset[parts[1]])
                        into["/".join(parts)] = pos
                    else:
                        into.setdefault(ptr, pos)
        return self.__dict__[name]

    def locate(self, pointer: str) -> tuple[int, int]:
        doc, local, _ = self._place(pointer)
        return doc.locate(local)

    def locate_key(self, pointer: str) -> tuple[int, int]:
        doc, local, exact = self._place(pointer)
        return doc.locate_key(local) if exact else doc.locate(local)

    def _place(self, pointer: str) -> tuple[Document, str, bool]:
        """The file, the pointer there, and whether it is the pointer itself (else the ancestor that
        ``locate`` would fall back to)."""
        parts = pointer.split("/", 3)
        if len(parts) >= 3 and parts[2].isascii() and parts[2].isdigit() and str(int(parts[2])) == parts[2]:
            found = self.origin.get((parts[1], int(parts[2])))
            if found is not None:  # collection names need no escaping: the pointer's token is the key
                doc, i = found
                return doc, "/".join(["", parts[1], str(i), *parts[3:]]), True
        if len(parts) >= 2 and pointer.startswith("/"):
            for doc in self.docs:
                if parts[1] in doc.data:
                    return doc, "/" + parts[1], len(parts) == 2
        return self.docs[0], "", not pointer


def _relocate(exc: InputErrors, origin: dict[tuple[str, int], tuple[Document, int]]) -> InputErrors:
    """Point each validation error back at the registry file and pointer it came from."""
    out: list[EgovError] = []
    for err in exc.errors:
        pointer = err.field or ""
        parts = pointer.split("/")
        if len(parts) >= 3 and parts[2].isdigit() and (parts[1], int(parts[2])) in origin:
            src, i = origin[(parts[1], int(parts[2]))]
            err.field = "/".join(["", parts[1], str(i), *parts[3:]])
            err.position = Position(src.source, err.line, err.column)
        out.append(err)
    out.sort(key=lambda e: (e.file, e.line, e.column))
    return InputErrors(out)


# ------------------------------------------------------------------------------------------ findings
def _label(collection: str) -> str:
    return fact_schema().collections.get(collection, collection).replace("_", " ")


def _kind_words(collection: str) -> Local:
    """The kind of entity a collection holds: ``platform`` / 平台."""
    from ..text.labels import entity_label

    return Local(_label(collection), entity_label(fact_schema().collections.get(collection, collection), "zh"))


def _collections() -> Local:
    """The registry's collections as typed, English-joined; in Chinese each with its label."""
    from ..text.labels import collection_label

    return Local(", ".join(KEYS), "、".join(f"{k}（{collection_label(k, 'zh')}）" for k in KEYS))


def _show(value: Any) -> str:
    """A value as JSON shows it: compared and quoted in messages (dates as text, keys sorted)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _field_zh(entity: str, path: str) -> str:
    from ..text.labels import field_label

    return f"「{field_label(entity, path, 'zh')}」"


def _value_zh(entity: str, path: str, value: Any) -> str:
    """A registry value as a Chinese text says it: enum values and yes/no by label, a mapping field by field."""
    from ..text.labels import enum_key, enum_label, field_label

    if value is None:
        return "未填写"
    if isinstance(value, bool):
        return "“是”" if value else "“否”"
    if isinstance(value, dict):
        return "、".join(f"{field_label(entity, f'{path}.{k}', 'zh')}{_value_zh(entity, f'{path}.{k}', v)}"
                        for k, v in sorted(value.items())) or "空"
    if isinstance(value, list):
        return "、".join(_value_zh(entity, path + "[]", v) for v in value) or "空列表"
    if isinstance(value, str) and enum_key(entity, path):
        return f"“{enum_label(entity, path, value, 'zh')}”"
    return f"“{value}”" if isinstance(value, str) else _show(value)


def _article(collection: str, entity: dict[str, Any]) -> int:
    if collection == "platforms":
        return PLATFORM_ARTICLE.get(str(entity.get("kind")), 18)
    return COLLECTION_ARTICLE.get(collection, 18)


def _mismatch(doc: Document, coll: str, index: int, entity: dict[str, Any], name: str, mine: Any, theirs: Any,
              entry: Entry) -> Finding:
    article = _article(coll, entry.value)
    rule = MISMATCH_RULE.format(article=article)
    eid = entity["id"]
    kind = fact_schema().collections.get(coll, coll)
    pointer = f"/{coll}/{index}/{name}"
    line, column = doc.locate(pointer)
    a, b = _show(mine), _show(theirs)
    where = entry.where
    title = {"en": "Inline copy of a registry fact disagrees with the trusted registry",
             "zh": "申报材料中登记库事实的副本与可信登记库不一致"}
    message = {
        "en": f"{_label(coll).capitalize()} {eid}: the submission states {name} = {a}, but the trusted registry "
              f"({where}) has {b}; the registry value is used.",
        "zh": f"{eid}：申报材料中{_field_zh(kind, name)}为{_value_zh(kind, name, mine)}，可信登记库（{where}）中为"
              f"{_value_zh(kind, name, theirs)}；以登记库为准。",
    }
    remediation = {
        "en": f"Correct {name} of {eid} in the submission or leave the entity out and let the registry supply "
              "it; if the registry is out of date, ask the e-government department to correct it.",
        "zh": f"更正申报材料中 {eid} 的{_field_zh(kind, name)}，或删除该副本、由登记库提供；如登记库有误，"
              "请电子政务管理部门更正。",
    }
    fingerprint = hashlib.sha256(f"{rule}|{eid}|/{name}".encode()).hexdigest()[:32]
    return Finding(
        rule=rule, article=article, paragraph=None, item=None, severity="warning", title=title,
        message=message, remediation=remediation, subject_type=kind, subject_id=eid, file=doc.source,
        line=line, column=column, pointer=pointer, logical_location=f"{kind}[{eid}]/{name}", project=None,
        stage=None, project_severity=None, art44_class="none", art46=[(7, "potential")],
        fingerprint=fingerprint, key=(pointer,),
    )
