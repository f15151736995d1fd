"""Turn engine verdicts into findings: cited, worded in English and Chinese, located in the file.

Engine-independent: both engines produce ``Verdict``s; this module words them the same way.  For a
verdict it re-runs the rule on that one binding with a trace (native closures) to find the entity that
decided it (for the message) and, for ``insufficient``, the null facts to supply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..engine.evaluate import NativeEngine, Verdict
from ..engine.getters import ABSENT, compile_path
from ..input.facts import COLLECTION, POINTER, FactBase
from ..input.load import Document
from ..rules.conditions import Path
from ..text.i18n import enum_label
from ..text.labels import label_in_enum
from ..text.zh import fill_zh_layout, tidy_zh, tidy_zh_layout, value_edges, zh_terms
from .sanctions import art44_consequences, art46_status

SEVERITY_ORDER = {"violation": 3, "warning": 2, "insufficient": 1}
LANGS = ("en", "zh")


@dataclass
class MissingFact:
    """A fact a finding needed but the submission does not give."""
    pointer: str
    path: str  # the rule's path to the fact (component.platform.cloud_backup_compliant)
    line: int
    column: int
    name: str = ""  # the fact as in the file: entity id and field (plat.qz.wjw_dc.cloud_backup_compliant)
    cell: str | None = None  # in a workbook: 'sheet'!C7

    def label(self) -> str:
        return self.name or self.path


@dataclass
class Finding:
    """One finding: the rule, its article, severity, wording in both languages, and where."""
    rule: str
    article: int
    paragraph: int | None
    item: str | None
    severity: str
    title: dict[str, str]
    message: dict[str, str]
    remediation: dict[str, str]
    subject_type: str
    subject_id: str
    file: str
    line: int
    column: int
    pointer: str
    logical_location: str
    project: str | None
    stage: str | None
    project_severity: str | None
    art44_class: str
    art46: list[tuple[int, str]]
    fingerprint: str
    missing: list[MissingFact] = field(default_factory=list)
    downgrade_reason: dict[str, str] | None = None
    interpretation: dict[str, Any] | None = None
    waived: dict[str, Any] | None = None
    key: tuple[str, ...] = ()
    also_cites: tuple[int, ...] = ()
    context: bool = False  # about an entity the submission does not put under review (review_scope.py)
    cell: str | None = None  # in a workbook: 'sheet'!C7 (line and column are its row and column)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.article, self.rule, self.line, self.column, self.pointer, self.key)

    def word(self) -> None:
        """Word the title, message and remediation now (else on first read): before the finding outlives its
        check, since until then it holds the check's facts."""
        _ = self.title  # reading one words all three

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (and copied) with its texts worded: the wording holds the check's facts and compiled rules."""
        self.word()
        return dict(self.__dict__)

    def consequences(self, stage: str | None = None) -> list[str]:
        return art44_consequences(self.art44_class, stage or self.stage, self.project_severity)


def where(line_word: str, line: int, cell: str | None) -> str:
    """Where in the file, for a human: ``'项目 projects'!C7`` in a workbook, else ``line 41`` (``line_word``)."""
    return cell or f"{line_word} {line}"


def render_value(value: Any, lang: str, ftype: Any = None, names: dict[str, Any] | None = None) -> str:
    """A fact as a reader sees it: enum values by label, entities and references by name and id, never null."""
    if value is None:
        return "未填写" if lang == "zh" else "not given"
    if value is ABSENT:
        return "无" if lang == "zh" else "none"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dict):
        ident = value.get("id")
        if ident is None:
            return str(value.get(POINTER, "?"))
        return named(str(ident), value.get("name"), lang)
    if isinstance(value, list):
        item = getattr(ftype, "item", None) if getattr(ftype, "kind", None) == "list" else ftype
        sep = "、" if lang == "zh" else ", "
        return sep.join(render_value(v, lang, item, names) for v in value) or ("无" if lang == "zh" else "none")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        kind = getattr(ftype, "kind", None)
        if kind == "enum":
            return label_in_enum(ftype.enum, value, lang)
        if names is not None and value in names:  # a reference or an id: the entity's name beside it
            entity = names[value]
            return named(value, entity.get("name") if isinstance(entity, dict) else None, lang)
        if kind is None:
            return enum_label(value, lang)
        return value
    return str(value)


def named(ident: str, name: Any, lang: str) -> str:
    """``永春县城市管理局（unit.yc.cgj）`` / ``Yongchun bureau (unit.yc.cgj)``; the id alone without a name."""
    if isinstance(name, str) and name.strip():
        name = " ".join(name.split())
        return f"{name}（{ident}）" if lang == "zh" else f"{name} ({ident})"
    return ident


