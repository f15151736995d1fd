"""What the rules look at, read once from the compiled rulebook: which top-level collections they go
through or search, and which of their items' own fields they read.

The interview asks from these where the engine cannot name a missing fact: a collection left empty, or an
optional field left out, reads as "none" (no approval, a directory entry of no kind), and a rule then
concludes from a list or field the reviewer was never offered."""

from __future__ import annotations

from typing import Any

from ..rules.conditions import Compare, Path, Quantifier, walk
from ..rules.rulebook import Rulebook
from . import schema as sch


def _conditions(rule: Any) -> list[Any]:
    return [c for c in (rule.when, rule.require, rule.downgrade_when) if c is not None]


def _top_level(source: Any) -> str | None:
    return source.collection if getattr(source, "collection", None) and source.path is None else None


Cite = tuple[int, "int | None", "str | None"]  # article, paragraph, item
Analysis = tuple[tuple[str, ...], dict[str, dict[str, tuple[Cite, ...]]]]
_done: dict[int, tuple[Rulebook, Analysis]] = {}  # by identity: a rulebook is not hashable


def _analyse(rulebook: Rulebook) -> Analysis:
    kept = _done.get(id(rulebook))
    if kept is not None and kept[0] is rulebook:
        return kept[1]
    if len(_done) > 8:
        _done.clear()
    collections: set[str] = set()
    reads: dict[str, dict[str, list[Cite]]] = {}
    for rule in rulebook.rules:
        bound = {b.name: c for b in rule.bindings if (c := _top_level(b.source))}
        nodes = [node for condition in _conditions(rule) for node in walk(condition)]
        bound.update((n.binding, c) for n in nodes if isinstance(n, Quantifier) and (c := _top_level(n.source)))
        collections.update(bound.values())
        paths: list[Path] = []
        for node in nodes:
            if isinstance(node, Compare):
                paths.append(node.path)
                if node.operand.path is not None:
                    paths.append(node.operand.path)
            elif isinstance(node, Quantifier) and node.source.path is not None:
                paths.append(node.source.path)
        cite = (rule.spec.article, rule.spec.paragraph, rule.spec.item)
        for path in paths:
            if path.binding in bound and path.steps and not path.steps[0].pseudo:
                cites = reads.setdefault(bound[path.binding], {}).setdefault(path.steps[0].name, [])
                if cite not in cites:
                    cites.append(cite)
    order = tuple(c for c in sch.collections() if c in collections)
    analysis = order, {c: {f: tuple(cites) for f, cites in fields.items()} for c, fields in reads.items()}
    _done[id(rulebook)] = (rulebook, analysis)
    return analysis


def rule_collections(rulebook: Rulebook) -> list[str]:
    """Top-level collections some rule goes through (``for_each``) or looks in (``exists``/``none``/``every``),
    in the schema's order.  The second matter as much: a rule that finds a data centre built without an
    approval looks for one among the approvals, and an interview that never asked for approvals would
    conclude "violation" from a list it never offered to fill."""
    return list(_analyse(rulebook)[0])


def fields_read(rulebook: Rulebook, collection: str) -> dict[str, tuple[Cite, ...]]:
    """The fields of a collection's items that some rule reads (the first step of its paths), each with
    the article, paragraph and item of the rules that read it."""
    return _analyse(rulebook)[1].get(collection, {})
