"""Which articles read each field: from the rulebook's conditions, for the workbook's header notes.

Every path a rule's conditions read (``project.hosting.data_centre``, ``component.platform.unified`` through a
reference) is resolved against the fact model to the entity and field it ends on; the rule's citation is
recorded for each field on the way.  So the note on a header says which articles read it, from the rules
themselves, never from a hand-kept list.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from ..rules.conditions import Compare, Quantifier, walk
from ..text.i18n import citation
from .factschema import FieldType, fact_schema


def _target(refs: tuple[str, ...]) -> FieldType | None:
    schema = fact_schema()
    for coll in refs:
        if coll in schema.collections:
            return schema.entities[schema.collections[coll]]
    return None


# read by the engine rather than by a rule's conditions: the Art 44 decision turns on the stage and severity
ENGINE_READ = (("project", "stage"), ("project", "severity"))
Where = tuple[FieldType, "str | None", str]  # a value's type, the entity it is in, its path inside that entity


def _walk(path: Any, scope: dict[str, Where]) -> tuple[list[tuple[str, str]], Where | None]:
    """(entity, field path) of every field a condition path reads on its way, and where it ends."""
    if path.binding not in scope:
        return [], None
    cur, entity, prefix = scope[path.binding]
    out: list[tuple[str, str]] = []
    for step in path.steps:
        if step.pseudo:
            return out, None
        if cur.kind == "list" and cur.item is not None:
            cur, prefix = cur.item, prefix + "[]."
        if cur.kind == "ref":
            target = _target(cur.refs)
            if target is None:
                return out, None
            cur, entity, prefix = target, target.entity, ""
        if cur.kind != "object" or step.name not in cur.fields:
            return out, None
        ft = cur.fields[step.name]
        if entity:
            out.append((entity, prefix + step.name))
        prefix = prefix + step.name + ("." if ft.kind == "object" else "")
        cur = ft
    return out, (cur, entity, prefix)


def _item(where: Where) -> Where:
    """The element of a list (a list of ids: the entity they name)."""
    ft, entity, prefix = where
    if ft.kind == "list" and ft.item is not None:
        ft, prefix = ft.item, prefix + "[]."
    if ft.kind == "ref":
        target = _target(ft.refs)
        if target is not None:
            return target, target.entity, ""
    if ft.entity:
        return ft, ft.entity, ""
    return ft, entity, prefix


@cache
def articles_by_field() -> dict[tuple[str, str], tuple[tuple[int, int | None], ...]]:
    """(entity, field path) -> the (article, paragraph) of every rule that reads it, sorted."""
    from ..rules.rulebook import load_rulebook

    found: dict[tuple[str, str], set[tuple[int, int | None]]] = defaultdict(set)
    schema = fact_schema()
    for rule in load_rulebook([]).rules:
        cite = (rule.spec.article, rule.spec.paragraph)
        scope: dict[str, Where] = {"submission": (schema.entities["submission"], "submission", "")}

        def source(name: str, src: Any, st: FieldType, scope: dict[str, Where] = scope,
                   cite: tuple[int, int | None] = cite) -> None:
            if src.path is not None:
                fields, end = _walk(src.path, scope)
                for key in fields:
                    found[key].add(cite)
                if end is not None:
                    scope[name] = _item(end)
                    return
            scope[name] = _item((st, st.entity, ""))

        for b in rule.bindings:
            source(b.name, b.source, b.source.type)
        for cond in (rule.when, rule.require, rule.downgrade_when):
            for node in walk(cond) if cond is not None else []:
                if isinstance(node, Quantifier):
                    source(node.binding, node.source, node.source.type)
                elif isinstance(node, Compare):
                    for path in (node.path, node.operand.path):
                        for key in _walk(path, scope)[0] if path is not None else []:
                            found[key].add(cite)
        for impact in rule.impacts:  # the facts an Art 46 item turns on
            for key in _walk(impact, scope)[0] if impact is not None else []:
                found[key].add((46, None))
    for key in ENGINE_READ:
        found[key].add((44, None))
    for name in schema.entities["project"].fields["impact"].fields:  # Art 46's impact facts
        found[("project", f"impact.{name}")].add((46, None))
    return {k: tuple(sorted(v, key=lambda c: (c[0], c[1] or 0))) for k, v in found.items()}


def articles_text(entity: str, path: str, lang: str) -> str:
    """``Read by: Art 17(1), Art 29`` / ``适用条款：第十七条第一款、第二十九条``; "" when no rule reads it."""
    cites = articles_by_field().get((entity, path), ())
    if not cites:
        return ""
    names = list(dict.fromkeys(citation(a, p, None, lang) for a, p in cites))
    if lang == "zh":
        return "适用条款：" + "、".join(names)
    return "Read by: " + ", ".join(names)
