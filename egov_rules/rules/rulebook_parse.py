"""Parse and check a rulebook's files into ``Rule``s: the work the rulebook cache saves.

Each rule file is checked against ``rule_model`` (pydantic, for its error messages), its conditions and
message templates parsed and type-checked against the fact model (``conditions``), and the checked values
kept as ``rule_data``'s plain frozen data.  Only ``rulebook.load_rulebook`` imports this module, when the
cache misses, so a check from the cache never builds the pydantic rule models.

Every problem is a ``RuleFileError`` at file:line:column; a broken rule file is never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from ..errors import EgovError, InputErrors, RuleFileError
from ..input.factschema import FactSchema, fact_schema
from ..input.load import Document, load_document
from ..text.zh import zh_terms
from .condition_parser import parse_condition
from .condition_types import ParseContext, Predicate, Scope, parse_path, submission_type
from .condition_types import _parse_source as parse_source
from .conditions import AllOf, AnyOf, Compare, Condition, Operand, Path
from .rule_data import Definitions as PlainDefinitions
from .rule_data import ParameterSpec as PlainParameterSpec
from .rule_data import RuleSpec as PlainRuleSpec
from .rule_model import Definitions, RuleFile, RuleSpec, plain
from .rulebook import (
    PARAM_MARK,
    Binding,
    Rule,
    Rulebook,
    _display,
    _fill_parameters,
    _rule_files,
    rulebook_digest,
)

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")  # {binding.field} or {param.NAME} in a message template

def _pointer(loc: tuple[Any, ...], base: str) -> str:
    return base + "".join(f"/{p}" for p in loc)


def _pydantic_errors(exc: ValidationError, doc: Document, base: str, model_fields: list[str]) -> list[EgovError]:
    from ..errors import closest

    out: list[EgovError] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        pointer = _pointer(loc, base)
        kind = err["type"]
        if kind == "extra_forbidden":
            line, col = doc.locate_key(pointer)
            name = str(loc[-1]) if loc else ""
            out.append(RuleFileError(f"unknown key '{name}'", file=doc.source, line=line, column=col,
                                     field=pointer, suggestion=closest(name, model_fields) if len(loc) == 1 else None))
            continue
        line, col = doc.locate(pointer)
        if kind == "missing":
            msg = f"missing required key '{loc[-1]}'"
        elif kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        out.append(RuleFileError(msg, file=doc.source, line=line, column=col, field=pointer or None))
    return out


def _subject_binding(schema: FactSchema, bindings: tuple[Binding, ...]) -> str:
    entity_bindings = [b.name for b in bindings if b.type.entity in schema.collections.values()]
    return entity_bindings[-1] if entity_bindings else bindings[-1].name


def _project_path(ctx: ParseContext, scope: Scope, bindings: tuple[Binding, ...], pointer: str) -> Path | None:
    for b in bindings:
        if b.type.entity == "project":
            return parse_path(ctx, b.name, scope, pointer)
    for b in reversed(bindings):
        ref = b.type.fields.get("project") if b.type.kind == "object" else None
        if ref is not None and ref.kind == "ref" and ref.refs == ("projects",):
            return parse_path(ctx, f"{b.name}.project", scope, pointer)
    return None


def _parse_template(ctx: ParseContext, text: str, scope: Scope, pointer: str) -> list[tuple[str, Path | None]]:
    parts: list[tuple[str, Path | None]] = []
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        parts.append((text[pos : m.start()], None))
        name = m.group(1).strip()
        if name.startswith("param."):  # {param.NAME}: the policy parameter's value in force
            if name[6:] not in ctx.parameters:
                raise ctx.error(pointer, f"'{name[6:]}' is not a policy parameter",
                                expected="one of " + (", ".join(sorted(ctx.parameters)) or "(none defined)"))
            parts.append((PARAM_MARK + name[6:], None))
            pos = m.end()
            continue
        parts.append((m.group(1), parse_path(ctx, name, scope, pointer)))
        pos = m.end()
    parts.append((text[pos:], None))
    return [(s, p) for s, p in parts if s or p is not None]


def compile_rule_spec(
    raw: dict[str, Any], doc: Document, pointer: str, defs: _Defs, schema: FactSchema
) -> Rule:
    try:
        spec = RuleSpec.model_validate(raw)
    except ValidationError as exc:
        raise InputErrors(_pydantic_errors(exc, doc, pointer, list(RuleSpec.model_fields))) from None
    return _compile_checked(plain(spec), doc, pointer, defs, schema)


def _compile_checked(spec: PlainRuleSpec, doc: Document, pointer: str, defs: _Defs, schema: FactSchema) -> Rule:
    ctx = ParseContext(schema, doc.source, doc.locate, defs.sets, defs.predicates, locate_key=doc.locate_key,
                       parameters=defs.parameters)
    scope: Scope = {"submission": submission_type(schema)}
    bindings: list[Binding] = []
    for name, src in spec.for_each.items():
        p = f"{pointer}/for_each/{name}"
        if name in scope or name in defs.predicates or name in ("all", "any", "not", "exists", "none", "every"):
            raise ctx.error(p, f"binding name '{name}' is reserved or already used")
        source, item_type = parse_source(ctx, src, scope, p)
        scope[name] = item_type
        bindings.append(Binding(name, source, item_type))
    when = parse_condition(ctx, spec.when, scope, f"{pointer}/when") if spec.when is not None else None
    if spec.conduct_date is not None:
        when = _with_conduct_guard(when, conduct_guard(ctx, spec, scope, f"{pointer}/conduct_date"))
    require = parse_condition(ctx, spec.require, scope, f"{pointer}/require")
    downgrade_when = None
    if spec.downgrade is not None:
        downgrade_when = parse_condition(ctx, spec.downgrade.when, scope, f"{pointer}/downgrade/when")
    message_scope = {**scope, **ctx.witnesses}
    templates: dict[str, dict[str, list[tuple[str, Path | None]]]] = {}
    for kind in ("title", "message", "remediation", "question"):
        text = getattr(spec, kind)
        if text is None:
            continue
        templates[kind] = {
            lang: _parse_template(ctx, zh_terms(text.zh) if lang == "zh" else text.en, message_scope,
                                  f"{pointer}/{kind}/{lang}")
            for lang in ("en", "zh")
        }
    template_source: dict[str, dict[str, list[tuple[str, Path | None]]]] | None = None
    if any(p.startswith(PARAM_MARK) for kinds in templates.values() for parts in kinds.values() for p, _ in parts):
        template_source = templates
        templates = _fill_parameters(templates, defs.parameters)
    at = parse_path(ctx, spec.at, scope, f"{pointer}/at") if spec.at else None
    impacts = tuple(
        parse_path(ctx, a.impact, scope, f"{pointer}/sanctions/art46/{i}/impact") if a.impact else None
        for i, a in enumerate(spec.sanctions.art46)
    )
    line, col = doc.locate(pointer)
    tb = tuple(bindings)
    return Rule(
        spec=spec, file=doc.source, line=line, column=col, bindings=tb, when=when, require=require,
        downgrade_when=downgrade_when, templates=templates, at=at, subject=_subject_binding(schema, tb),
        project=_project_path(ctx, scope, tb, pointer), impacts=impacts, template_source=template_source,
    )


def conduct_guard(ctx: ParseContext, spec: PlainRuleSpec, scope: Scope, pointer: str) -> Condition:
    """Art 47: the rule judges an act done on or after ``applies_from`` (and not after ``applies_until``).

    The act's date is the rule's ``conduct_date`` path.  A date whose null means "has not happened by
    as_of" (implementation_start, filed_date...) makes a future act, which the Measures govern; any other
    unknown date leaves the rule undecided (insufficient).  The guard is an ordinary condition, so every
    engine applies it the same way.
    """
    assert spec.conduct_date is not None
    path = parse_path(ctx, spec.conduct_date, scope, pointer)
    if path.type.kind != "date" or path.mapped:
        raise ctx.error(pointer, f"{path.text} is {path.type.describe()}; conduct_date names one date")
    line, col = ctx.locate(pointer)
    tests: list[Condition] = [Compare(line, col, path, "ge", Operand(literal=spec.applies_from))]
    if spec.applies_until is not None:
        tests.append(Compare(line, col, path, "le", Operand(literal=spec.applies_until)))
    in_force: Condition = tests[0] if len(tests) == 1 else AllOf(line, col, tuple(tests))
    if path.steps and path.steps[-1].none_semantic:  # not happened yet: a future act
        return AnyOf(line, col, (Compare(line, col, path, "is_set", Operand(literal=False)), in_force))
    return in_force


def _with_conduct_guard(when: Condition | None, guard: Condition) -> Condition:
    if when is None:
        return guard
    items = when.items if isinstance(when, AllOf) else (when,)
    return AllOf(when.line, when.column, (*items, guard))


@dataclass
class _Defs:
    """What rule files define for each other: sets, predicates, parameters."""
    sets: dict[str, tuple[Any, ...]]
    predicates: dict[str, Predicate]
    model: PlainDefinitions | None
    parameters: dict[str, int] = field(default_factory=dict)
    specs: dict[str, PlainParameterSpec] = field(default_factory=dict)


def _load_definitions(path: FsPath, schema: FactSchema) -> _Defs:
    doc = load_document(path, source=_display(path))
    try:
        model = Definitions.model_validate(doc.data)
    except ValidationError as exc:
        raise InputErrors(_pydantic_errors(exc, doc, "", list(Definitions.model_fields))) from None
    checked: PlainDefinitions = plain(model)
    sets = {name: tuple(values) for name, values in checked.sets.items()}
    predicates = {
        name: Predicate(name, tuple(p.params), p.condition, f"/predicates/{name}/condition", doc.locate,
                        doc.source, p.description, doc.locate_key)
        for name, p in checked.predicates.items()
    }
    return _Defs(sets, predicates, checked, {name: p.default for name, p in checked.parameters.items()})


def parse_rulebook(dirs: list[FsPath]) -> Rulebook:
    """Load and check every rule file. Raises ``InputErrors`` listing every broken rule."""
    schema = fact_schema()
    defs = _Defs({}, {}, None)
    bases: dict[str, FsPath] = {}
    errors: list[EgovError] = []
    for d in dirs:
        if not d.is_dir():
            errors.append(RuleFileError("not a rulebook directory", file=str(d)))
            continue
        # _definitions.yaml, then _definitions-*.yaml (one per chapter, so authors do not collide)
        for def_file in sorted(d.glob("_definitions*.yaml")):
            try:
                more = _load_definitions(def_file, schema)
            except EgovError as exc:
                errors.append(exc)
                continue
            for kind, mine, theirs in (("set", defs.sets, more.sets), ("predicate", defs.predicates, more.predicates),
                                       ("parameter", defs.parameters, more.parameters)):
                for name in theirs:
                    if name in mine:
                        errors.append(RuleFileError(f"{kind} '{name}' is defined twice", file=_display(def_file)))
                mine.update(theirs)  # type: ignore[arg-type]
            if more.model is not None:
                defs.specs.update(more.model.parameters)
            if more.model is not None and more.model.rulebook:
                defs.model = more.model
        for base in sorted((d / "_bases").glob("*.yaml")):
            bases[base.stem] = base
    rules: dict[str, Rule] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in _rule_files(d):
            try:
                doc = load_document(path, source=_display(path))
                rf = RuleFile.model_validate(doc.data)
            except ValidationError as exc:
                errors.extend(_pydantic_errors(exc, doc, "", list(RuleFile.model_fields)))
                continue
            except EgovError as exc:
                errors.append(RuleFileError(exc.message, file=exc.file, line=exc.line, column=exc.column,
                                            field=exc.field))
                continue
            for i, raw in enumerate(rf.rules):
                pointer = f"/rules/{i}"
                if rf.article is not None and isinstance(raw, dict) and "article" not in raw:
                    raw = {**raw, "article": rf.article}
                try:
                    rule = compile_rule_spec(raw, doc, pointer, defs, schema)
                except InputErrors as exc:
                    errors.extend(exc.errors)
                    continue
                except EgovError as exc:
                    errors.append(exc)
                    continue
                if rule.id in rules:
                    other = rules[rule.id]
                    errors.append(RuleFileError(
                        f"duplicate rule id '{rule.id}' (first defined at {other.file}:{other.line})",
                        file=doc.source, line=rule.line, column=rule.column, field=f"{pointer}/id"))
                    continue
                rules[rule.id] = rule
    if errors:
        raise InputErrors([e if isinstance(e, RuleFileError) else _as_rule_error(e) for e in errors])
    ordered = sorted(rules.values(), key=lambda r: (r.spec.article, r.id))
    version = str((defs.model.rulebook.get("version") if defs.model and defs.model.rulebook else None) or "0")
    return Rulebook(ordered, version, rulebook_digest(dirs), dirs, bases, defs.model, dict(defs.parameters),
                    dict(defs.specs))


def _as_rule_error(e: EgovError) -> RuleFileError:
    return RuleFileError(e.message, file=e.file, line=e.line, column=e.column, field=e.field,
                         expected=e.expected, suggestion=e.suggestion)
