"""Evaluate compiled rules on one submission's facts: the native engine.

An engine answers one question per rule and binding (each project, each component, each collected
item...): does the rule not apply, pass, fail, or is it unknown?  It returns ``Verdict``s for the
failures and unknowns and counts the rest.  Turning verdicts into cited, worded findings is engine-
independent (``findings``), so a second engine only has to produce the same verdicts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..input.facts import POINTER, FactBase
from ..rules.conditions import AllOf, Compare, Source
from ..rules.rulebook import Rule, Rulebook
from .getters import ABSENT, Getter, Test, Trace, compile_operand, compile_path
from .reference import compile_condition, source_getter


@dataclass
class Verdict:
    """A rule's result for one binding that needs a finding."""

    rule: Rule
    env: dict[str, Any]  # binding -> entity (or nested object) it was evaluated on
    status: str  # "fail" or "unknown"
    downgraded: bool = False
    key: tuple[str, ...] = ()  # the bindings' pointers: identifies the verdict across engines


@dataclass
class RuleRun:
    """One rule run over one submission: counts and verdicts."""
    rule: Rule
    applied: int = 0
    passed: int = 0
    not_applicable: int = 0
    verdicts: list[Verdict] = field(default_factory=list)


class Engine(Protocol):
    name: str

    def run(self, facts: FactBase, deadline: float | None = None) -> list[RuleRun]: ...


