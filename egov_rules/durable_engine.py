"""The durable_rules engine: the same rules, matched by durable_rules' Rete network (``--engine durable``).

It gives the same verdicts as the native engine by another route, so each engine checks the other.
Rulesets are built from data (dicts given to ``Host.set_rulesets``, no decorators), from the
engine-independent rule AST:

* **Facts.**  Each entity a rule can bind becomes a fact; a binding over a list inside another binding
  (``project.components``, ``system.accesses_shared_sensitive``) gets one *link* fact per element, owned by
  the fact of the outer binding.  Every path a rule reads from a binding (``component.platform.unified``)
  is materialised on that binding's facts by the native path reader: a value field and a state field
  (``v`` a value, ``u`` unknown, ``a`` there is none), because durable has no null, takes a missing field
  as "every comparison is false", and fails on a missing field of another fact.  Following a reference is
  a lookup done there; durable does the logic: comparisons, joins between bindings, quantifiers, negation
  and the three-valued outcome.
* **Three-valued logic.**  Each condition is compiled into durable patterns for four polarities: true,
  false, not true, not false (disjunctive normal form over patterns; each comparison guards on the state
  fields, except where the schema says a path is never null).  Per ``for_each`` combination: a false
  ``when`` is not applicable, a true ``when`` with a true or false ``require`` passes or fails, anything
  else is unknown.
* **Strata.**  Negating a body that needs more than one pattern (``none``/``every`` over a join) uses a
  fact derived in a lower stratum; each stratum starts when its ``$gate`` fact is asserted, after every fact
  it may negate (durable's negation depends on fact order: docs of the durable_rules trials).
* **Durable's limits, measured** (see ``Compiler``): tests of a pattern that read another fact are only
  reliable as a flat conjunction (so disjunctions split into alternative rules, and a nested test of a
  fact's own fields moves into a *view*); one fact never binds two patterns of a rule (so the second
  pattern on a kind reads a *replica*); 31 join tests per pattern; 256 patterns per alpha node and a
  traversal stack of 64 (so the rules are spread over rulesets of ``CHUNK`` rules, each sent only the facts
  and fields it reads); about 250 fields per fact.
* **Traps** (the durable_rules notes): every rule starts with the gate pattern; a catch-all rule; an action
  that runs first in every session; a ``Host`` without background dispatcher threads; ``delete_state`` in a
  ``finally``; exceptions raised out of ``state["exception"]``; results kept in sets (``$or`` and joins
  fire more than once); unique fact ids.

A rule that cannot be translated (e.g. it compares values of different types) is run by the native
engine and listed in ``DurableEngine.notes``; nothing is skipped silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .compile import ABSENT, Getter, compile_path, plus_offset
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
from .factschema import FieldType, load_schema_json
from .rulebook import Rule, Rulebook

INSTALL_HINT = (
    "pip install 'egov-rules[durable]' (durable-rules 2.0.28 builds from source: it needs gcc and the "
    "Python headers, and imports on CPython 3.12 or older); or use --engine native"
)
MAX_ALTERNATIVES = 256  # per outcome of one rule: beyond this the rule runs natively (and says so)
MAX_NEGATIONS = 32  # negated patterns for one negation; beyond, a derived fact
MAX_RULES = 2000  # durable rules for one rule of the rulebook

# ------------------------------------------------------------------------------- expressions
# Quantifier-free tests on facts' fields; a pattern renders them relative to its own fact.


@dataclass(frozen=True)
class Fld:
    binding: str  # durable binding name
    name: str  # field name on that binding's facts
    guarded: bool = False  # a value that may be unset: meaningful only when its state field is "v"


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
    if isinstance(x, Lit) or not x.guarded:  # a literal, or a path the schema says is never null
        return TRUE if st == "v" else FALSE
    return Cmp("$eq", state(x), Lit(st))


def _set(x: Fld | Lit) -> Any:
    return _is(x, "v")


def _not_set(x: Fld | Lit) -> Any:
    return FALSE if isinstance(x, Lit) or not x.guarded else Cmp("$neq", state(x), Lit("v"))


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


def alpha_at(e: Any, own: str) -> bool:
    """Does the test read only ``own``'s fact (an alpha test, against literals or its own fields)?"""
    return refs(e) <= {own}


