"""The durable_rules engine: the same rules, matched by durable_rules' Rete network (``--engine durable``).

It gives the same verdicts as the native engine by a different route, so each engine checks the other.
Rulesets are built from data (dicts given to ``Host.set_rulesets``), from the engine-independent rule AST:

* **Facts.**  Each entity a rule can bind becomes a fact; a binding over a list inside another binding
  (``project.components``, ``system.accesses_shared_sensitive``) gets one *link* fact per element, owned by
  the fact of the outer binding.  Every path a rule reads from a binding (``component.platform.unified``)
  is materialised on that binding's facts with the native path reader: a value field plus a state field
  (``v`` value, ``u`` unknown, ``a`` there is none), because durable has no null and treats a missing field
  as "every comparison is false" (and a missing field of another binding as an error).  Following a
  reference is a functional lookup done there; durable does the logic: comparisons, joins between
  bindings, quantifiers, negation and the three-valued outcome.
* **Three-valued logic.**  Each condition is compiled into durable patterns for its four polarities: true,
  false, not true, not false (all in disjunctive normal form over patterns; comparisons guard on the state
  fields).  Per ``for_each`` combination: false ``when`` is not applicable, true ``when`` and true/false
  ``require`` is pass/fail, and every other combination is unknown.
* **Negation** of a body that needs more than one pattern (``none``/``every`` over a join, membership of
  another binding's value in a list) becomes a derived fact computed in a lower stratum; each stratum starts
  when its ``$gate`` fact is asserted, after every fact it may negate (durable's negation depends on fact
  order, see docs/notes on durable_rules).
* Remedies for durable's traps: every rule starts with the gate pattern; a catch-all rule; an action that
  runs once per session before anything else; a ``Host`` without background dispatcher threads;
  ``delete_state`` in a ``finally``; exceptions raised out of ``state["exception"]``; results kept in sets
  (``$or`` and joins fire more than once); unique integer fact ids.

A rule that cannot be translated (e.g. it compares values of different types) is run by the native
engine and listed in ``notes``; nothing is skipped silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .compile import ABSENT, Getter, compile_path
from .conditions import AllOf, AnyOf, Compare, Not, Path, Quantifier, Source
from .errors import InternalError, UsageError
from .evaluate import (
    CompiledRule,
    NativeEngine,
    RuleRun,
    Verdict,
    _compile_source,
    binding_key,
    raise_time_limit,
    rule_in_force,
)
from .facts import COLLECTION, DERIVED_COLLECTIONS, FactBase
from .factschema import FieldType
from .rulebook import Rule, Rulebook

INSTALL_HINT = (
    "pip install 'egov-rules[durable]' (durable-rules 2.0.28 builds from source: it needs gcc and the "
    "Python headers, and imports on CPython 3.12 or older); or use --engine native"
)
MAX_ALTERNATIVES = 256  # per outcome of one rule: beyond this the rule runs natively (and says so)

# ------------------------------------------------------------------------------- expressions
# Quantifier-free tests on facts' fields; a pattern renders them relative to its own fact.


@dataclass(frozen=True)
class Fld:
    binding: str  # durable binding name
    name: str  # field name on that binding's facts
    guarded: bool = False  # a value field: meaningful only when its state field is "v"


@dataclass(frozen=True)
class Lit:
    value: Any  # an encoded JSON scalar


@dataclass(frozen=True)
class Cmp:
    op: str  # $eq $neq $lt $lte $gt $gte
    left: Fld
    right: Fld | Lit


@dataclass(frozen=True)
class Items:
    """``$iany`` (some element == value) or ``$iall`` (a non-empty list, every element != value)."""

    quant: str
    list: Fld
    value: Fld | Lit  # a literal or a field of the list's own fact


@dataclass(frozen=True)
class And:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Any, ...]


Expr = Cmp | Items | And | Or
TRUE = And(())
FALSE = Or(())
NEG_OP = {"$eq": "$neq", "$neq": "$eq", "$lt": "$gte", "$gte": "$lt", "$lte": "$gt", "$gt": "$lte"}
MIRROR_OP = {"$eq": "$eq", "$neq": "$neq", "$lt": "$gt", "$gt": "$lt", "$lte": "$gte", "$gte": "$lte"}
RULE_OP = {"eq": "$eq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def _flat(kind: type[And] | type[Or], items: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        for y in x.items if isinstance(x, kind) else (x,):
            if y not in out:
                out.append(y)
    return out


def conj(*items: Any) -> Any:
    parts = _flat(And, items)
    if FALSE in parts:
        return FALSE
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def disj(*items: Any) -> Any:
    parts = _flat(Or, items)
    if TRUE in parts:
        return TRUE
    if len(parts) < 2:
        return parts[0] if parts else FALSE
    # (A and X) or (A and Y) -> A and (X or Y): shared guards leave the disjunction (fewer join tests)
    terms = [p.items if isinstance(p, And) else (p,) for p in parts]
    common = [t for t in terms[0] if all(t in other for other in terms[1:])]
    if common:
        rest = [conj(*(t for t in term if t not in common)) for term in terms]
        return conj(*common, disj(*rest))
    return Or(tuple(parts))


def state(f: Fld) -> Fld:
    return Fld(f.binding, f.name + "s")


def _is(x: Fld | Lit, st: str) -> Any:
    if isinstance(x, Lit):
        return TRUE if st == "v" else FALSE
    return Cmp("$eq", state(x), Lit(st))


def _set(x: Fld | Lit) -> Any:
    return _is(x, "v")


def _not_set(x: Fld | Lit) -> Any:
    return FALSE if isinstance(x, Lit) else Cmp("$neq", state(x), Lit("v"))


def _guard_parts(*xs: Fld | Lit) -> list[Any]:
    return [_not_set(x) for x in xs if isinstance(x, Fld) and x.guarded]


def neg(e: Any) -> Any:
    """The complement of an expression (De Morgan; a guarded field that is not set makes a test false)."""
    if isinstance(e, And):
        return disj(*(neg(x) for x in e.items))
    if isinstance(e, Or):
        return conj(*(neg(x) for x in e.items))
    if isinstance(e, Cmp):
        return disj(*_guard_parts(e.left, e.right), Cmp(NEG_OP[e.op], e.left, e.right))
    assert isinstance(e, Items)
    length = Cmp("$eq", Fld(e.list.binding, e.list.name + "l"), Lit(0))
    if e.quant == "$iany":
        return disj(*_guard_parts(e.list, e.value), length, Items("$iall", e.list, e.value))
    return disj(*_guard_parts(e.list, e.value), length, Items("$iany", e.list, e.value))


def refs(e: Any) -> set[str]:
    if isinstance(e, And | Or):
        return set().union(*(refs(x) for x in e.items)) if e.items else set()
    if isinstance(e, Cmp):
        return {e.left.binding} | ({e.right.binding} if isinstance(e.right, Fld) else set())
    assert isinstance(e, Items)
    return {e.list.binding} | ({e.value.binding} if isinstance(e.value, Fld) else set())


def renderable(e: Any, own: str) -> bool:
    """Can the pattern of ``own`` test this?  Durable's left operand must be a field of its own fact."""
    if isinstance(e, And | Or):
        return all(renderable(x, own) for x in e.items)
    if isinstance(e, Cmp):
        return e.left.binding == own or isinstance(e.right, Lit) or e.right.binding == own
    assert isinstance(e, Items)
    return e.list.binding == own and (isinstance(e.value, Lit) or e.value.binding == own)


