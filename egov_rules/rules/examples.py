"""Run every rule's own examples (``egov-rules rules test`` and pytest).

An example patches a compliant base submission (``rules/_bases/NAME.yaml``) and states what the rule must
give on the result: ``violation``, ``warning``, ``insufficient``, ``pass`` or ``not_applicable`` (and,
optionally, how many findings).  Patch semantics, for the top-level entity lists: an item whose ``id``
exists is merged into that entity, a new ``id`` is appended, ``_delete: true`` removes it.  Inside a
mapping, ``key: value`` replaces and ``key+: [...]`` appends to a list.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..check import Checker
from ..errors import EgovError, RuleFileError
from ..input.load import Document, load_document
from .rulebook import Rule


def merge(base: Any, patch: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(base)
    for key, value in patch.items():
        if key.endswith("+"):
            name = key[:-1]
            out[name] = [*(out.get(name) or []), *copy.deepcopy(value)]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_patch(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    for key, value in patch.items():
        if key == "submission" or not isinstance(value, list):
            doc[key] = merge(doc.get(key), value)
            continue
        items: list[dict[str, Any]] = list(doc.get(key) or [])
        for entry in value:
            index = next((i for i, e in enumerate(items) if e.get("id") == entry.get("id")), None)
            if entry.get("_delete"):
                if index is not None:
                    items.pop(index)
                continue
            if index is None:
                items.append(copy.deepcopy(entry))
            else:
                items[index] = merge(items[index], entry)
        doc[key] = items
    return doc


@dataclass
class ExampleResult:
    """The outcome of one of a rule's own examples: expected and got."""
    rule: str
    name: str
    expect: str
    got: str
    count: int
    ok: bool
    detail: str = ""


def outcome_of(checker: Checker, rule: Rule, data: dict[str, Any], source: str) -> tuple[str, int]:
    """What one rule gives on a submission: its worst finding, or pass / not_applicable."""
    doc = Document(source=source, data=data, positions={}, key_positions={}, format="data")
    facts = checker.validate(doc)
    compiled = checker.native.by_id[rule.id]
    run = compiled.run(facts)
    if run.verdicts:
        findings = [checker.builder.build(v, facts, doc) for v in run.verdicts]
        order = {"violation": 3, "warning": 2, "insufficient": 1}
        worst = max(findings, key=lambda f: order[f.severity]).severity
        return worst, len(findings)
    return ("pass" if run.applied else "not_applicable"), 0


def run_examples(checker: Checker, rule_ids: list[str] | None = None) -> list[ExampleResult]:
    bases: dict[str, dict[str, Any]] = {}
    results: list[ExampleResult] = []
    for rule in checker.rulebook.rules:
        if rule_ids and rule.id not in rule_ids:
            continue
        for i, ex in enumerate(rule.spec.examples):
            if ex.base not in bases:
                path = checker.rulebook.bases.get(ex.base)
                if path is None:
                    raise RuleFileError(f"example base '{ex.base}' does not exist", file=rule.file, line=rule.line,
                                        column=rule.column, field=f"examples/{i}/base",
                                        expected="one of " + ", ".join(sorted(checker.rulebook.bases)))
                base_doc: Document = load_document(path)
                bases[ex.base] = base_doc.data
            data = apply_patch(bases[ex.base], ex.patch)
            source = f"{rule.file} [{rule.id} example {i + 1}: {ex.name}]"
            try:
                got, count = outcome_of(checker, rule, data, source)
            except EgovError as exc:
                results.append(ExampleResult(rule.id, ex.name, ex.expect, "invalid", 0, False, exc.render()))
                continue
            ok = got == ex.expect and (ex.count is None or ex.count == count)
            detail = "" if ok else f"expected {ex.expect}" + (f" x{ex.count}" if ex.count is not None else "") + \
                f", got {got}" + (f" x{count}" if count else "")
            results.append(ExampleResult(rule.id, ex.name, ex.expect, got, count, ok, detail))
    return results
