"""The guided interview: from a partial submission, the next question(s) that can change the outcome.

Two sources of questions, both derived, never written by hand:
1. the submission format: a field the schema requires and that cannot be unknown (``null``) must be given
   before anything can be checked (the project's stage, its unit, the unit's level...).  Walked from the
   submission header to the project, its unit, then every entity they reference.
2. the engine: with every other required field left unknown (``null``), the draft is checked; each
   ``insufficient`` finding names the facts its rule still needs (``missing``), which are exactly the facts
   whose answer can change a finding or the Art 44 decision.  A rule's ``when`` condition that reads an unknown
   fact is itself unknown (three-valued logic), so its facts are asked too.
The interview ends when the format asks nothing, the check has no input error and every fact the engine
names has been answered (possibly with "unknown").

State is a base submission plus an ordered list of answers (pointer, value): replaying them gives the draft,
so "back" and "change an answer" are list edits, and the state fits in a form field.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..check import Checker, SubmissionResult
from ..errors import EgovError
from ..input.load import load_bytes
from ..text.i18n import citation
from ..text.labels import collection_label, entity_label, enum_label, field_help, field_label
from . import schema as sch
from .draft import (
    NEW_PREFIX,
    _entity_pointer,
    _escape,
    _leaves,
    _none_slots,
    _pointer_of,
    complete,
    entity_ids,
    get_at,
    set_at,
    split_new,
    to_yaml,
)
from .rule_reads import fields_read, rule_collections

ADD, DONE, UNKNOWN = "__add__", "__done__", "__unknown__"
_UNSET = object()


class AnswerError(ValueError):
    """An answer that does not fit its question: the message names what was expected."""

    def __init__(self, pointer: str, message: dict[str, str]) -> None:
        super().__init__(message["en"])
        self.pointer, self.message = pointer, message


@dataclass
class Question:
    """One interview question: the fact it asks for, its kind and labels."""
    pointer: str
    entity: str
    path: str
    kind: str  # enum bool date int number str ref refs strs items
    label: str
    entity_label: str
    help: str
    choices: list[tuple[str, str]]  # (value, label); for ref(s): existing entity ids with their names
    nullable: bool  # "unknown" is an answer
    new_collection: str | None  # ref(s): where a new entity goes by default
    source: str  # "format" (the schema needs it), "rules" (a rule needs it), "confirm" (a finding rests on "none")
    rules: list[str] = field(default_factory=list)  # citations of the rules that need it
    current: Any = None
    error: str | None = None
    new_collections: tuple[str, ...] = ()  # ref(s): every collection a new entity may go into


class Interview:
    def __init__(self, checker: Checker, base: dict[str, Any] | None = None,
                 answers: list[tuple[str, Any]] | None = None, lang: str = "zh") -> None:
        self.checker = checker
        self.base = copy.deepcopy(base) if base else {}
        self.answers: list[tuple[str, Any]] = [(p, v) for p, v in (answers or [])]
        self.lang = lang
        self._open_lists: set[str] = set()
        self.draft = self._replay()
        self._result: tuple[dict[str, Any], SubmissionResult | None, EgovError | None] | None = None

    # -- state ---------------------------------------------------------------------------------
    def _replay(self) -> dict[str, Any]:
        draft = copy.deepcopy(self.base)
        draft.setdefault("submission", {})
        self._seed(draft)
        for pointer, value in self.answers:
            self._apply(draft, pointer, value)
            self._seed(draft)
        return draft

    @staticmethod
    def _seed(draft: dict[str, Any]) -> None:
        """Start from the project (or, for a unit review, the unit) once the kind of submission is known."""
        kind = draft["submission"].get("kind")
        if kind in ("project_proposal", "mixed") and not draft.get("projects"):
            draft["projects"] = [{}]
        if kind == "unit_review" and not draft.get("units"):
            draft["units"] = [{}]
        units = draft.get("units") or []
        if (kind == "unit_review" and "units_under_review" not in draft["submission"] and units
                and isinstance(units[0], dict) and units[0].get("id")):
            draft["submission"]["units_under_review"] = [units[0]["id"]]

    def _apply(self, draft: dict[str, Any], pointer: str, value: Any) -> None:
        if value == ADD:
            items = get_at(draft, pointer) if pointer.strip("/") not in draft else draft[pointer.strip("/")]
            if not isinstance(items, list):
                set_at(draft, pointer, [])
                items = get_at(draft, pointer)
            items.append({})
            self._open_lists.add(pointer)
            return
        if value == DONE:
            if not isinstance(get_at(draft, pointer), list):
                set_at(draft, pointer, [])
            self._open_lists.discard(pointer)
            return
        slot = sch.slot_of(pointer)
        refs: tuple[str, ...] = ()
        if slot is not None:
            refs = slot.ftype.refs or (slot.ftype.item.refs if slot.ftype.item is not None else ())
        values = value if isinstance(value, list) else [value]
        clean = []
        for v in values:
            if isinstance(v, str) and v.startswith(NEW_PREFIX) and refs:
                collection, new_id = split_new(v, refs)
                draft.setdefault(collection, []).append({"id": new_id})
                v = new_id
            clean.append(v)
        set_at(draft, pointer, clean if isinstance(value, list) else clean[0])

    def with_answer(self, pointer: str, raw: Any) -> Interview:
        """A new interview with this answer (replacing an earlier answer to the same question)."""
        value = self.coerce(pointer, raw)
        owner = _entity_pointer(pointer)
        if pointer.strip("/") not in sch.fact_schema().collections and get_at(self.draft, owner) is None:
            # a question about an entity the draft does not hold (a form posted by hand): nothing to answer
            raise AnswerError(pointer, {"en": f"no such question: {pointer}", "zh": f"没有这个问题：{pointer}"})
        answers = [(p, v) for p, v in self.answers if p != pointer or v in (ADD, DONE)]
        answers.append((pointer, value))
        return Interview(self.checker, self.base, answers, self.lang)

    def back(self) -> Interview:
        return Interview(self.checker, self.base, self.answers[:-1], self.lang)

    def without(self, pointer: str) -> Interview:
        """Forget the answer to one question (to change it): it is asked again."""
        return Interview(self.checker, self.base, [(p, v) for p, v in self.answers if p != pointer], self.lang)

    # -- questions -----------------------------------------------------------------------------
    def format_slots(self) -> list[tuple[str, str]]:
        """(pointer, kind) of what the format requires and the draft lacks, in walking order."""
        out: list[tuple[str, str]] = []
        self._walk(sch.entity_node("submission"), self.draft["submission"], "/submission", out)
        for coll in sch.collections():
            for i, item in enumerate(self.draft.get(coll) or []):
                if isinstance(item, dict):
                    self._walk(sch.entity_node(sch.entity_of(coll)), item, f"/{coll}/{i}", out)
        if not out and self.draft["submission"].get("kind") and not self.base:
            # entities no answer has pointed to yet but that rules go through or look for (sharing requests,
            # approvals, open directory entries...): asked once each as "any (more)? add one / no more", also
            # where answers already made some (a platform a component named is not every platform).  A
            # submission that was uploaded lists what it has; only an interview from nothing asks.
            answered = self._answered()
            for coll in rule_collections(self.checker.rulebook):
                pointer = f"/{coll}"
                if pointer not in answered or pointer in self._open_lists:
                    out.append((pointer, "items"))
        return out

    def _walk(self, node: dict[str, Any], obj: dict[str, Any], pointer: str, out: list[tuple[str, str]]) -> None:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        for name, sub in props.items():
            if name not in required:
                value = obj.get(name)
                if isinstance(value, dict):  # an optional record given (say, consent): what it requires
                    node_of = sch.resolve(sub)
                    if sch.node_type(node_of) == "object":
                        self._walk(node_of, value, f"{pointer}/{_escape(name)}", out)
                continue
            ptr = f"{pointer}/{_escape(name)}"
            sub = sch.resolve(sub)
            kind = sch.node_type(sub)
            nullable = sch.is_nullable(sub)
            value = obj.get(name)
            if kind == "object" and not nullable:
                self._walk(sub, value if isinstance(value, dict) else {}, ptr, out)
                continue
            if kind == "array" and sch.node_type(sub.get("items", {})) == "object":
                item_node = sch.resolve(sub["items"])
                for i, item in enumerate(value if isinstance(value, list) else []):
                    if isinstance(item, dict):
                        self._walk(item_node, item, f"{ptr}/{i}", out)
                if name not in obj or ptr in self._open_lists:
                    out.append((ptr, "items"))
                continue
            if name not in obj and not nullable:
                out.append((ptr, kind))

    def _answered(self) -> set[str]:
        return {p for p, _ in self.answers}

    def check(self) -> tuple[dict[str, Any], SubmissionResult | None, EgovError | None]:
        """The draft with every unasked required field unknown, and its check (or the input error)."""
        if self._result is None:
            completed = complete(self.draft)
            try:
                result = self.checker.check_document(load_bytes(to_yaml(completed), "interview.yaml"),
                                                     raise_errors=True)
                self._result = (completed, result, None)
            except EgovError as exc:
                self._result = (completed, None, exc)
        return self._result

    def next_questions(self, limit: int = 4) -> list[Question]:
        """The next question, with up to ``limit`` - 1 more about the same entity; [] when done."""
        format_needs = self.format_slots()
        if format_needs:
            first = self.question(format_needs[0][0], "format")
            group = [first] + [self.question(p, "format") for p, _ in format_needs[1:]
                               if _entity_pointer(p) == _entity_pointer(first.pointer)]
            return group[:limit]
        _completed, result, error = self.check()
        if error is not None:
            questions = []
            for problem in getattr(error, "errors", [error]):
                leaves = _leaves(getattr(problem, "field", None) or "")
                # the facts not given first: asking again what was answered would go round in circles
                leaves.sort(key=lambda p: get_at(self.draft, p, _UNSET) is not _UNSET)
                for pointer in leaves:
                    q = self.question(pointer, "format")
                    q.error = problem.render(self.lang) if hasattr(problem, "render") else str(problem)
                    questions.append(q)
            if not questions:
                raise error  # an error no answer can fix (say, a limit): the caller shows it
            return questions[:limit]
        assert result is not None
        needed: dict[str, list[str]] = {}
        answered = self._answered()
        for finding in result.findings:
            cite = citation(finding.article, finding.paragraph, finding.item, self.lang)
            for missing in finding.missing:
                for pointer in _leaves(missing.pointer):
                    if pointer in answered:
                        continue
                    needed.setdefault(pointer, [])
                    if cite not in needed[pointer]:
                        needed[pointer].append(cite)
        source = "rules"
        if not needed:
            # the rules need nothing unknown; but a finding may rest on a fact left out, which the format reads
            # as "none" (no filing, no backup centre, no protection level): confirm those before concluding
            source, needed = "confirm", self._confirm(result, answered)
        pointers = list(needed)
        if not pointers:
            return []
        head = _entity_pointer(pointers[0])
        same_entity = [p for p in pointers if _entity_pointer(p) == head][:limit]
        questions = []
        for p in same_entity:
            q = self.question(p, source)
            q.rules = needed[p]
            questions.append(q)
        return questions

    def _confirm(self, result: SubmissionResult, answered: set[str]) -> dict[str, list[str]]:
        """Facts left out (read as "none") of the entities that violation and warning findings are about."""
        completed = self.check()[0]
        needed: dict[str, list[str]] = {}
        for finding in result.findings:
            if finding.severity not in ("violation", "warning"):
                continue
            pointer = _pointer_of(completed, finding.subject_type, finding.subject_id)
            if pointer is None:
                continue
            cite = citation(finding.article, finding.paragraph, finding.item, self.lang)
            entity = get_at(completed, pointer)
            ftype = sch.fact_schema().entities.get(finding.subject_type)
            for leaf in _none_slots(ftype, entity, pointer) if ftype is not None else []:
                if leaf not in answered:
                    needed.setdefault(leaf, [])
                    if cite not in needed[leaf]:
                        needed[leaf].append(cite)
        if not self.base:
            self._confirm_left_out(needed, answered)
        return needed

    def _confirm_left_out(self, needed: dict[str, list[str]], answered: set[str]) -> None:
        """Optional fields a rule reads, left out of an entity the reviewer entered: a directory entry with
        no kind matches no rule's search, so the rule passes on a fact nobody was asked.  An interview
        from nothing asks each once ("unknown" leaves it out); an uploaded file says what it has."""
        rulebook = self.checker.rulebook
        for coll in rule_collections(rulebook):
            reads = fields_read(rulebook, coll)
            node = sch.entity_node(sch.entity_of(coll))
            required = set(node.get("required", ()))
            optional = [f for f in reads if f not in required and f in node.get("properties", {})]
            for i, item in enumerate(self.draft.get(coll) or []):
                for name in optional if isinstance(item, dict) else ():
                    pointer = f"/{coll}/{i}/{_escape(name)}"
                    if name in item or pointer in answered or not _one_answer_or_unknown(sch.slot_of(pointer)):
                        continue
                    cites = needed.setdefault(pointer, [])
                    for cite in reads[name]:
                        if (text := citation(*cite, self.lang)) not in cites:
                            cites.append(text)

    @property
    def done(self) -> bool:
        return not self.next_questions(1)

    def question(self, pointer: str, source: str) -> Question:
        collection = pointer.strip("/")
        if collection in sch.fact_schema().collections:
            entity = sch.entity_of(collection)
            return Question(pointer=pointer, entity=entity, path="", kind="items",
                            label=collection_label(collection, self.lang), entity_label=entity_label(entity, self.lang),
                            help="", choices=[], nullable=False, new_collection=None, source=source,
                            current=len(self.draft.get(collection) or []))
        slot = sch.slot_of(pointer)
        if slot is None:
            raise AnswerError(pointer, {"en": f"no such question: {pointer}", "zh": f"没有这个问题：{pointer}"})
        ftype = slot.ftype
        lang = self.lang
        kind = ftype.kind
        choices: list[tuple[str, str]] = []
        new_collection = None
        if kind == "enum":
            choices = [(str(v), enum_label(slot.entity, slot.path, v, lang)) for v in ftype.enum if v is not None]
        elif kind == "ref":
            choices = entity_ids(self.draft, ftype.refs)
            new_collection = ftype.refs[0]
        elif kind == "list":
            item = ftype.item
            if item is not None and item.kind == "ref":
                kind = "refs"
                choices = entity_ids(self.draft, item.refs)
                new_collection = item.refs[0]
            elif item is not None and item.kind == "object":
                kind = "items"
            else:
                kind = "strs"
        elif kind == "object":
            kind = "str"
        entity_name = entity_label(slot.entity, lang)
        owner = get_at(self.draft, _entity_pointer(pointer))
        if isinstance(owner, dict) and owner.get("id"):
            entity_name += f" {owner['id']}"
        label, help_text = _field_words(slot.entity, slot.path, lang)
        return Question(pointer=pointer, entity=slot.entity, path=slot.path, kind=kind,
                        label=label, entity_label=entity_name, help=help_text, choices=choices,
                        nullable=ftype.nullable and kind != "items", new_collection=new_collection, source=source,
                        new_collections=ftype.refs or (ftype.item.refs if ftype.item is not None else ()),
                        current=get_at(self.draft, pointer))

    # -- answers -------------------------------------------------------------------------------
    def coerce(self, pointer: str, raw: Any) -> Any:
        """A form value (text, or a list of texts) as the value the submission holds."""
        q = self.question(pointer, "format")
        text = raw.strip() if isinstance(raw, str) else raw

        def bad(en: str, zh: str) -> AnswerError:
            return AnswerError(pointer, {"en": en, "zh": zh})

        if q.kind == "items":
            if text not in (ADD, DONE):
                raise bad("choose: add one, or no more", "请选择：再添加一项，或没有更多")
            return text
        if text in (UNKNOWN, "", None) and q.kind not in ("refs", "strs"):
            if q.nullable:
                return None
            raise bad("an answer is needed here: the submission format requires this fact",
                      "此处必须作答：申报格式要求提供该事实")
        if q.kind == "enum":
            slot = sch.slot_of(pointer)
            assert slot is not None
            for value in slot.ftype.enum:
                if value is not None and str(value) == text:
                    return value
            raise bad("choose one of the listed options", "请从列出的选项中选择")
        if q.kind == "bool":
            if text in ("true", "false"):
                return text == "true"
            raise bad("answer yes or no", "请回答是或否")
        if q.kind == "date":
            try:
                return dt.date.fromisoformat(str(text)).isoformat()
            except ValueError:
                raise bad("a date as YYYY-MM-DD", "日期，格式为年-月-日（如2020-01-31）") from None
        if q.kind in ("int", "number"):
            try:
                number = float(str(text).replace(",", ""))
            except ValueError:
                raise bad("a number", "一个数字") from None
            low, high = sch.number_bounds(q.entity, q.path)
            if (low is not None and number < low) or (high is not None and number > high):
                if low is not None and high is not None:
                    raise bad(f"a number from {low:g} to {high:g}", f"不小于{low:g}且不大于{high:g}的数字")
                if low is not None:
                    raise bad(f"a number of at least {low:g}", f"不小于{low:g}的数字")
                raise bad(f"a number of at most {high:g}", f"不大于{high:g}的数字")
            if q.kind == "int" or number.is_integer():
                return int(number)
            return number
        if q.kind == "ref":
            return self._ref(pointer, str(text), q)
        if q.kind == "refs":  # none picked, or "unknown": an empty list
            items = raw if isinstance(raw, list) else [x for x in re.split(r"[\s,，]+", str(raw or "")) if x]
            return [self._ref(pointer, str(x).strip(), q) for x in items if str(x).strip() and x != UNKNOWN]
        if q.kind == "strs":
            return [line.strip() for line in str(raw or "").splitlines() if line.strip()]
        pattern = sch.text_pattern(q.entity, q.path)
        if pattern and not re.fullmatch(pattern, str(text)):
            from ..input.validate_words import PATTERN_WORDS
            from ..text.values_zh import kind_zh

            words = PATTERN_WORDS.get(pattern)  # an id, a data element code: said in words, as the checker does
            zh = kind_zh(words) if words is not None else None
            if words is not None and zh is not None:
                raise bad(f"expected {words}", f"应为{zh}")
            raise bad(f"expected text matching {pattern}", "填写的内容不符合申报格式要求的写法")
        return str(text)

    def _ref(self, pointer: str, text: str, q: Question) -> str:
        known = {value for value, _ in q.choices}
        if text.startswith(NEW_PREFIX):
            slot = sch.slot_of(pointer)
            refs = slot.ftype.refs or (slot.ftype.item.refs if slot and slot.ftype.item else ()) if slot else ()
            collection, new_id = split_new(text, refs)
            if collection not in refs:
                raise AnswerError(pointer, {"en": "a new entity goes into one of: " + ", ".join(refs),
                                            "zh": "新对象只能属于：" + "、".join(collection_label(c, "zh")
                                                                                for c in refs)})
            if new_id in known:
                return new_id
            all_ids = {i for c in sch.collections() for i, _ in entity_ids(self.draft, (c,))}
            if new_id in all_ids:
                raise AnswerError(pointer, {"en": f"the id '{new_id}' is already used by another kind of entity",
                                            "zh": f"标识“{new_id}”已被其他类别的对象使用"})
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}", new_id):
                raise AnswerError(pointer, {"en": "a new id: letters, digits and . _ : - only",
                                            "zh": "新标识只能使用字母、数字及“. _ : -”，以字母或数字开头"})
            return f"{NEW_PREFIX}{collection}/{new_id}"
        if text not in known:
            raise AnswerError(pointer, {"en": "choose one of the entities already entered, or give a new id",
                                        "zh": "请选择已录入的对象，或填写新的标识"})
        return text

    # -- results -------------------------------------------------------------------------------
    def submission(self) -> dict[str, Any]:
        return self.check()[0]

    def yaml(self) -> str:
        return to_yaml(self.submission()).decode("utf-8")


def _one_answer_or_unknown(slot: Any) -> bool:
    """A field asked as one question that "unknown" may answer: nullable, not a record or a list of them."""
    if slot is None or not slot.ftype.nullable or slot.ftype.kind == "object":
        return False
    item = slot.ftype.item
    return not (slot.ftype.kind == "list" and item is not None and item.kind == "object")


def _field_words(entity: str, path: str, lang: str) -> tuple[str, str]:
    """A field's label and help; a list field's are kept under its items' path (``plan_refs[]``)."""
    items = path + "[]"
    if field_label(entity, items, lang) != field_label("", items, lang):  # "" : the words for an unknown field
        path = items
    return field_label(entity, path, lang), field_help(entity, path, lang)