def beta_cost(e: Any, own: str) -> int:
    """Entries a test takes in the join-expression sequence of durable's pattern (rete.c: every $and and
    $or appends two, every test that reads another fact one; the sequence holds at most 31)."""
    if isinstance(e, And | Or):
        return sum(beta_cost(x, own) for x in e.items) + (2 if len(e.items) > 1 else 0)
    if isinstance(e, Cmp):
        reads_other = e.left.binding != own or (isinstance(e.right, Fld) and e.right.binding != own)
        return 1 if reads_other else 0
    return 0


BETA_LIMIT = 31  # MAX_SEQUENCE_EXPRESSIONS (32) - 1


# ------------------------------------------------------------------------------- patterns, DNF
@dataclass(frozen=True)
class Pattern:
    name: str
    test: Any  # an Expr renderable at ``name``
    negated: bool = False
    stratum: int = -1  # for a negated derived fact: the stratum that derives it


@dataclass(frozen=True)
class Conj:
    patterns: tuple[Pattern, ...] = ()
    exprs: tuple[Any, ...] = ()


DNF = list[Conj]
POLARITIES = ("T", "F", "NT", "NF")  # true; false; not true; not false
SWAP = {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}


class Untranslatable(Exception):
    """A rule (or a condition in it) that durable patterns cannot express; it runs natively."""