def beta_cost(e: Any, own: str) -> int:
    """Entries a test takes in the join-expression sequence of durable's pattern (rete.c: every $and and
    $or appends two, every test that reads another fact one; the sequence holds at most 31)."""
    if isinstance(e, And | Or):
        return sum(beta_cost(x, own) for x in e.items) + (2 if len(e.items) > 1 else 0)
    return 0 if alpha_at(e, own) else 1


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
SWAP = {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}  # polarities: true, false, not true, not false


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
    # name -> (reader, class of the value or None, never null, list items never null)
    fields: dict[str, tuple[Getter, str | None, bool, bool]] = field(default_factory=dict)
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


class Shapes:
    """Which paths are never null: required, non-nullable fields all the way (submission.schema.json).

    Knowing it removes the unknown/absent cases of a comparison, which keeps durable's rules few; the
    facts are checked against it when they are built, so a disagreement is loud, never a wrong verdict.
    """

    def __init__(self) -> None:
        schema = load_schema_json()
        self.defs: dict[str, Any] = schema["$defs"]
        self.props: dict[str, Any] = schema["properties"]

    def node(self, n: Any) -> Any:
        while isinstance(n, dict) and "$ref" in n:
            n = self.defs[n["$ref"].rsplit("/", 1)[-1]]
        return n

    def collection(self, name: str) -> Any:
        if name in DERIVED_COLLECTIONS:
            return self.node(self.defs.get(DERIVED_COLLECTIONS[name]))
        prop = self.node(self.props.get(name))
        return self.node(prop.get("items")) if isinstance(prop, dict) and "items" in prop else prop

    def element(self, n: Any) -> Any:
        """The item a binding over this node ranges over (a list's item; a reference's entity)."""
        n = self.node(n)
        if isinstance(n, dict) and n.get("type") == "array":
            n = self.node(n.get("items"))
        refs_ = n.get("x-ref") if isinstance(n, dict) else None
        if refs_:
            return self.collection(refs_[0]) if len(refs_) == 1 else None
        return n

    @staticmethod
    def _nullable(n: Any) -> bool:
        if not isinstance(n, dict) or "anyOf" in n or "oneOf" in n:
            return True
        types = n.get("type")
        return (isinstance(types, list) and "null" in types) or None in n.get("enum", ())

    def walk(self, start: Any, path: Path) -> tuple[Any, bool, bool]:
        """The node a path ends on, whether its value is never null, and whether its items never are."""
        cur, never, items_never, listed = start, True, True, False
        for step in path.steps:
            cur = self.node(cur)
            if not isinstance(cur, dict):
                return None, False, False
            if cur.get("type") == "array" and not step.pseudo:
                listed, cur = True, self.node(cur.get("items"))
            if step.deref:
                targets = cur.get("x-ref") if isinstance(cur, dict) else None
                if not targets or len(targets) != 1:
                    return None, False, False
                cur = self.collection(targets[0])
            if step.pseudo:
                cur = None
                continue
            props = cur.get("properties") if isinstance(cur, dict) else None
            if not props or step.name not in props:
                return None, False, False
            ok = step.name in cur.get("required", ()) and not self._nullable(self.node(props[step.name]))
            if listed:
                items_never = items_never and ok
            else:
                never = never and ok
            cur = props[step.name]
        return cur, never, items_never


# ------------------------------------------------------------------------------- the compiler
@dataclass
class Spec:
    """One durable rule: its patterns (after the gate) and what its action records."""

    stratum: int
    patterns: list[dict[str, Any]]
    action: tuple[Any, ...]  # ("outcome", rule, what, names) | ("derive", pred, names) | ("view", pred, names)
    reads: dict[str, set[str]]  # fact tag -> materialised fields the patterns read


@dataclass
class Pred:
    tag: str
    arity: int
    stratum: int = 0
    base: str | None = None  # a view: the tag of the facts it copies


@dataclass(frozen=True)
class Value:
    fld: Fld | Lit
    klass: str | None
    items_never_null: bool = True