# free text that does not identify a list item (editing it must not look like a new finding)
_NOT_IDENTIFYING = frozenset({"name", "notes", "justification", "title", "duty_basis"})


def stable_key(value: Any) -> str:
    """What identifies a bound value independently of where it stands in the file.

    Entities have ids; items of nested lists (components, entries, outputs) have none, so they are named by
    their identifying scalar fields: inserting an unrelated item before them changes nothing."""
    if isinstance(value, dict):
        if "id" in value and COLLECTION in value:
            return str(value["id"])
        parts = sorted(
            f"{k}={v}" for k, v in value.items()
            if not k.startswith("_") and k not in _NOT_IDENTIFYING and isinstance(v, str | int | float | bool)
        )
        return "{" + ",".join(parts) + "}"
    return repr(value)


def missing_message(missing: list[MissingFact]) -> dict[str, str]:
    """Each unknown fact once, by its name in the file and its line."""
    en = ", ".join(f"{m.label()} ({m.cell or f'line {m.line}'})" for m in missing) or "?"
    zh = "、".join(f"{m.label()}（{m.cell or f'第{m.line}行'}）" for m in missing) or "？"  # a workbook: the cell
    return {"en": f"This cannot be decided because these facts are not given: {en}.",
            "zh": f"以下事实未填写，无法判定：{zh}。"}


def fingerprint_of(rule_id: str, bindings: list[tuple[str, Any]]) -> str:
    text = rule_id + "|" + "|".join(f"{name}={stable_key(v)}" for name, v in bindings)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _fact_name(pointer: str, facts: FactBase) -> str | None:
    """``plat.qz.wjw_dc.cloud_backup_compliant``: a fact named by its entity's id and field, as in the file."""
    parts = pointer.split("/")
    if len(parts) >= 4 and parts[2].isdigit():
        items = facts.collections.get(parts[1], [])
        if int(parts[2]) < len(items):
            return str(items[int(parts[2])].get("id")) + "." + ".".join(parts[3:])
    if len(parts) >= 3 and parts[1] == "submission":
        return "submission." + ".".join(parts[2:])
    return None


def _logical_location(pointer: str, entity_ptr: str, subject_type: str, subject_id: str, facts: FactBase) -> str:
    """``project[prj.x]/components/0``: the entity that holds the node, by id, and the path inside it."""
    if entity_ptr and pointer.startswith(entity_ptr):
        return f"{subject_type}[{subject_id}]{pointer[len(entity_ptr):]}"
    parts = pointer.split("/")
    if len(parts) >= 3 and parts[2].isdigit():  # a node of another entity (e.g. an unknown fact of a platform)
        items = facts.collections.get(parts[1], [])
        index = int(parts[2])
        if index < len(items):
            owner = items[index]
            kind = facts.schema.collections.get(parts[1], parts[1])
            return f"{kind}[{owner.get('id')}]" + "".join(f"/{p}" for p in parts[3:])
    return pointer


class _RefType:
    kind = "ref"


_REF = _RefType()


def question_text(title: dict[str, str]) -> dict[str, str]:
    """The open question of a rule without its own ``question``: derived from its title."""
    return {"en": f"Cannot decide whether this applies: {title['en']}",
            "zh": f"无法判定是否存在以下问题：{title['zh']}"}


_UNREAD = object()


class _TextPlan:
    """One template (a rule's title, message... in one language): its values' paths and types worked out
    once, and its Chinese tidied once per combination of its values' edges (zh.tidy_zh_layout), not per
    finding: the same text as tidying each finding's text whole, at a fraction of the cost."""

    def __init__(self, parts: list[tuple[str, Path | None]]) -> None:
        self.parts = parts  # kept: the cache is keyed by its id
        self.slots: list[tuple[Path, Any, tuple[str, bool]]] = []  # path, type to render by, what it reads
        self.fixed: list[str | None] = []  # the fixed texts, None where a value goes
        for text, path in parts:
            if path is None:
                self.fixed.append(text)
                continue
            own_id = bool(path.steps) and path.steps[-1].name == "id" and not path.mapped
            ftype = _REF if own_id else path.type  # an entity's own id: named like a reference
            self.slots.append((path, ftype, (path.text, path.mapped)))  # the same text reads the same value
            self.fixed.append(None)
        self._layouts: dict[tuple[tuple[str, str], ...], list[str | int]] = {}

    def en(self, values: list[str]) -> str:
        it = iter(values)
        return " ".join("".join(next(it) if text is None else text for text in self.fixed).split())

    def zh(self, values: list[str]) -> str:
        edges = tuple(value_edges(v) for v in values)
        layout = self._layouts.get(edges)
        if layout is None:
            it = iter(edges)
            shape: list[str | tuple[str, str]] = [next(it) if text is None else text for text in self.fixed]
            layout = self._layouts[edges] = tidy_zh_layout(shape)
        return fill_zh_layout(layout, values)