def _expr_dnf(e: Any) -> DNF:
    return [] if e == FALSE else [Conj(exprs=() if e == TRUE else (e,))]


def _product(*dnfs: DNF) -> DNF:
    out: DNF = [Conj()]
    for d in dnfs:
        out = [Conj(a.patterns + b.patterns, a.exprs + b.exprs) for a in out for b in d]
        if len(out) > MAX_ALTERNATIVES:
            raise Untranslatable(f"its conditions expand to more than {MAX_ALTERNATIVES} pattern alternatives")
    return _collapse(out)


def _union(*dnfs: DNF) -> DNF:
    out = [c for d in dnfs for c in d]
    if len(out) > MAX_ALTERNATIVES:
        raise Untranslatable(f"its conditions expand to more than {MAX_ALTERNATIVES} pattern alternatives")
    return _collapse(out)


def _collapse(d: DNF) -> DNF:
    """Alternatives without patterns merge into one disjunction (keeps products small)."""
    pure = [c for c in d if not c.patterns]
    if len(pure) <= 1:
        return d
    merged = disj(*(conj(*c.exprs) for c in pure))
    return [c for c in d if c.patterns] + _expr_dnf(merged)


# ------------------------------------------------------------------------------- kinds of facts
PathKey = tuple[Any, ...]


@dataclass
class Kind:
    """A kind of fact: the entities of a collection, the submission, or the elements of a list source."""

    key: tuple[Any, ...]
    tag: str  # the facts' ``t``
    collection: str | None = None  # entities of this collection ("submission" for the submission)
    owner: Kind | None = None  # link facts: the kind of the facts that own them
    items: Callable[[Any, FactBase], list[Any]] | None = None  # link facts: the elements of an owner
    fields: dict[str, tuple[Getter, str | None]] = field(default_factory=dict)  # name -> (reader, class)
    consts: dict[str, Any] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)  # list field -> element facts' tag


def _scalar_class(ft: FieldType) -> str | None:
    if ft.kind in ("str", "ref"):
        return "text"
    if ft.kind in ("int", "number"):
        return "num"
    if ft.kind in ("bool", "date"):
        return ft.kind
    if ft.kind == "enum":
        values = [v for v in ft.enum if v is not None]
        if values and all(isinstance(v, str) for v in values):
            return "text"
        if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return "num"
    return None