class Compiler:
    """Translates a rulebook into durable rule specs; shared registries of kinds, fields and predicates.

    Durable evaluates a pattern's tests reliably only as a flat conjunction whenever any of them reads
    another fact (measured: nested $and/$or mixing such tests give wrong matches), so every pattern here is
    flat: a disjunction that reads other facts becomes alternative rules (or, under a negation, several
    negations), and a nested disjunction of a fact's own fields moves into a *view*, facts of that kind
    that pass it, derived by a rule of their own.
    """

    def __init__(self) -> None:
        self.kinds: dict[tuple[Any, ...], Kind] = {}
        self.field_names: dict[PathKey, str] = {}
        self.const_names: dict[tuple[str, Any], str] = {}
        self.preds: list[Pred] = []
        self.views: dict[tuple[str, Any], Pred] = {}
        self.views_by_tag: dict[str, Pred] = {}
        self.view_specs: list[Spec] = []
        self.element_tags: dict[tuple[tuple[Any, ...], str], str] = {}
        self.binding_kind: dict[str, Kind] = {}  # per rule being translated
        self.binding_node: dict[str, Any] = {}  # binding -> its schema node (None: unknown)
        self.counter = itertools.count()
        self.shapes = Shapes()
        self.kind("submission", ("submission",), collection="submission")

    # -- kinds and fields ----------------------------------------------------------------------
    def kind(self, tag: str, key: tuple[Any, ...], **kw: Any) -> Kind:
        found = self.kinds.get(key)
        if found is None:
            found = self.kinds[key] = Kind(key, tag, **kw)
        return found

    def source_kind(self, source: Source, scope: dict[str, str]) -> tuple[Kind, Any]:
        if source.collection is not None:
            name = source.collection
            node = self.shapes.collection(name)
            if name in DERIVED_COLLECTIONS:
                return self.kind(f"L{len(self.kinds)}", ("derived", name), owner=self.kinds[("submission",)],
                                 items=lambda owner, facts: facts.collection(name)), node
            return self.kind(name, ("entity", name), collection=name), node
        path = source.path
        assert path is not None
        owner_name = scope[path.binding]
        owner = self.binding_kind[owner_name]
        end, _, _ = self.shapes.walk(self.binding_node.get(owner_name), path)
        key = ("link", owner.key, path.steps, path.mapped)
        if key not in self.kinds:
            get = _compile_source(source)
            binding = path.binding

            def items(obj: Any, facts: FactBase) -> list[Any]:
                result: list[Any] = get({binding: obj, "submission": facts.submission}, facts)
                return result

            self.kind(f"L{len(self.kinds)}", key, owner=owner, items=items)
        return self.kinds[key], self.shapes.element(end)

    def type_test(self, name: str, tag: str | None = None) -> Any:
        return Cmp("$eq", Fld(name, "t"), Lit(tag or self.binding_kind[name].tag))

    def bind(self, name: str, source: Source, scope: dict[str, str]) -> Pattern:
        """The pattern that binds ``name`` to an item of ``source`` (joined to its owner)."""
        kind, node = self.source_kind(source, scope)
        self.binding_kind[name] = kind
        self.binding_node[name] = node
        test = self.type_test(name)
        if source.path is not None:
            test = conj(test, Cmp("$eq", Fld(name, "o"), Fld(scope[source.path.binding], "k")))
        return Pattern(name, test)

    def path_field(self, path: Path, scope: dict[str, str], *, offset: int = 0, is_a: bool = False,
                   value: bool = True) -> Value:
        """The field holding a path's value on its binding's facts, its class, and what is never null."""
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
        _, never, items_never = self.shapes.walk(self.binding_node.get(binding), path)
        never = never or path.mapped  # a mapped path is always a list (nulls inside it are items)
        key: PathKey = (path.steps, path.mapped, offset, is_a)
        name = self.field_names.get(key)
        if name is None:
            name = self.field_names[key] = f"f{len(self.field_names)}"
        if name not in kind.fields:
            kind.fields[name] = (_reader(path, offset, is_a), klass, never, items_never)
        else:  # the same path read with and without its value: keep the value
            read, old, n, i = kind.fields[name]
            kind.fields[name] = (read, old or klass, n, i)
        return Value(Fld(binding, name, guarded=not never), klass, items_never)

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

    def fresh(self, prefix: str, tag: str | None = None) -> str:
        name = f"{prefix}{next(self.counter)}"
        if tag is not None:
            self.binding_kind[name] = Kind((prefix, tag), tag)
        return name

    def new_pred(self) -> Pred:
        pred = Pred(f"P{len(self.preds)}", 0)
        self.preds.append(pred)
        return pred

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

        # a list that is unknown (null) makes the quantifier unknown, not vacuous (it has no link facts)
        unknown = FALSE
        if node.source.path is not None:
            unknown = _is(self.path_field(node.source.path, scope, value=False).fld, "u")
        positive: DNF = [Conj(patterns=(bound,))]
        if node.kind in ("exists", "none"):
            # exists: true = some item where-true; false = no item where-not-false
            p = pol if node.kind == "exists" else SWAP[pol]
            if p == "T":
                return _product(positive, body(node.where, "T"))
            if p == "NF":
                return _union(_product(positive, body(node.where, "NF")), _expr_dnf(unknown))
            negation = self.negate(bound, body(node.where, "NF" if p == "F" else "T"), out)
            return _product(_expr_dnf(neg(unknown)), negation) if p == "F" else negation
        # every: false = some item with where-true and require-false; true = no item with where-not-false
        # and require-not-true
        if pol in ("F", "NT"):
            w, r = ("T", "F") if pol == "F" else ("NF", "NT")
            found = _product(positive, body(node.where, w), body(node.require, r))
            return _union(found, _expr_dnf(unknown)) if pol == "NT" else found
        w, r = ("NF", "NT") if pol == "T" else ("T", "F")
        negation = self.negate(bound, _product(body(node.where, w), body(node.require, r)), out)
        return _product(_expr_dnf(neg(unknown)), negation) if pol == "T" else negation

    def negate(self, bound: Pattern, body: DNF, out: list[Spec]) -> DNF:
        """No item of ``bound`` satisfies ``body``: negated patterns, or a derived fact."""
        if not body:
            return [Conj()]
        if all(not c.patterns for c in body):
            # not exists (A or B) = (not exists A) and (not exists B): one flat negated pattern per case
            cases = _alternatives(disj(*(conj(*c.exprs) for c in body)), bound.name)
            if len(cases) <= MAX_NEGATIONS:
                negs: list[Pattern] = []
                for units in cases:
                    name = self.fresh("n", self.binding_kind[bound.name].tag)
                    self.binding_kind[name] = self.binding_kind[bound.name]
                    test = _rename(conj(bound.test, *units), bound.name, name)
                    negs.append(Pattern(name, test, negated=True))
                return [Conj(patterns=tuple(negs))]
        alternatives = _product([Conj(patterns=(bound,))], body)
        local = {p.name for c in alternatives for p in c.patterns}
        used: set[str] = set()
        for c in alternatives:
            for p in c.patterns:
                used |= refs(p.test)
            for e in c.exprs:
                used |= refs(e)
        free = sorted(used - local)
        pred = self.new_pred()
        pred.arity = len(free)
        front = [Pattern(f, self.type_test(f)) for f in free]
        specs = [s for alt in alternatives for s in self.assemble(alt, front, ("derive", pred, tuple(free)))]
        pred.stratum = max((s.stratum for s in specs), default=0)
        out.extend(specs)
        name = self.fresh("p", pred.tag)
        return [Conj(patterns=(Pattern(name, self.key_test(name, free), negated=True, stratum=pred.stratum),))]

    def key_test(self, name: str, free: list[str]) -> Any:
        """A derived fact whose arguments are the facts bound to ``free``."""
        return conj(self.type_test(name), *(Cmp("$eq", Fld(name, f"a{i}"), Fld(f, "k")) for i, f in enumerate(free)))

    def operand(self, node: Compare, scope: dict[str, str]) -> Value:
        op = node.operand
        if op.path is None:
            return Value(Lit(_encode(op.literal)), _literal_class(op.literal))
        return self.path_field(op.path, scope, offset=op.offset)

    def compare(self, node: Compare, pol: str, scope: dict[str, str]) -> DNF:
        op = node.op
        if op in ("ne", "not_in"):  # three-valued negation of eq / in
            return self.compare(replace(node, op="eq" if op == "ne" else "in"), SWAP[pol], scope)
        if op == "is_set":  # never unknown
            s = self.path_field(node.path, scope, value=False).fld
            true = _set(s) if node.operand.literal else _not_set(s)
            return _expr_dnf({"T": true, "NF": true}.get(pol) or neg(true))
        if op == "is_a" or (op == "in" and node.operand.path is None):
            v = self.path_field(node.path, scope, is_a=op == "is_a")
            a = v.fld
            assert isinstance(a, Fld)
            values = sorted(node.operand.literal, key=repr)
            if any(_literal_class(x) != v.klass for x in values):
                raise Untranslatable(f"'{node.text}' compares {v.klass} values with {values!r}")
            lits = [Lit(_encode(x)) for x in values]
            true = conj(_set(a), disj(*(Cmp("$eq", a, x) for x in lits)))
            false = disj(_is(a, "a"), conj(_set(a), *(Cmp("$neq", a, x) for x in lits)))
            return self._polar(pol, true, false)
        if op in RULE_OP:
            va, vb = self.path_field(node.path, scope), self.operand(node, scope)
            a, b = va.fld, vb.fld
            assert isinstance(a, Fld)
            if va.klass != vb.klass or (op != "eq" and va.klass not in ("num", "date")):
                raise Untranslatable(f"'{node.text}' compares {va.klass} with {vb.klass}")
            rop = RULE_OP[op]
            true = conj(_set(a), _set(b), Cmp(rop, a, b))
            false = disj(_is(a, "a"), _is(b, "a"), conj(_set(a), _set(b), Cmp(NEG_OP[rop], a, b)))
            return self._polar(pol, true, false)
        if op == "in":  # value in a list field
            return self.member(self.path_field(node.path, scope), self.operand(node, scope), pol, node)
        if op == "contains":
            return self.member(self.operand(node, scope), self.path_field(node.path, scope), pol, node)
        raise Untranslatable(f"operator '{op}' is not known to the durable engine")

    @staticmethod
    def _polar(pol: str, true: Any, false: Any) -> DNF:
        return _expr_dnf({"T": true, "F": false, "NT": neg(true), "NF": neg(false)}[pol])

    def member(self, vx: Value, vl: Value, pol: str, node: Compare) -> DNF:
        """``x`` is in the list (native ``_member``: absent is false; unknown, or a null item, unknown)."""
        x, lst = vx.fld, vl.fld
        if not isinstance(lst, Fld) or vl.klass != f"list:{vx.klass}":
            raise Untranslatable(f"'{node.text}' tests membership of {vx.klass} in {vl.klass}")
        nulls = TRUE if vl.items_never_null else Cmp("$eq", Fld(lst.binding, lst.name + "n"), Lit(0))
        decided = conj(_set(x), _set(lst))
        absent = disj(_is(x, "a"), _is(lst, "a"))
        if isinstance(x, Lit) or x.binding == lst.binding:  # both on one fact: $iany / $iall
            has = Items("$iany", lst, x)
            return self._polar(pol, conj(decided, has), disj(absent, conj(decided, nulls, neg(has))))
        # x is another binding's value: join element facts of the list
        name = self.fresh("e")
        tag = self.element_tag(lst)
        self.binding_kind[name] = Kind(("element", tag), tag)
        test = conj(self.type_test(name), Cmp("$eq", Fld(name, "o"), Fld(lst.binding, "k")),
                    Cmp("$eq", Fld(name, "v"), x))
        some = [Conj(patterns=(Pattern(name, test),), exprs=(decided,))]
        none = Pattern(name, test, negated=True)
        if pol == "T":
            return some
        if pol == "NT":
            return _union(_expr_dnf(neg(decided)), [Conj(patterns=(none,))])
        if pol == "F":
            return _union(_expr_dnf(absent), [Conj(patterns=(none,), exprs=(decided, nulls))])
        return _union(_expr_dnf(conj(neg(absent), disj(neg(decided), neg(nulls)))), some)

    # -- durable rules -------------------------------------------------------------------------------
    def assemble(self, alt: Conj, front: list[Pattern], action: tuple[Any, ...]) -> list[Spec]:
        """Durable rules for one alternative: positive patterns in order, each test on the last pattern
        it reads, negations last."""
        positives = [*front, *(p for p in alt.patterns if not p.negated)]
        negatives = [p for p in alt.patterns if p.negated]
        wanted = set().union(*(refs(e) for e in alt.exprs), *(refs(p.test) for p in alt.patterns), set())
        if "sub" in wanted and all(p.name != "sub" for p in positives):
            positives.insert(0, Pattern("sub", self.type_test("sub")))
        order = {p.name: i for i, p in enumerate(positives)}
        specs: list[Spec] = []
        for placed in self.place(conj(*alt.exprs), order):
            helpers: list[Pattern] = []
            tests = [(p.name, conj(p.test, *placed.get(p.name, []))) for p in positives]
            tests += [(p.name, p.test) for p in negatives]
            final: list[tuple[str, Any, Pattern]] = []
            for (name, test), p in zip(tests, [*positives, *negatives], strict=True):
                test = self.flatten(name, test)
                if beta_cost(test, name) > BETA_LIMIT and not p.negated:
                    test = self.split(p, test, order, helpers, specs)
                elif beta_cost(test, name) > BETA_LIMIT:
                    raise Untranslatable("a negation needs more tests than one durable pattern holds (31)")
                final.append((name, test, p))
            final += [(h.name, h.test, h) for h in helpers]
            final = _replicas(final)
            reads: dict[str, set[str]] = {}
            rendered = [{(f"{p.name}$not" if p.negated else name): self.render(test, name, reads)}
                        for name, test, p in final]
            for name, test, _ in final:  # views and replicas are copies: send them their kind's fields
                tag, kind_tag = _tag_of(test, name), self.binding_kind[name].tag
                if tag is not None and tag != kind_tag:
                    reads.setdefault(tag, set()).update(reads.get(kind_tag, ()))
            uses = [*negatives, *helpers] + [Pattern(n, t, stratum=self.view_stratum(t, n)) for n, t, _ in final]
            stratum = max((p.stratum + 1 for p in uses if p.stratum >= 0), default=0)
            specs.append(Spec(stratum, rendered, action, reads))
        return specs

    def view_stratum(self, test: Any, name: str) -> int:
        view = self.views_by_tag.get(str(_tag_of(test, name)).partition("~")[0])
        return view.stratum if view is not None else -1

    def flatten(self, name: str, test: Any) -> Any:
        """A pattern's test as a flat conjunction; nested tests of the fact's own fields move into a view
        when the pattern also reads other facts."""
        items = list(test.items) if isinstance(test, And) else [test]
        nested = [x for x in items if isinstance(x, And | Or)]
        if not nested or all(alpha_at(x, name) for x in items):
            return test  # flat, or alpha-only: durable evaluates both correctly
        if any(not alpha_at(x, name) for x in nested):
            raise InternalError("durable engine: a nested test that reads another fact was not split")
        base = self.binding_kind[name].tag
        condition = conj(*nested)
        view = self.views.get((base, condition))
        if view is None:
            view = self.new_pred()
            view.base = base
            self.views[(base, condition)] = self.views_by_tag[view.tag] = view
            v = self.fresh("v")
            self.binding_kind[v] = self.binding_kind[name]
            reads: dict[str, set[str]] = {}
            rendered = self.render(conj(self.type_test(v, base), _rename(condition, name, v)), v, reads)
            self.view_specs.append(Spec(0, [{v: rendered}], ("view", view, (v,)), reads))
        rest = [x for x in items if not isinstance(x, And | Or)]
        return conj(*(self.type_test(name, view.tag) if x == self.type_test(name, base) else x for x in rest))

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
            pred = self.new_pred()
            pred.arity = len(free)
            mine = self.assemble(Conj(exprs=tuple(chunk)), [Pattern(f, self.type_test(f)) for f in free],
                                 ("derive", pred, tuple(free)))
            pred.stratum = max(s.stratum for s in mine)
            out.extend(mine)
            name = self.fresh("h", pred.tag)
            helpers.append(Pattern(name, self.key_test(name, free), stratum=pred.stratum))
        return conj(*chunks[0])

    def place(self, e: Any, order: dict[str, int]) -> list[dict[str, list[Any]]]:
        """Where a test goes: each conjunct on the pattern of the last binding it reads; a disjunction
        that reads more than one fact splits into alternatives."""
        names = refs(e)
        missing = names - set(order)
        if missing:
            raise InternalError(f"durable engine: test on unbound {sorted(missing)}")
        if not names:
            return [] if e == FALSE else [{}]
        own = max(names, key=order.__getitem__)
        if alpha_at(e, own) or not isinstance(e, And | Or):
            return [{own: [e]}]
        out: list[dict[str, list[Any]]]
        if isinstance(e, And):
            out = [{}]
            for x in e.items:
                out = [_merge(a, b) for a in out for b in self.place(x, order)]
                _check_size(out)
            return out
        out = [p for x in e.items for p in self.place(x, order)]
        _check_size(out)
        return out

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
        self.binding_node = {"sub": self.shapes.node(self.shapes.props.get("submission"))}
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
        if len(out) > MAX_RULES:
            raise Untranslatable(f"it needs {len(out)} durable rules (more than {MAX_RULES})")
        return out