class _Wording:
    """A finding's title, message and remediation (both languages), worded from its rule's templates when
    one of them is first read.  Wording is over half the cost of a finding; the API, gate decisions, exit
    codes and counts never read it.  Everything it reads is the finding's own: the traced bindings, the
    check's facts (built for this check, not changed after it) and the builder's cached text plans."""

    __slots__ = ("builder", "env", "facts", "missing", "read", "rule")

    def __init__(self, builder: FindingBuilder, rule: Any, env: dict[str, Any], facts: FactBase,
                 missing: list[MissingFact] | None) -> None:
        self.builder, self.rule, self.env, self.facts, self.missing = builder, rule, env, facts, missing
        self.read: dict[tuple[str, bool], Any] = {}

    def _texts(self, kind: str) -> dict[str, str]:
        parts = self.rule.templates[kind]
        return {lang: self.builder._text(parts[lang], self.env, self.facts, lang, self.read) for lang in LANGS}

    def word(self, state: dict[str, Any]) -> None:
        """Put the three texts into the finding's ``state`` where it still holds this wording."""
        missing = self.missing
        if missing is None:
            texts = {kind: self._texts(kind) for kind in ("title", "message", "remediation")}
        else:  # unknown facts: worded from the question (or the title) and the facts to supply
            remediation = self._texts("remediation")
            names = {"en": ", ".join(m.label() for m in missing) or "?",
                     "zh": "、".join(m.label() for m in missing) or "？"}
            texts = {
                "title": self._texts("question") if "question" in self.rule.templates
                else question_text(self._texts("title")),
                "message": missing_message(missing),
                "remediation": {
                    "en": f"Supply {names['en']}. If the facts then show a problem: {remediation['en']}",
                    "zh": f"请补充{names['zh']}。补充后如确有问题：{remediation['zh']}",
                },
            }
        for kind, text in texts.items():
            if state.get(kind) is self:
                state[kind] = text


