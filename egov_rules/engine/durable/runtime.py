"""Durable runtime: one submission's facts materialised for durable, rulesets per chunk, sessions, and
the verdicts read back (the same ``RuleRun``s the native engine gives)."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...errors import InternalError, UsageError
from ...input.facts import FactBase
from ...rules.rulebook import Rule, Rulebook
from ..evaluate import (
    CompiledRule,
    NativeEngine,
    RuleRun,
    Verdict,
    binding_key,
    raise_time_limit,
    rule_in_force,
)
from ..getters import ABSENT
from .expressions import PLACEHOLDER, Kind, Untranslatable, _encode
from .kinds import Spec
from .translate import Compiler

INSTALL_HINT = (
    "pip install 'egov-rules[durable]' (durable-rules 2.0.28 builds from source: it needs gcc and the "
    "Python headers, and imports on CPython 3.12 or older); or use --engine native"
)

# ------------------------------------------------------------------------------- facts
STRUCTURAL = frozenset({"sid", "id", "k", "t", "o", "v", "n"})  # plus a0, a1, ... of derived facts


@dataclass
class Built:
    """One submission's facts: by tag and by ``k``, with each fact's native object and its position in
    its source (native iteration order)."""

    by_tag: dict[str, list[dict[str, Any]]]
    facts: list[dict[str, Any]]
    objs: list[Any]
    pos: list[int]


def build_facts(kinds: Iterable[Kind], facts: FactBase, sid: str) -> Built:
    built = Built({}, [], [], [])
    members: dict[str, list[tuple[int, Any]]] = {}

    def new(obj: Any, i: int, body: dict[str, Any]) -> dict[str, Any]:
        k = len(built.objs)
        built.objs.append(obj)
        built.pos.append(i)
        fact = {"sid": sid, "id": str(k), "k": k, **body}
        built.by_tag.setdefault(body["t"], []).append(fact)
        built.facts.append(fact)
        return fact

    for kind in kinds:
        if kind.collection == "submission":
            items: list[tuple[Any, int, int | None]] = [(facts.submission, 0, None)]
        elif kind.collection is not None:
            items = [(e, i, None) for i, e in enumerate(facts.collection(kind.collection))]
        else:
            assert kind.owner is not None and kind.items is not None
            items = [(el, i, ok) for ok, owner in members.get(kind.owner.tag, [])
                     for i, el in enumerate(kind.items(owner, facts))]
        mine = members.setdefault(kind.tag, [])
        for obj, i, owner in items:
            fact = new(obj, i, {"t": kind.tag} if owner is None else {"t": kind.tag, "o": owner})
            mine.append((fact["k"], obj))
            env = {"_": obj}
            for name, (read, klass, never, items_never) in kind.fields.items():
                _materialise(fact, name, read(env, facts, None), klass)
                if (never and fact[name + "s"] != "v") or (items_never and fact.get(name + "n", 0)):
                    raise InternalError(f"durable engine: {kind.tag}.{name} is null, which the schema rules out")
            fact.update(kind.consts)
            for name, tag in kind.elements.items():
                for j, v in enumerate(fact[name]):
                    new(None, j, {"t": tag, "o": fact["k"], "v": v})
    return built


def _materialise(fact: dict[str, Any], name: str, v: Any, klass: str | None) -> None:
    # every field is always present (a placeholder of its type when not set): a missing field of another
    # fact makes durable fail, and the state field guards every test that reads a value
    is_list = klass is not None and klass.startswith("list:")
    if v is None or v is ABSENT:
        fact[name + "s"] = "u" if v is None else "a"
        if klass is not None:
            fact[name] = [] if is_list else PLACEHOLDER[klass]
        if is_list:
            fact[name + "n"] = fact[name + "l"] = 0
        return
    fact[name + "s"] = "v"
    if klass is None:
        return
    if is_list:
        known = [_encode(x) for x in v if x is not None]
        fact[name] = known
        fact[name + "n"] = len(v) - len(known)
        fact[name + "l"] = len(known)
    else:
        fact[name] = _encode(v)


# ------------------------------------------------------------------------------- the engine
_ENGINES = itertools.count()
CHUNK = 32  # durable rules per ruleset: keeps every alpha node under durable's fan-out limits
MAX_FIELDS = 200  # fields of one fact a ruleset reads (durable takes about 250 per fact)


@dataclass
class Session:
    """What one submission's run collects (actions write here)."""

    outcomes: dict[tuple[int, str], set[tuple[int, ...]]] = field(default_factory=dict)
    derived: dict[str, set[tuple[int, ...]]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    started: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)


@dataclass
class Chunk:
    """One durable ruleset: some of the rules, and the facts (and fields of them) they read."""

    name: str
    last: int  # its last stratum
    keep: dict[str, frozenset[str]]  # fact tag -> fields to send