def _alternatives(e: Any, own: str) -> list[list[Any]]:
    """``e`` as a disjunction of flat conjunctions for ``own``'s pattern: nested tests of ``own``'s fields
    stay whole; every other disjunction splits."""
    if e == FALSE:
        return []
    if alpha_at(e, own) or not isinstance(e, And | Or):
        return [[] if e == TRUE else [e]]
    if isinstance(e, Or):
        return [a for x in e.items for a in _alternatives(x, own)]
    out: list[list[Any]] = [[]]
    for x in e.items:
        out = [a + b for a in out for b in _alternatives(x, own)]
        if len(out) > MAX_ALTERNATIVES:
            raise Untranslatable(f"a negation expands to more than {MAX_ALTERNATIVES} cases")
    return out


def _check_size(out: list[Any]) -> None:
    if len(out) > MAX_ALTERNATIVES:
        raise Untranslatable(f"its tests need more than {MAX_ALTERNATIVES} alternative durable rules")


def _rename(e: Any, old: str, new: str) -> Any:
    if isinstance(e, And | Or):
        return type(e)(tuple(_rename(x, old, new) for x in e.items))
    if isinstance(e, Fld):
        return replace(e, binding=new) if e.binding == old else e
    if isinstance(e, Cmp):
        return Cmp(e.op, _rename(e.left, old, new), _rename(e.right, old, new))
    if isinstance(e, Items):
        return Items(e.quant, _rename(e.list, old, new), _rename(e.value, old, new))
    return e


def _replicas(final: list[tuple[str, Any, Pattern]]) -> list[tuple[str, Any, Pattern]]:
    """Durable never binds one fact to two patterns of a rule (nor lets a negation see a bound fact), so
    the second pattern on a kind of fact reads a replica of it (same ``k``, tag ``T~1``), and so on."""
    seen: dict[str, int] = {}
    out = []
    for name, test, p in final:
        tag = _tag_of(test, name)
        if tag is not None:
            i = seen[tag] = seen.get(tag, -1) + 1
            if i:
                test = conj(*(Cmp("$eq", x.left, Lit(f"{tag}~{i}")) if x == Cmp("$eq", Fld(name, "t"), Lit(tag))
                              else x for x in (test.items if isinstance(test, And) else (test,))))
        out.append((name, test, p))
    return out


def _tag_of(test: Any, name: str) -> str | None:
    for x in test.items if isinstance(test, And) else (test,):
        if isinstance(x, Cmp) and x.left == Fld(name, "t") and isinstance(x.right, Lit):
            return str(x.right.value)
    return None


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
            return plus_offset(v, offset)
        return v

    return read


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
        definitions = {}
        for part in _parts(specs):
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