class _Worded:
    """``Finding.title``/``message``/``remediation``: kept in the instance's ``__dict__`` under the field's own
    name (so pickles and copies look as before), worded on first read while it still holds a ``_Wording``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        state = obj.__dict__
        value = state[self.name]
        if type(value) is _Wording:
            value.word(state)
            value = state[self.name]
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


for _name in ("title", "message", "remediation"):  # after @dataclass: the fields stay plain required fields
    setattr(Finding, _name, _Worded(_name))


class FindingBuilder:
    """Words verdicts as findings; caches compiled template paths per rule."""

    def __init__(self, native: NativeEngine) -> None:
        self.native = native
        self._getters: dict[int, Any] = {}
        self._indexed: dict[str, bool] = {}  # rule id -> may a failed binding be traced through the indexes
        self._plans: dict[int, _TextPlan] = {}  # id of a template's parts -> how its text is put together

    def _may_index(self, rule: Any) -> bool:
        """A failure's trace is wanted for its witnesses only: skipping the items whose where a hash index
        shows to be false finds the same ones, unless the finding reads a binding made inside such a
        quantifier (left as a full scan leaves it).  Unknown facts need the full scan: every one met is named."""
        found = self._indexed.get(rule.id)
        if found is None:
            from ..engine.candidates import read_by_findings, skipped_bindings

            found = self._indexed[rule.id] = not (skipped_bindings(rule) & read_by_findings(rule))
        return found

    def _get(self, path: Path) -> Any:
        g = self._getters.get(id(path))
        if g is None:
            g = self._getters[id(path)] = compile_path(path)
        return g

    def _value(self, path: Path | None, env: dict[str, Any], facts: FactBase) -> Any:
        if path is None:
            return None
        if path.binding not in env:
            return None
        return self._get(path)(env, facts, None)

    def _text(self, parts: list[tuple[str, Path | None]], env: dict[str, Any], facts: FactBase, lang: str,
              read: dict[tuple[str, bool], Any] | None = None) -> str:
        """The text of one template; ``read``: the values already read for this binding, by path."""
        plan = self._plans.get(id(parts))
        if plan is None or plan.parts is not parts:
            plan = self._plans[id(parts)] = _TextPlan(parts)
        values = []
        for path, ftype, key in plan.slots:
            if read is None:
                raw = self._value(path, env, facts)
            else:  # one finding's texts name the same facts in both languages and in several texts: read once
                raw = read.get(key, _UNREAD)
                if raw is _UNREAD:
                    raw = read[key] = self._value(path, env, facts)
            value = render_value(raw, lang, ftype, facts.by_id)
            values.append(" ".join(value.split()))
        return plan.zh(values) if lang == "zh" else plan.en(values)

    def build(self, verdict: Verdict, facts: FactBase, doc: Document) -> Finding:
        rule = verdict.rule
        spec = rule.spec
        indexed = verdict.status == "fail" and self._may_index(rule)
        traced = self.native.by_id[rule.id].trace(verdict.env, facts, indexed)
        env = traced.env
        unknown = verdict.status == "unknown"
        subject = env.get(rule.subject)
        subject_entity = subject if isinstance(subject, dict) and "id" in subject else None
        if subject_entity is None:
            for b in reversed(rule.bindings):
                v = env.get(b.name)
                if isinstance(v, dict) and "id" in v:
                    subject_entity = v
                    break
        subject_id = str(subject_entity["id"]) if subject_entity else "-"
        subject_type = facts.schema.collections.get(subject_entity[COLLECTION], "entity") if subject_entity else "-"
        anchor = env.get(rule.bindings[-1].name)
        pointer = anchor.get(POINTER, "") if isinstance(anchor, dict) else ""
        if rule.at is not None:
            at_value = env.get(rule.at.binding)
            if isinstance(at_value, dict):
                pointer = at_value.get(POINTER, "")
                if not any(s.deref or s.pseudo for s in rule.at.steps):
                    pointer += "".join(f"/{s.name}" for s in rule.at.steps)
        severity: str = spec.severity
        downgrade_reason = None
        missing: list[MissingFact] = []
        cell_of = getattr(doc, "cell_of", None)  # a workbook names sheet and cell
        if unknown:
            severity = "insufficient"
            for ptr, text in sorted(traced.trace.unknown.items()):
                line, col = doc.locate(ptr)
                missing.append(MissingFact(ptr, text, line, col, _fact_name(ptr, facts) or text,
                                           cell_of(ptr) if cell_of else None))
            if missing:
                pointer = missing[0].pointer
        elif verdict.downgraded and spec.downgrade is not None:
            severity = "warning"
            downgrade_reason = {"en": " ".join(spec.downgrade.reason.en.split()),
                                "zh": tidy_zh(zh_terms(spec.downgrade.reason.zh))}
        line, col = doc.locate(pointer)
        later: Any = _Wording(self, rule, env, facts, missing if unknown else None)
        project_id = self._value(rule.project, env, facts)
        project = project_id if isinstance(project_id, dict) else (
            facts.by_id.get(project_id) if isinstance(project_id, str) else None)
        art46 = [
            (a.item, art46_status(a.item, self._value(impact, env, facts), severity))
            for a, impact in zip(spec.sanctions.art46, rule.impacts, strict=True)
        ]
        if any(item != 7 and status == "applicable" for item, status in art46):
            art46 = [(i, st) for i, st in art46 if i != 7]  # item 7 is the catch-all: "other violations"
        entity_ptr = subject_entity.get(POINTER, "") if subject_entity else ""
        logical = _logical_location(pointer, entity_ptr, subject_type, subject_id, facts)
        fingerprint = fingerprint_of(rule.id, [(b.name, env.get(b.name)) for b in rule.bindings])
        interpretation = None
        if spec.interpretation is not None:
            it = spec.interpretation
            interpretation = {"note": it.note, "confidence": it.confidence,
                              "text": {"en": " ".join(it.text.en.split()), "zh": tidy_zh(zh_terms(it.text.zh))}}
        return Finding(
            rule=rule.id, article=spec.article, paragraph=spec.paragraph, item=spec.item, severity=severity,
            # worded when first read (_Wording): a check whose findings are counted, not printed, never words them
            title=later, message=later, remediation=later,
            subject_type=subject_type, subject_id=subject_id, file=doc.source, line=line, column=col,
            pointer=pointer, logical_location=logical,
            project=project["id"] if project else None,
            stage=project.get("stage") if project else None,
            project_severity=project.get("severity") if project else None,
            art44_class=spec.sanctions.art44, art46=art46, fingerprint=fingerprint, missing=missing,
            downgrade_reason=downgrade_reason, interpretation=interpretation, key=verdict.key,
            also_cites=tuple(spec.also_cites), cell=cell_of(pointer) if cell_of else None,
        )
