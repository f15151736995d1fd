"""The default engine: the rulebook as generated Python functions (``codegen``), compiled once.

The code object is compiled once per rulebook and kept with it (``Rulebook.code``, marshalled, and the
recipes of its constants in ``Rulebook.code_constants``), so both go into the rulebook cache: a process
that loads the cached rulebook neither generates nor compiles, it only builds the constants and runs
the module code that defines the functions.
"""

from __future__ import annotations

import marshal
import time
from typing import Any

from ..input.facts import FactBase
from ..rules.rulebook import Rule, Rulebook
from .codegen import Generated, build_constants, generate
from .evaluate import (
    CompiledRule,
    RuleRun,
    Verdict,
    binding_key,
    check_verdict_count,
    in_force_on,
    raise_time_limit,
)

FILENAME = "<egov-rules generated>"


def code_key(rulebook: Rulebook) -> tuple[Any, ...]:
    """What the kept code was generated for: the rules, and the policy parameters inlined as literals
    (a rulebook copied with other rules or parameters, e.g. ``dataclasses.replace``, must not reuse it)."""
    parameters = getattr(rulebook, "parameters", None) or {}
    return tuple(rulebook.ids()), tuple(sorted(parameters.items()))


def compiled_code(rulebook: Rulebook) -> tuple[Any, dict[str, tuple[Any, ...]]]:
    """The code object of the generated module and its constants' recipes: kept with the rulebook, or
    generated and compiled now (and then kept with it)."""
    recipes = rulebook.code_constants
    if rulebook.code and recipes is not None and recipes.get("CODE_KEY") == ("value", code_key(rulebook)):
        try:
            return marshal.loads(rulebook.code), recipes
        except (ValueError, EOFError, TypeError):
            pass
    generated = generate(rulebook)
    try:
        code = compile(generated.source, FILENAME, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        code = compile(_compilable(generated), FILENAME, "exec")
    recipes = {**generated.constants, "CODE_KEY": ("value", code_key(rulebook))}  # what the code is for
    rulebook.code, rulebook.code_constants = marshal.dumps(code), recipes
    return code, recipes


def _compilable(generated: Generated) -> str:
    """The rules whose own source compiles: Python refuses more than 20 nested loops (quantifiers within
    quantifiers), and such a rule runs through the reference closures instead (``GeneratedEngine.notes``)."""
    lines = generated.source.splitlines()
    kept = []
    for first, last in generated.spans.values():
        chunk = "\n".join(lines[first - 1:last]) + "\n"
        try:
            compile(chunk, FILENAME, "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            continue
        kept.append(chunk)
    return "\n".join(kept)


def compile_rulebook(rulebook: Rulebook) -> None:
    """Generate and compile the rulebook's code once, kept in ``rulebook.code`` (and so in its cache)."""
    compiled_code(rulebook)


class GeneratedEngine:
    """Runs the generated functions; verdicts identical to the reference engine's (thread-safe)."""

    name = "native"

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        code, recipes = compiled_code(rulebook)
        scope = build_constants(recipes, rulebook)
        exec(code, scope)  # our own generated source, nothing from the input
        self.notes: list[str] = []
        self.functions: list[tuple[Rule, Any, tuple[str, ...]]] = []
        for i, rule in enumerate(rulebook.rules):
            function = scope.get(f"rule_{i}")
            if function is None:
                function = _reference_function(rule)
                self.notes.append(f"rule {rule.id}: run by the reference engine because its generated code "
                                  "nests deeper than Python compiles")
            self.functions.append((rule, function, tuple(b.name for b in rule.bindings)))
        dates = [(rule.spec.applies_from, rule.spec.applies_until) for rule in rulebook.rules]
        self._dates = list(dict.fromkeys(dates))  # the distinct pairs: most rules share the Measures' dates
        self.functions_dated = [(*f, self._dates.index(d)) for f, d in zip(self.functions, dates, strict=True)]
        self._generated: Generated | None = None

    @property
    def generated(self) -> Generated:
        """The source (generated again on demand: the cache keeps only the code object)."""
        if self._generated is None:
            self._generated = generate(self.rulebook)
        return self._generated

    def source_of(self, rule_id: str) -> str:
        first, last = self.generated.spans[rule_id]
        return "\n".join(self.generated.source.splitlines()[first - 1:last]) + "\n"

    def run(self, facts: FactBase, deadline: float | None = None) -> list[RuleRun]:
        # each rule's dates read once per rulebook and tested once per distinct pair of dates, the runs made
        # inline: the engine's own work around the generated functions was a third of its time on a 40-entity
        # submission
        runs = []
        as_of = facts.submission["as_of"]
        in_force = [in_force_on(start, until, as_of) for start, until in self._dates]
        for rule, function, names, dates in self.functions_dated:
            if deadline is not None and time.monotonic() > deadline:
                raise_time_limit(facts)
            if not in_force[dates]:
                runs.append(RuleRun(rule, 0, 0, 1, []))
                continue
            applied, passed, not_applicable, found = function(facts)
            runs.append(RuleRun(rule, applied, passed, not_applicable,
                                _verdicts(rule, names, found, facts) if found else found))
        return runs


def _reference_function(rule: Rule) -> Any:
    """A rule function with the generated functions' result, run by the reference closures."""
    compiled = CompiledRule.build(rule)

    def run(facts: FactBase) -> tuple[int, int, int, list[tuple[str, bool, tuple[Any, ...]]]]:
        names = compiled.names
        out = compiled.run_in_force(facts)
        found = [(v.status, v.downgraded, tuple(v.env[n] for n in names)) for v in out.verdicts]
        return out.applied, out.passed, out.not_applicable, found

    return run


def _verdicts(rule: Rule, names: tuple[str, ...], found: list[tuple[str, bool, tuple[Any, ...]]],
              facts: FactBase) -> list[Verdict]:
    check_verdict_count(rule.id, len(found), facts)  # the generated loop is stopped by the time limit only
    out = []
    submission = facts.submission
    for status, down, bound in found:
        env = {"submission": submission}
        env.update(zip(names, bound, strict=True))
        out.append(Verdict(rule, env, status, down, binding_key(env, names)))
    return out