def _parts(specs: list[Spec]) -> Iterator[list[Spec]]:
    """Consecutive specs, at most ``CHUNK`` to a ruleset and at most ``MAX_FIELDS`` fields read of a fact."""
    part: list[Spec] = []
    reads: dict[str, set[str]] = {}
    for spec in specs:
        merged = {tag: reads.get(tag, set()) | spec.reads.get(tag, set()) for tag in {*reads, *spec.reads}}
        if part and (len(part) == CHUNK or max(map(len, merged.values()), default=0) > MAX_FIELDS):
            yield part
            part, merged = [], {tag: set(fields) for tag, fields in spec.reads.items()}
        part.append(spec)
        reads = merged
    if part:
        yield part


@dataclass
class _Plan:
    """A rule's durable ruleset plan, with the reference rule that words its verdicts."""
    rule: Rule
    native: CompiledRule | None  # set when the rule runs natively


class DurableEngine:
    """Runs the rulebook through durable_rules; verdicts identical to ``NativeEngine``'s."""

    name = "durable"

    def __init__(self, rulebook: Rulebook, native: NativeEngine | None = None) -> None:
        try:
            from durable.engine import Host
        except ImportError as exc:  # not installed, or CPython 3.13+ where its extension does not import
            raise UsageError(f"--engine durable needs the durable-rules package ({exc})",
                             expected=INSTALL_HINT) from None

        class QuietHost(Host):  # type: ignore[misc]
            def _run(self) -> None:  # no background dispatcher threads: actions run in the caller
                return None

        self.rulebook = rulebook
        self.native = native or NativeEngine(rulebook)
        self.notes: list[str] = []
        self._session: Session | None = None  # the run in progress (actions write into it)
        self.compiler = Compiler()
        self.plans: list[_Plan] = []
        specs: list[Spec] = []
        for index, rule in enumerate(rulebook.rules):
            try:
                mine = self.compiler.rule(index, rule)
            except Untranslatable as exc:
                self.plans.append(_Plan(rule, self.native.by_id[rule.id]))
                self.notes.append(f"rule {rule.id}: run by the native engine because {exc}")
                continue
            specs.extend(mine)
            self.plans.append(_Plan(rule, None))
        specs = self.compiler.view_specs + specs
        self.kinds = list(self.compiler.kinds.values())
        self.host = QuietHost()
        self.chunks: list[Chunk] = []
        engine = next(_ENGINES)
        self.definitions: dict[str, dict[str, Any]] = {}  # the rulesets as given to durable (tests read them)
        for part in _parts(specs):
            chunk = self._chunk(f"egov{engine}_{len(self.chunks)}", part)
            self.definitions[chunk.name] = self._definition(chunk, part)
            self.chunks.append(chunk)
        self.host.set_rulesets(copy.deepcopy(self.definitions))  # durable mutates what it is given
        self.strata = max((c.last for c in self.chunks), default=-1) + 1
        self._lock = threading.Lock()  # durable's C core holds the GIL: one session at a time
        self._sessions = itertools.count()

    # -- rulesets ------------------------------------------------------------------------------------
    @staticmethod
    def _chunk(name: str, specs: list[Spec]) -> Chunk:
        reads: dict[str, set[str]] = {}
        for spec in specs:
            for tag, fields in spec.reads.items():
                reads.setdefault(tag, set()).update(fields)
        keep = {tag: frozenset(STRUCTURAL | fields) for tag, fields in reads.items()}
        return Chunk(name, max(s.stratum for s in specs), keep)

    def _definition(self, chunk: Chunk, specs: list[Spec]) -> dict[str, Any]:
        rules: dict[str, Any] = {
            # an action runs first in every session, so delete_state never meets a session without one
            "hello": {"all": [{"h": {"t": "$hello"}}], "run": self._hello(chunk.name)},
            # a fact that matches no rule makes durable raise for the whole batch
            "catch_all": {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "$never"}}], "run": self._never},
            "done": {"all": [{"g": {"$and": [{"t": "$gate"}, {"n": chunk.last}]}}], "run": self._done(chunk.name)},
        }
        for i, spec in enumerate(specs):
            gate = {"g": {"$and": [{"t": "$gate"}, {"n": spec.stratum}]}}
            rules[f"r{i}"] = {"all": [gate, *spec.patterns], "run": self._action(spec.action)}
        return rules

    def _action(self, action: tuple[Any, ...]) -> Callable[[Any], None]:
        if action[0] == "outcome":
            _, index, what, names = action
            key = (index, what)

            def outcome(c: Any) -> None:
                try:
                    s = self._session
                    assert s is not None
                    s.outcomes.setdefault(key, set()).add(tuple(getattr(c, n)["k"] for n in names))
                except BaseException as exc:
                    self._record(exc)

            return outcome
        _, pred, names = action  # "derive" or "view": a derived fact, keyed by the facts bound to names

        def derive(c: Any) -> None:
            try:
                s = self._session
                assert s is not None
                s.derived.setdefault(pred.tag, set()).add(tuple(getattr(c, n)["k"] for n in names))
            except BaseException as exc:
                self._record(exc)

        return derive

    def _record(self, exc: BaseException) -> None:
        if self._session is not None:
            self._session.errors.append(exc)

    def _hello(self, name: str) -> Callable[[Any], None]:
        def hello(c: Any) -> None:
            if self._session is not None:
                self._session.started.add(name)

        return hello

    def _done(self, name: str) -> Callable[[Any], None]:
        def done(c: Any) -> None:
            if self._session is not None:
                self._session.done.add(name)

        return done

    def _never(self, c: Any) -> None:
        self._record(InternalError("durable engine: the catch-all rule fired"))

    # -- running -------------------------------------------------------------------------------------
    def run(self, facts: FactBase, deadline: float | None = None) -> list[RuleRun]:
        if deadline is not None and time.monotonic() > deadline:
            raise_time_limit(facts)
        with self._lock:
            session = self._session = Session()
            try:
                built = self._match(facts, session)
            finally:
                self._session = None
        if deadline is not None and time.monotonic() > deadline:
            raise_time_limit(facts)
        return [self._rule_run(i, plan, facts, session, built) for i, plan in enumerate(self.plans)]

    def _match(self, facts: FactBase, session: Session) -> Built:
        sid = str(next(self._sessions))
        built = build_facts(self.kinds, facts, sid)
        counter = itertools.count(len(built.objs))
        host = self.host

        def control(tag: str, **kw: Any) -> dict[str, Any]:
            return {"sid": sid, "id": str(next(counter)), "k": -1, "t": tag, **kw}

        def send(chunk: Chunk, source: dict[str, list[dict[str, Any]]], tags: Iterable[str]) -> None:
            batch = []
            for tag in tags:
                keep = chunk.keep[tag]
                base, _, replica = tag.partition("~")
                for f in source.get(base, ()):
                    fact = {k: v for k, v in f.items() if k in keep}
                    if replica:  # a copy under its own id: a second pattern on this kind reads it
                        fact.update(t=tag, id=f"{f['id']}~{replica}")
                    batch.append(fact)
            if batch:
                host.assert_facts(chunk.name, batch)
                self._raise(session)

        sent: dict[str, set[str]] = {c.name: set() for c in self.chunks}
        derived: dict[str, list[dict[str, Any]]] = {}
        try:
            for chunk in self.chunks:
                host.assert_fact(chunk.name, control("$hello"))
                self._raise(session)
                send(chunk, built.by_tag, [t for t in chunk.keep if t.partition("~")[0] in built.by_tag])
            for n in range(self.strata):
                for chunk in self.chunks:
                    if n > chunk.last:
                        continue
                    # facts derived in earlier strata, then the gate: negations see everything they need
                    fresh = [t for t in chunk.keep if t.partition("~")[0] in derived and t not in sent[chunk.name]]
                    send(chunk, derived, fresh)
                    sent[chunk.name].update(fresh)
                    host.assert_fact(chunk.name, control("$gate", n=n))
                    self._raise(session)
                for tag, found in sorted(session.derived.items()):
                    if tag in self.compiler.views_by_tag:  # a view: copies of the facts that passed it
                        derived[tag] = [{**built.facts[k], "id": str(next(counter)), "t": tag}
                                        for (k,) in sorted(found)]
                    else:
                        derived[tag] = [control(tag, **{f"a{i}": k for i, k in enumerate(keys)})
                                        for keys in sorted(found)]
                session.derived.clear()
            for chunk in self.chunks:
                exception = host.get_state(chunk.name, sid).get("exception")
                if exception:
                    raise InternalError(f"durable engine: an action failed: {exception}")
                if chunk.name not in session.started or chunk.name not in session.done:
                    raise InternalError(f"durable engine: ruleset {chunk.name} did not run to its last gate")
        finally:
            for chunk in self.chunks:
                if chunk.name in session.started:
                    host.delete_state(chunk.name, sid)
        return built

    @staticmethod
    def _raise(session: Session) -> None:
        if session.errors:
            raise session.errors[0]

    def _rule_run(self, index: int, plan: _Plan, facts: FactBase, session: Session, built: Built) -> RuleRun:
        if plan.native is not None:
            return plan.native.run(facts)
        rule = plan.rule
        out = RuleRun(rule)
        if not rule_in_force(rule, facts):
            out.not_applicable = 1
            return out

        def got(what: str) -> set[tuple[int, ...]]:
            return session.outcomes.get((index, what), set())

        na, passed, failed, down = got("na"), got("pass"), got("fail"), got("down")
        if (na & (passed | failed)) or (passed & failed) or (down - failed):
            raise InternalError(f"durable engine: contradictory outcomes for rule {rule.id}")
        names = tuple(b.name for b in rule.bindings)
        pos, objs = built.pos, built.objs
        for combo in sorted(got("all"), key=lambda ks: [pos[k] for k in ks]):
            if combo in na:
                out.not_applicable += 1
                continue
            out.applied += 1
            if combo in passed:
                out.passed += 1
                continue
            env = {"submission": facts.submission, **{n: objs[k] for n, k in zip(names, combo, strict=True)}}
            key = binding_key(env, names)
            if combo in failed:
                out.verdicts.append(Verdict(rule, env, "fail", combo in down, key))
            else:
                out.verdicts.append(Verdict(rule, env, "unknown", key=key))
        return out
