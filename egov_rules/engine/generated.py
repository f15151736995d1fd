"""The default engine: the rulebook as generated Python functions (``codegen``), compiled once.

The code object is compiled once per rulebook and kept with it (``Rulebook.code``, marshalled into the
rulebook cache); the constants it reads are rebuilt from the rules when the engine starts.  A rule whose
source cannot be compiled (Python's nesting limits) runs through the reference closures and says so.
"""

from __future__ import annotations

import marshal
import time
from typing import Any

from ..facts import FactBase
from ..rulebook import Rule, Rulebook
from .codegen import Generated, generate, namespace
from .evaluate import RuleRun, Verdict, binding_key, raise_time_limit, rule_in_force

FILENAME = "<egov-rules generated>"


def compiled_code(rulebook: Rulebook, generated: Generated) -> Any:
    """The code object of the generated module, from the rulebook's cache when it holds one."""
    cached = getattr(rulebook, "code", None)
    if cached:
        try:
            return marshal.loads(cached)
        except (ValueError, EOFError, TypeError):
            pass
    code = compile(generated.source, FILENAME, "exec")
    rulebook.code = marshal.dumps(code)
    return code


def compile_rulebook(rulebook: Rulebook) -> None:
    """Generate and compile the rulebook's code once, kept in ``rulebook.code`` (and so in its cache)."""
    compiled_code(rulebook, generate(rulebook))


class GeneratedEngine:
    """Runs the generated functions; verdicts identical to the reference engine's (thread-safe)."""

    name = "native"

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.generated = generate(rulebook)
        scope = namespace(self.generated.constants)
        exec(compiled_code(rulebook, self.generated), scope)  # our own generated source, nothing from input
        self.functions = [(rule, scope[name], tuple(b.name for b in rule.bindings))
                          for rule, name in zip(rulebook.rules, self.generated.functions, strict=True)]

    def source_of(self, rule_id: str) -> str:
        first, last = self.generated.spans[rule_id]
        return "\n".join(self.generated.source.splitlines()[first - 1:last]) + "\n"

    def run(self, facts: FactBase, deadline: float | None = None) -> list[RuleRun]:
        runs = []
        for rule, function, names in self.functions:
            if deadline is not None and time.monotonic() > deadline:
                raise_time_limit(facts)
            runs.append(run_rule(rule, function, names, facts))
        return runs


def run_rule(rule: Rule, function: Any, names: tuple[str, ...], facts: FactBase) -> RuleRun:
    out = RuleRun(rule)
    if not rule_in_force(rule, facts):
        out.not_applicable = 1
        return out
    out.applied, out.passed, out.not_applicable, found = function(facts)
    for status, down, bound in found:
        env = {"submission": facts.submission, **dict(zip(names, bound, strict=True))}
        out.verdicts.append(Verdict(rule, env, status, down, binding_key(env, names)))
    return out