def binding_key(env: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for n in names:
        v = env.get(n)
        out.append(v.get(POINTER, "") if isinstance(v, dict) else repr(v))
    return tuple(out)


def rule_in_force(rule: Rule, facts: FactBase) -> bool:
    """Art 47: the Measures govern conduct from 2015-04-01; a rule may carry its own dates."""
    return in_force_on(rule.spec.applies_from, rule.spec.applies_until, facts.submission["as_of"])


def in_force_on(applies_from: Any, applies_until: Any, as_of: Any) -> bool:
    """A rule's dates against the submission's as_of (the generated engine reads the dates once per rulebook)."""
    return bool(applies_from <= as_of and (applies_until is None or as_of <= applies_until))


@dataclass
class CompiledRule:
    """A rule compiled to closures (the reference engine): sources, conditions and joins."""
    rule: Rule
    sources: list[tuple[str, Any]]
    when: Test | None
    require: Test
    downgrade: Test | None
    names: tuple[str, ...]
    joins: list[ForEachJoin | None] = field(default_factory=list)

    @classmethod
    def build(cls, rule: Rule) -> CompiledRule:
        sources = [(b.name, _compile_source(b.source)) for b in rule.bindings]
        return cls(
            rule,
            sources,
            compile_condition(rule.when) if rule.when is not None else None,
            compile_condition(rule.require),
            compile_condition(rule.downgrade_when) if rule.downgrade_when is not None else None,
            tuple(b.name for b in rule.bindings),
            ForEachJoin.plan(rule),
        )

    def environments(self, facts: FactBase, pruned: list[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every combination of the rule's ``for_each`` bindings.

        With ``pruned``, a binding over a collection that ``when`` joins to an earlier binding by equality
        is looked up in a hash index instead (so joins in ``for_each`` stay linear); the combinations left
        out have a definitely false ``when``, and their number is added to ``pruned[0]``.
        """
        sources = self.sources
        depth = len(sources)
        base = {"submission": facts.submission}
        joins = self.joins if pruned is not None and self.joins else [None] * depth

        def walk(i: int, env: dict[str, Any]) -> Iterator[dict[str, Any]]:
            if i == depth:
                yield dict(env)
                return
            name, items = sources[i]
            join = joins[i]
            candidates = items(env, facts)
            if join is not None and pruned is not None:
                kept = join.candidates(env, facts, candidates)
                if len(kept) < len(candidates):  # each item left out stands for every combination after it
                    later = 1
                    for _, source in sources[i + 1:]:  # collections: the same for every item (see plan)
                        later *= len(source(env, facts))
                    pruned[0] += (len(candidates) - len(kept)) * later
                candidates = kept
            for item in candidates:
                env[name] = item
                yield from walk(i + 1, env)
            env.pop(name, None)

        return walk(0, base)

    def run(self, facts: FactBase, cap: int | None = None) -> RuleRun:
        if not rule_in_force(self.rule, facts):
            out = RuleRun(self.rule)
            out.not_applicable = 1
            return out
        return self.run_in_force(facts, cap)

    def run_in_force(self, facts: FactBase, cap: int | None = None) -> RuleRun:
        """Every binding (the caller has checked the rule's dates)."""
        out = RuleRun(self.rule)
        pruned = [0]
        if cap is None:
            cap = verdict_cap(facts)
        for env in self.environments(facts, pruned):
            if len(out.verdicts) > cap:
                raise_verdict_limit(self.rule.id, cap, facts)
            if self.when is not None:
                applies = self.when(env, facts, None)
                if applies is False:
                    out.not_applicable += 1
                    continue
                if applies is None:
                    out.applied += 1
                    out.verdicts.append(Verdict(self.rule, env, "unknown", key=binding_key(env, self.names)))
                    continue
            out.applied += 1
            result = self.require(env, facts, None)
            if result is True:
                out.passed += 1
            elif result is False:
                down = self.downgrade is not None and self.downgrade(env, facts, None) is True
                out.verdicts.append(Verdict(self.rule, env, "fail", down, binding_key(env, self.names)))
            else:
                out.verdicts.append(Verdict(self.rule, env, "unknown", key=binding_key(env, self.names)))
        out.not_applicable += pruned[0]
        return out

    def trace(self, env: dict[str, Any], facts: FactBase, indexed: bool = False) -> Traced:
        """Re-run one binding with a trace; the returned env also holds the witnesses that decided it.
        ``indexed``: quantifiers may skip the items a hash index shows to have a false where (``Trace``)."""
        trace = Trace(indexed=indexed)
        env = dict(env)
        applies: bool | None = True
        if self.when is not None:
            applies = self.when(env, facts, trace)
        result = self.require(env, facts, trace) if applies is True else None
        down = None
        if result is False and self.downgrade is not None:
            down = self.downgrade(env, facts, trace)
        return Traced(trace, env, applies, result, down)


@dataclass
class Traced:
    """One binding evaluated again with a trace of every test (for findings and explain)."""
    trace: Trace
    env: dict[str, Any]
    applies: bool | None
    result: bool | None
    downgraded: bool | None


@dataclass
class ForEachJoin:
    """A ``for_each`` binding that ``when`` equates with an earlier binding's fact: over a collection, or
    over a list of objects inside an earlier binding (looked up in a hash index of that list)."""

    collection: str | None
    inner: Getter | None  # the list inside the earlier binding, itself (not a copy)
    binding: str
    key_name: str
    item_key: Getter
    outer_key: Getter
    compare: Compare  # the conjunct of ``when`` it joins by (the generated code looks it up inline)

    @classmethod
    def plan(cls, rule: Rule) -> list[ForEachJoin | None]:
        conjuncts = list(_conjuncts(rule.when))
        out: list[ForEachJoin | None] = []
        earlier = {"submission"}
        for i, b in enumerate(rule.bindings):
            found = None
            source = b.source
            indexable = source.collection is not None or (
                source.path is not None and not source.path.mapped and source.type.item is not None
                and source.type.item.kind == "object")
            # only when every later binding is over a collection: then an item left out stands for a
            # known number of combinations (the product of their sizes)
            independent = all(later.source.collection is not None for later in rule.bindings[i + 1:])
            for c in conjuncts if indexable and independent else ():
                if (isinstance(c, Compare) and c.op == "eq" and c.path.binding == b.name and not c.path.mapped
                        and c.operand.path is not None and c.operand.path.binding in earlier
                        and not c.operand.offset):
                    found = cls(source.collection, compile_path(source.path) if source.path else None, b.name,
                                "eq:" + c.path.text, compile_path(c.path), compile_operand(c.operand), c)
                    break
            out.append(found)
            earlier.add(b.name)
        return out if any(out) else []

    def candidates(self, env: dict[str, Any], facts: FactBase, items: list[Any]) -> list[Any]:
        """The items whose join key equals the outer one or is unknown (null): the only ones for which
        ``when`` may not be false.  In the source's order, as a full scan gives them."""
        binding, item_key = self.binding, self.item_key

        def keys_of(entity: dict[str, Any]) -> list[Any] | None:
            v = item_key({binding: entity}, facts, None)
            return None if v is None else ([] if v is ABSENT else [v])

        if self.collection is not None:
            table, unknown = facts.index(self.collection, self.key_name, keys_of)
        else:
            assert self.inner is not None
            inner = self.inner(env, facts, None)
            if not isinstance(inner, list):
                return items
            # the list lives as long as the facts: its identity names its index
            table, unknown = facts.index(f"@{id(inner)}", self.key_name, keys_of, inner)
        key = self.outer_key(env, facts, None)
        if key is None:  # unknown: nothing can be left out
            return items
        hits = table.get(key, []) if key is not ABSENT else []
        if not unknown:
            return hits
        if self.collection is not None:  # put back in the collection's order without a scan per binding
            order = facts.positions(self.collection)
            return sorted([*hits, *unknown], key=lambda e: order[id(e)])
        keep = {id(e) for e in [*hits, *unknown]}
        return [e for e in items if id(e) in keep]


def _conjuncts(condition: Any) -> Iterator[Any]:
    if isinstance(condition, AllOf):
        for c in condition.items:
            yield from _conjuncts(c)
    elif condition is not None:
        yield condition


def _compile_source(source: Source) -> Any:
    """A for_each source: the same getter quantifiers use; an unknown list gives no bindings."""
    items = source_getter(source)
    return lambda env, facts: items(env, facts, None) or []


class _CompiledRules(Mapping[str, CompiledRule]):
    """Rule id -> its closures, compiled on first use: findings trace only the rules that fired, so a
    one-file check does not compile the other ninety."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rules = {r.id: r for r in rulebook.rules}
        self.done: dict[str, CompiledRule] = {}

    def __getitem__(self, rule_id: str) -> CompiledRule:
        found = self.done.get(rule_id)
        if found is None:
            found = self.done[rule_id] = CompiledRule.build(self.rules[rule_id])  # KeyError: no such rule
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


class NativeEngine:
    """The reference engine: the closures, hash joins; thread-safe (no state between runs).  The generated
    engine (``generated``) is tested against it; findings and explain trace through it."""

    name = "reference"

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.by_id = _CompiledRules(rulebook)

    @property
    def compiled(self) -> list[CompiledRule]:
        return [self.by_id[r.id] for r in self.rulebook.rules]

    def run(self, facts: FactBase, deadline: float | None = None) -> list[RuleRun]:
        runs = []
        cap = verdict_cap(facts)  # once: it counts the entities
        for c in self.compiled:
            if deadline is not None and time.monotonic() > deadline:
                raise_time_limit(facts)
            runs.append(c.run(facts, cap))
        return runs


# A rule that combines collections without an indexed join yields up to N x M verdicts; each holds its
# bindings, so memory grows with them.  No sound rule has more than a few verdicts per entity.
VERDICTS_PER_ENTITY = 10
VERDICTS_AT_LEAST = 10_000  # the cap of any submission: fewer verdicts need no entity count


def verdict_cap(facts: FactBase) -> int:
    return VERDICTS_PER_ENTITY * facts.entity_count() + VERDICTS_AT_LEAST


def check_verdict_count(rule_id: str, count: int, facts: FactBase) -> None:
    """Raise when a rule gave more verdicts than the submission's cap; the entities are counted (~1 µs, a
    tenth of a small run) only past the least cap of any submission."""
    if count > VERDICTS_AT_LEAST:
        cap = verdict_cap(facts)
        if count > cap:
            raise_verdict_limit(rule_id, cap, facts)


def raise_verdict_limit(rule_id: str, cap: int, facts: FactBase) -> None:
    from ..errors import LimitExceeded

    raise LimitExceeded(f"rule '{rule_id}' gives more than {cap} findings for this submission "
                        f"({VERDICTS_PER_ENTITY} per entity): its for_each or quantifiers combine collections "
                        "without a join on an id (see README, limits)", file=facts.source, field="rules")


def raise_time_limit(facts: FactBase) -> None:
    from ..errors import LimitExceeded

    raise LimitExceeded("checking took longer than the time limit (raise with --max-seconds)", file=facts.source,
                        field="max_seconds")