def _literal_class(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "num"
    if isinstance(v, dt.date):
        return "date"
    return "text"


def _encode(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.toordinal()  # dates compare as day numbers
    return v


PLACEHOLDER = {"text": "", "num": 0, "date": 0, "bool": False}


# ------------------------------------------------------------------------------- the compiler
@dataclass
class Spec:
    """One durable rule: its patterns (after the gate) and what its action records."""

    stratum: int
    patterns: list[dict[str, Any]]
    action: tuple[Any, ...]  # ("outcome", rule index, what, binding names) | ("derive", pred, names)
    reads: dict[str, set[str]]  # fact tag -> materialised fields the patterns read


@dataclass
class Pred:
    tag: str
    arity: int
    stratum: int = 0


class Compiler:
    """Translates a rulebook into durable rule specs; shared registries of kinds, fields and predicates."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[Any, ...], Kind] = {}
        self.field_names: dict[PathKey, str] = {}
        self.const_names: dict[tuple[str, Any], str] = {}
        self.preds: list[Pred] = []
        self.element_tags: dict[tuple[tuple[Any, ...], str], str] = {}
        self.binding_kind: dict[str, Kind] = {}  # per rule being translated
        self.counter = itertools.count()
        self.kind("submission", ("submission",), collection="submission")

    # -- kinds and fields ----------------------------------------------------------------------
    def kind(self, tag: str, key: tuple[Any, ...], **kw: Any) -> Kind:
        found = self.kinds.get(key)
        if found is None:
            found = self.kinds[key] = Kind(key, tag, **kw)
        return found

    def source_kind(self, source: Source, scope: dict[str, str]) -> Kind:
        if source.collection is not None:
            name = source.collection
            if name in DERIVED_COLLECTIONS:
                return self.kind(f"L{len(self.kinds)}", ("derived", name), owner=self.kinds[("submission",)],
                                 items=lambda owner, facts: facts.collection(name))
            return self.kind(name, ("entity", name), collection=name)
        path = source.path
        assert path is not None
        owner = self.binding_kind[scope[path.binding]]
        key = ("link", owner.key, path.steps, path.mapped)
        if key not in self.kinds:
            get = _compile_source(source)
            binding = path.binding

            def items(obj: Any, facts: FactBase) -> list[Any]:
                result: list[Any] = get({binding: obj, "submission": facts.submission}, facts)
                return result

            self.kind(f"L{len(self.kinds)}", key, owner=owner, items=items)
        return self.kinds[key]

    def type_test(self, name: str) -> Any:
        return Cmp("$eq", Fld(name, "t"), Lit(self.binding_kind[name].tag))

    def bind(self, name: str, source: Source, scope: dict[str, str]) -> Pattern:
        """The pattern that binds ``name`` to an item of ``source`` (joined to its owner)."""
        kind = self.source_kind(source, scope)
        self.binding_kind[name] = kind
        test = self.type_test(name)
        if source.path is not None:
            test = conj(test, Cmp("$eq", Fld(name, "o"), Fld(scope[source.path.binding], "k")))
        return Pattern(name, test)

    def path_field(self, path: Path, scope: dict[str, str], *, offset: int = 0, is_a: bool = False,
                   value: bool = True) -> tuple[Fld, str | None]:
        """The field holding a path's value on its binding's facts, and the value's class."""
        binding = scope[path.binding]
        kind = self.binding_kind[binding]
        ft = path.type
        if is_a:
            klass: str | None = "text"
        elif ft.kind == "list":
            item = _scalar_class(ft.item) if ft.item is not None else None
            klass = f"list:{item}" if item else None
        else:
            klass = _scalar_class(ft)
        if value and klass is None:
            raise Untranslatable(f"'{path.text}' is {ft.describe()}, which durable facts cannot hold")
        key: PathKey = (path.steps, path.mapped, offset, is_a)
        name = self.field_names.get(key)
        if name is None:
            name = self.field_names[key] = f"f{len(self.field_names)}"
        if name not in kind.fields:
            kind.fields[name] = (_reader(path, offset, is_a), klass)
        return Fld(binding, name, guarded=True), klass

    def const(self, binding: str, value: Any) -> str:
        """A field holding a literal on ``binding``'s facts, so a test on another fact can be written here."""
        key = (type(value).__name__, value)
        name = self.const_names.get(key)
        if name is None:
            name = self.const_names[key] = f"x{len(self.const_names)}"
        self.binding_kind[binding].consts[name] = value
        return name

    def element_tag(self, lst: Fld) -> str:
        kind = self.binding_kind[lst.binding]
        key = (kind.key, lst.name)
        tag = self.element_tags.get(key)
        if tag is None:
            tag = self.element_tags[key] = f"E{len(self.element_tags)}"
        kind.elements[lst.name] = tag
        return tag

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    # -- conditions --------------------------------------------------------------------------------
    def condition(self, node: Any, pol: str, scope: dict[str, str], out: list[Spec]) -> DNF:
        if isinstance(node, Compare):
            return self.compare(node, pol, scope)
        if isinstance(node, Not):
            return self.condition(node.item, SWAP[pol], scope, out)
        if isinstance(node, AllOf | AnyOf):
            parts = [self.condition(c, pol, scope, out) for c in node.items]
            conjunctive = (pol in ("T", "NF")) == isinstance(node, AllOf)
            return _product(*parts) if conjunctive else _union(*parts)
        if isinstance(node, Quantifier):
            return self.quantifier(node, pol, scope, out)
        raise Untranslatable(f"condition {type(node).__name__} is not known to the durable engine")

    def quantifier(self, node: Quantifier, pol: str, scope: dict[str, str], out: list[Spec]) -> DNF:
        name = self.fresh("q")
        bound = self.bind(name, node.source, scope)
        inner = {**scope, node.binding: name}

        def body(c: Any, p: str) -> DNF:
            if c is None:
                return [Conj()] if p in ("T", "NF") else []
            return self.condition(c, p, inner, out)

        positive: DNF = [Conj(patterns=(bound,))]
        if node.kind in ("exists", "none"):
            # exists: true = some item where-true; false = no item where-not-false
            p = pol if node.kind == "exists" else SWAP[pol]
            if p == "T":
                return _product(positive, body(node.where, "T"))
            if p == "NF":
                return _product(positive, body(node.where, "NF"))
            return self.negate(bound, body(node.where, "NF" if p == "F" else "T"), out)
        # every: false = some item with where-true and require-false; true = no item with where-not-false
        # and require-not-true
        if pol in ("F", "NT"):
            w, r = ("T", "F") if pol == "F" else ("NF", "NT")
            return _product(positive, body(node.where, w), body(node.require, r))
        w, r = ("NF", "NT") if pol == "T" else ("T", "F")
        return self.negate(bound, _product(body(node.where, w), body(node.require, r)), out)

    def negate(self, bound: Pattern, body: DNF, out: list[Spec]) -> DNF:
        """No item of ``bound`` satisfies ``body``: one negated pattern, or a derived fact."""
        if not body:
            return [Conj()]
        if all(not c.patterns for c in body):
            test = conj(bound.test, disj(*(conj(*c.exprs) for c in body)))
            if renderable(test, bound.name) and beta_cost(test, bound.name) <= BETA_LIMIT:
                return [Conj(patterns=(Pattern(bound.name, test, negated=True),))]
        alternatives = _product([Conj(patterns=(bound,))], body)
        local = {p.name for c in alternatives for p in c.patterns}
        used: set[str] = set()
        for c in alternatives:
            for p in c.patterns:
                used |= refs(p.test)
            for e in c.exprs:
                used |= refs(e)
        free = sorted(used - local)
        pred = Pred(f"P{len(self.preds)}", len(free))
        self.preds.append(pred)
        front = [Pattern(f, self.type_test(f)) for f in free]
        specs = [s for alt in alternatives for s in self.assemble(alt, front, ("derive", pred, tuple(free)))]
        pred.stratum = max((s.stratum for s in specs), default=0)
        out.extend(specs)
        name = self.fresh("p")
        self.binding_kind[name] = Kind(("pred", pred.tag), pred.tag)
        test = conj(Cmp("$eq", Fld(name, "t"), Lit(pred.tag)),
                    *(Cmp("$eq", Fld(name, f"a{i}"), Fld(f, "k")) for i, f in enumerate(free)))
        return [Conj(patterns=(Pattern(name, test, negated=True, stratum=pred.stratum),))]

    def operand(self, node: Compare, scope: dict[str, str]) -> tuple[Fld | Lit, str | None]:
        op = node.operand
        if op.path is None:
            return Lit(_encode(op.literal)), _literal_class(op.literal)
        return self.path_field(op.path, scope, offset=op.offset)

    def compare(self, node: Compare, pol: str, scope: dict[str, str]) -> DNF:
        op = node.op
        if op in ("ne", "not_in"):  # three-valued negation of eq / in
            return self.compare(replace(node, op="eq" if op == "ne" else "in"), SWAP[pol], scope)
        if op == "is_set":  # never unknown
            s, _ = self.path_field(node.path, scope, value=False)
            true = _set(s) if node.operand.literal else _not_set(s)
            return _expr_dnf({"T": true, "NF": true}.get(pol) or neg(true))
        if op == "is_a" or (op == "in" and node.operand.path is None):
            a, klass = self.path_field(node.path, scope, is_a=op == "is_a")
            values = sorted(node.operand.literal, key=repr)
            if any(_literal_class(v) != klass for v in values):
                raise Untranslatable(f"'{node.text}' compares {klass} values with {values!r}")
            lits = [Lit(_encode(v)) for v in values]
            true = conj(_set(a), disj(*(Cmp("$eq", a, v) for v in lits)))
            false = disj(_is(a, "a"), conj(_set(a), *(Cmp("$neq", a, v) for v in lits)))
            return self._polar(pol, true, false)
        if op in RULE_OP:
            a, ka = self.path_field(node.path, scope)
            b, kb = self.operand(node, scope)
            if ka != kb or (op != "eq" and ka not in ("num", "date")):
                raise Untranslatable(f"'{node.text}' compares {ka} with {kb}")
            rop = RULE_OP[op]
            true = conj(_set(a), _set(b), Cmp(rop, a, b))
            false = disj(_is(a, "a"), _is(b, "a"), conj(_set(a), _set(b), Cmp(NEG_OP[rop], a, b)))
            return self._polar(pol, true, false)
        if op == "in":  # value in a list field
            a, ka = self.path_field(node.path, scope)
            lst, kl = self.operand(node, scope)
            return self.member(a, ka, lst, kl, pol, node)
        if op == "contains":
            lst, kl = self.path_field(node.path, scope)
            a, ka = self.operand(node, scope)
            return self.member(a, ka, lst, kl, pol, node)
        raise Untranslatable(f"operator '{op}' is not known to the durable engine")

    @staticmethod
    def _polar(pol: str, true: Any, false: Any) -> DNF:
        return _expr_dnf({"T": true, "F": false, "NT": neg(true), "NF": neg(false)}[pol])

    def member(self, x: Fld | Lit, kx: str | None, lst: Fld | Lit, kl: str | None, pol: str,
               node: Compare) -> DNF:
        """``x`` is in the list ``lst`` (native ``_member``: absent is false, unknown or a null element
        unknown)."""
        if not isinstance(lst, Fld) or kl != f"list:{kx}":
            raise Untranslatable(f"'{node.text}' tests membership of {kx} in {kl}")
        nulls = Cmp("$eq", Fld(lst.binding, lst.name + "n"), Lit(0))
        decided = conj(_set(x), _set(lst))
        not_absent = conj(neg(_is(x, "a")), neg(_is(lst, "a")))
        if isinstance(x, Lit) or x.binding == lst.binding:  # both on one fact: $iany / $iall
            has = Items("$iany", lst, x)
            true = conj(decided, has)
            false = disj(_is(x, "a"), _is(lst, "a"), conj(decided, nulls, neg(has)))
            return self._polar(pol, true, false)
        # x is another binding's value: join element facts of the list
        name = self.fresh("e")
        tag = self.element_tag(lst)
        self.binding_kind[name] = Kind(("element", tag), tag)
        test = conj(Cmp("$eq", Fld(name, "t"), Lit(tag)), Cmp("$eq", Fld(name, "o"), Fld(lst.binding, "k")),
                    Cmp("$eq", Fld(name, "v"), x))
        some = Pattern(name, test)
        none = Pattern(name, test, negated=True)
        if pol == "T":
            return [Conj(patterns=(some,), exprs=(decided,))]
        if pol == "NT":
            return _union(_expr_dnf(neg(decided)), [Conj(patterns=(none,))])
        if pol == "F":
            return _union(_expr_dnf(disj(_is(x, "a"), _is(lst, "a"))),
                          [Conj(patterns=(none,), exprs=(decided, nulls))])
        return _union(_expr_dnf(conj(not_absent, disj(neg(decided), neg(nulls)))),
                      [Conj(patterns=(some,), exprs=(decided,))])

    # -- durable rules -------------------------------------------------------------------------------
    def assemble(self, alt: Conj, front: list[Pattern], action: tuple[Any, ...]) -> list[Spec]:
        """Durable rules for one alternative: positive patterns in order, tests placed on the last
        pattern they read, negations last."""
        positives = [*front, *(p for p in alt.patterns if not p.negated)]
        negatives = [p for p in alt.patterns if p.negated]
        wanted = set().union(*(refs(e) for e in alt.exprs), *(refs(p.test) for p in alt.patterns), set())
        if "sub" in wanted and all(p.name != "sub" for p in positives):
            positives.insert(0, Pattern("sub", self.type_test("sub")))
        order = {p.name: i for i, p in enumerate(positives)}
        placements = self.place(conj(*alt.exprs), order)
        specs: list[Spec] = []
        for placed in placements:
            tests: list[tuple[str, Any]] = []
            helpers: list[Pattern] = []
            for p in positives:
                test = conj(p.test, *placed.get(p.name, []))
                if beta_cost(test, p.name) > BETA_LIMIT:
                    test = self.split(p, test, order, helpers, specs)
                tests.append((p.name, test))
            tests += [(h.name, h.test) for h in helpers]
            reads: dict[str, set[str]] = {}
            rendered = [{name: self.render(test, name, reads)} for name, test in tests]
            rendered += [{f"{p.name}$not": self.render(p.test, p.name, reads)} for p in negatives]
            stratum = max((p.stratum + 1 for p in [*negatives, *helpers] if p.stratum >= 0), default=0)
            specs.append(Spec(stratum, rendered, action, reads))
        return specs

    def split(self, p: Pattern, test: Any, order: dict[str, int], helpers: list[Pattern],
              out: list[Spec]) -> Any:
        """A pattern with more join tests than durable allows keeps the first ones; each further chunk
        becomes a fact derived (by durable, in an earlier stratum) for the facts that pass it."""
        items = list(test.items) if isinstance(test, And) else [test]
        kind = self.type_test(p.name)
        chunks: list[list[Any]] = [[]]
        for item in items:
            if beta_cost(conj(kind, *chunks[-1], item), p.name) > BETA_LIMIT:
                chunks.append([])
            chunks[-1].append(item)
        if any(beta_cost(conj(kind, *c), p.name) > BETA_LIMIT for c in chunks):
            raise Untranslatable("a single test needs more join tests than durable allows (31)")
        for chunk in chunks[1:]:
            free = sorted(refs(conj(*chunk)) | {p.name}, key=lambda n: (n == p.name, order[n]))
            pred = Pred(f"P{len(self.preds)}", len(free))
            self.preds.append(pred)
            mine = self.assemble(Conj(exprs=tuple(chunk)), [Pattern(f, self.type_test(f)) for f in free],
                                 ("derive", pred, tuple(free)))
            pred.stratum = max(s.stratum for s in mine)
            out.extend(mine)
            name = self.fresh("h")
            self.binding_kind[name] = Kind(("pred", pred.tag), pred.tag)
            helpers.append(Pattern(name, conj(Cmp("$eq", Fld(name, "t"), Lit(pred.tag)),
                                              *(Cmp("$eq", Fld(name, f"a{i}"), Fld(f, "k")) for i, f in enumerate(free))),
                                   stratum=pred.stratum))
        return conj(*chunks[0])

    def place(self, e: Any, order: dict[str, int]) -> list[dict[str, list[Any]]]:
        """Where a test goes: each conjunct on the pattern of the last binding it reads; a disjunction
        that cannot be written there (or is too big for one pattern) splits into alternatives."""
        names = refs(e)
        missing = names - set(order)
        if missing:
            raise InternalError(f"durable engine: test on unbound {sorted(missing)}")
        if not names:
            return [] if e == FALSE else [{}]
        if isinstance(e, And):
            out: list[dict[str, list[Any]]] = [{}]
            for x in e.items:
                out = [_merge(a, b) for a in out for b in self.place(x, order)]
                if len(out) > MAX_ALTERNATIVES:
                    raise Untranslatable(f"its tests need more than {MAX_ALTERNATIVES} durable rules")
            return out
        own = max(names, key=order.__getitem__)
        if renderable(e, own) and beta_cost(e, own) <= BETA_LIMIT - 2:  # room for the pattern's own $and
            return [{own: [e]}]
        if isinstance(e, Or):
            return [p for x in e.items for p in self.place(x, order)]
        raise InternalError(f"durable engine: cannot place {e}")

    def render(self, e: Any, own: str, reads: dict[str, set[str]]) -> Any:
        """Durable's JSON for a test on ``own``'s pattern; records the fields it reads, per fact tag."""
        if isinstance(e, And | Or):
            if len(e.items) == 1:
                return self.render(e.items[0], own, reads)
            return {"$and" if isinstance(e, And) else "$or": [self.render(x, own, reads) for x in e.items]}
        if isinstance(e, Items):
            self.read(reads, e.list)
            value: Any = e.value.value if isinstance(e.value, Lit) else {"$m": self.read(reads, e.value)}
            if e.quant == "$iany":
                return {"$iany": {e.list.name: {"$i": value}}}
            return {"$iall": {e.list.name: {"$neq": {"$i": value}}}}
        assert isinstance(e, Cmp)
        op, left, right = e.op, e.left, e.right
        if left.binding != own:
            if isinstance(right, Fld) and right.binding == own:
                op, left, right = MIRROR_OP[op], right, left
            else:  # a test on another fact against a literal: the literal as a field of this fact
                assert isinstance(right, Lit)
                op, left, right = MIRROR_OP[op], Fld(own, self.const(own, right.value)), left
        self.read(reads, left)
        if isinstance(right, Lit):
            value = right.value
        elif right.binding == own:
            value = {"$m": self.read(reads, right)}
        else:
            value = {right.binding: self.read(reads, right)}
        return {left.name: value} if op == "$eq" else {op: {left.name: value}}

    def read(self, reads: dict[str, set[str]], f: Fld) -> str:
        reads.setdefault(self.binding_kind[f.binding].tag, set()).add(f.name)
        return f.name

    # -- a rule ------------------------------------------------------------------------------------------
    def rule(self, index: int, rule: Rule) -> list[Spec]:
        self.binding_kind = {"sub": self.kinds[("submission",)]}
        scope = {"submission": "sub"}
        front: list[Pattern] = []
        for i, b in enumerate(rule.bindings):
            name = f"b{i}"
            front.append(self.bind(name, b.source, scope))
            scope[b.name] = name
        names = tuple(p.name for p in front)
        out: list[Spec] = []

        def cond(node: Any, pol: str) -> DNF:
            return self.condition(node, pol, scope, out) if node is not None else [Conj()]

        when_true = cond(rule.when, "T")
        outcomes = {
            "all": [Conj()],
            "na": cond(rule.when, "F") if rule.when is not None else [],
            "pass": _product(when_true, cond(rule.require, "T")),
            "fail": _product(when_true, cond(rule.require, "F")),
        }
        if rule.downgrade_when is not None:
            outcomes["down"] = _product(outcomes["fail"], cond(rule.downgrade_when, "T"))
        for what, dnf in outcomes.items():
            for alt in dnf:
                out.extend(self.assemble(alt, front, ("outcome", index, what, names)))
        if len(out) > 4 * MAX_ALTERNATIVES:
            raise Untranslatable(f"it needs {len(out)} durable rules")
        return out


def _merge(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {**a, **{k: a.get(k, []) + v for k, v in b.items()}}


def _reader(path: Path, offset: int, is_a: bool) -> Getter:
    """The native path reader, rebound to the fact's own object (plus an offset, or is_a's collection)."""
    get = compile_path(replace(path, binding="_"))

    def read(env: dict[str, Any], facts: FactBase, trace: Any) -> Any:
        v = get(env, facts, None)
        if v is None or v is ABSENT:
            return v
        if is_a:
            target = facts.by_id.get(v)
            return target[COLLECTION] if target is not None else ABSENT
        if offset:
            return v + dt.timedelta(days=offset) if isinstance(v, dt.date) else v + offset
        return v

    return read


# ------------------------------------------------------------------------------- facts
STRUCTURAL = frozenset({"sid", "id", "k", "t", "o", "v", "n"})  # plus a0, a1, ... of derived facts


@dataclass
class Built:
    """One submission's facts: by tag, with the native object and source position of each fact ``k``."""

    by_tag: dict[str, list[dict[str, Any]]]
    objs: list[Any]
    pos: list[int]


def build_facts(kinds: Iterable[Kind], facts: FactBase, sid: str) -> Built:
    built = Built({}, [], [])
    members: dict[str, list[tuple[int, Any]]] = {}

    def new(obj: Any, i: int, body: dict[str, Any]) -> dict[str, Any]:
        k = len(built.objs)
        built.objs.append(obj)
        built.pos.append(i)
        fact = {"sid": sid, "id": str(k), "k": k, **body}
        built.by_tag.setdefault(body["t"], []).append(fact)
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
            for name, (read, klass) in kind.fields.items():
                _materialise(fact, name, read(env, facts, None), klass)
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


@dataclass
class _Plan:
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
        self.kinds = list(self.compiler.kinds.values())
        self.host = QuietHost()
        self.chunks: list[Chunk] = []
        engine = next(_ENGINES)
        definitions = {}
        for start in range(0, len(specs), CHUNK):
            part = specs[start : start + CHUNK]
            chunk = self._chunk(f"egov{engine}_{len(self.chunks)}", part)
            definitions[chunk.name] = self._definition(chunk, part)
            self.chunks.append(chunk)
        self.host.set_rulesets(copy.deepcopy(definitions))  # durable mutates what it is given
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
        _, pred, names = action

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

        def send(chunk: Chunk, by_tag: dict[str, list[dict[str, Any]]]) -> None:
            batch = [{k: v for k, v in f.items() if k in keep}
                     for tag, keep in chunk.keep.items() for f in by_tag.get(tag, ())]
            if batch:
                host.assert_facts(chunk.name, batch)
                self._raise(session)

        sent: dict[str, set[str]] = {c.name: set() for c in self.chunks}
        derived: dict[str, list[dict[str, Any]]] = {}
        try:
            for chunk in self.chunks:
                host.assert_fact(chunk.name, control("$hello"))
                self._raise(session)
                send(chunk, built.by_tag)
            for n in range(self.strata):
                for chunk in self.chunks:
                    if n > chunk.last:
                        continue
                    # facts derived in earlier strata, then the gate: negations see everything they need
                    fresh = {tag: derived[tag] for tag in chunk.keep if tag in derived and tag not in sent[chunk.name]}
                    send(chunk, fresh)
                    sent[chunk.name].update(fresh)
                    host.assert_fact(chunk.name, control("$gate", n=n))
                    self._raise(session)
                for tag, found in sorted(session.derived.items()):
                    derived[tag] = [control(tag, **{f"a{i}": k for i, k in enumerate(keys)}) for keys in sorted(found)]
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
