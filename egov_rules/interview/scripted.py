"""A scripted answerer: answers each question from a reference submission (a filled-in file), as a reviewer
with that file in front of them would.  Used by the tests and by benchmarks/interview_length.py to measure
how many questions the interview asks against how many facts the file holds."""

from __future__ import annotations

from typing import Any

from .core import ADD, DONE, UNKNOWN, AnswerError, Interview, Question
from .draft import NEW_PREFIX, get_at

_MISSING = object()


def _reference_entity(reference: dict[str, Any], draft: dict[str, Any], coll: str, index: int) -> Any:
    item = get_at(draft, f"/{coll}/{index}")
    ref_items = reference.get(coll) or []
    if isinstance(item, dict) and item.get("id") is not None:
        return next((r for r in ref_items if isinstance(r, dict) and r.get("id") == item["id"]), None)
    if index == 0 and coll in ("projects", "units") and ref_items:
        return ref_items[0]  # the seeded project (or unit), not yet named
    # an item just added and not yet named: the first of the reference's that the draft does not hold yet
    have = {i.get("id") for i in draft.get(coll) or [] if isinstance(i, dict)}
    return next((r for r in ref_items if isinstance(r, dict) and r.get("id") not in have), None)


def reference_value(reference: dict[str, Any], draft: dict[str, Any], pointer: str) -> Any:
    parts = pointer.strip("/").split("/")
    if len(parts) == 1:
        return reference.get(parts[0], _MISSING)
    if parts[0] == "submission":
        return get_at(reference, pointer, _MISSING)
    entity = _reference_entity(reference, draft, parts[0], int(parts[1]))
    if entity is None:
        return _MISSING
    return get_at(entity, "/" + "/".join(parts[2:]), _MISSING)


def answer_for(q: Question, reference: dict[str, Any], interview: Interview) -> Any:
    value = reference_value(reference, interview.draft, q.pointer)
    if q.kind == "items":
        have = get_at(interview.draft, q.pointer) or []
        want = value if isinstance(value, list) else []
        return ADD if len(have) < len(want) else DONE
    if value is _MISSING or value is None:
        return UNKNOWN if q.nullable or q.kind in ("refs", "strs") else _fallback(q)
    known = {v for v, _ in q.choices}

    def new(entity_id: Any) -> str:
        home = next((c for c, items in reference.items() if isinstance(items, list) and any(
            isinstance(i, dict) and i.get("id") == entity_id for i in items)), None)
        return f"{NEW_PREFIX}{home}/{entity_id}" if home else NEW_PREFIX + str(entity_id)

    if q.kind == "ref":
        return value if value in known else new(value)
    if q.kind == "refs":
        return [v if v in known else new(v) for v in value]
    if q.kind == "strs":
        return "\n".join(str(v) for v in value)
    if q.kind == "bool":
        return "true" if value else "false"
    return str(value)


def _fallback(q: Question) -> Any:
    """A required fact the reference lacks (it cannot: the reference is valid), kept answerable anyway."""
    defaults = {"date": "2000-01-01", "int": "0", "number": "0", "bool": "false", "items": DONE}
    return q.choices[0][0] if q.choices else defaults.get(q.kind, "x")


def run(interview: Interview, reference: dict[str, Any], max_steps: int = 2000) -> tuple[Interview, int]:
    """Answer until done; returns the final interview and the number of questions answered."""
    asked = 0
    while asked < max_steps:
        questions = interview.next_questions(1)
        if not questions:
            return interview, asked
        q = questions[0]
        try:
            interview = interview.with_answer(q.pointer, answer_for(q, reference, interview))
        except AnswerError:  # a value the reference holds in another form (a year for a date): unknown
            interview = interview.with_answer(q.pointer, UNKNOWN if q.nullable else _fallback(q))
        asked += 1
    raise RuntimeError(f"the interview did not end within {max_steps} answers")
