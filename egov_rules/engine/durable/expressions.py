"""Durable translation, part 1: expressions over facts, their disjunctive normal form, and the kinds of
facts (which entities and nested lists a rule binds) with the shapes of their fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ...input.facts import DERIVED_COLLECTIONS, FactBase
from ...input.factschema import FieldType, load_schema_json
from ...rules.conditions import Path
from ..getters import Getter

MAX_ALTERNATIVES = 256  # per outcome of one rule: beyond this the rule runs natively (and says so)
MAX_NEGATIONS = 32  # negated patterns for one negation; beyond, a derived fact
MAX_RULES = 2000  # durable rules for one rule of the rulebook


# ------------------------------------------------------------------------------- expressions
# Quantifier-free tests on facts' fields; a pattern renders them relative to its own fact.


@dataclass(frozen=True)
class Fld:
    """A field of a bound fact in a durable pattern."""
    binding: str  # durable binding name
    name: str  # field name on that binding's facts
    guarded: bool = False  # a value that may be unset: meaningful only when its state field is "v"


@dataclass(frozen=True)
class Lit:
    """A literal value in a durable pattern."""
    value: Any  # an encoded JSON scalar


@dataclass(frozen=True)
class Cmp:
    """A comparison of two durable expressions."""
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
    """Every durable expression holds."""
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Or:
    """Some durable expression holds."""
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


# A pattern's join-expression sequence holds 31 entries (MAX_SEQUENCE_EXPRESSIONS - 1); two of them go to the
# closing group that keeps durable's short-circuit inside the sequence (patterns.CLOSING_GROUP).
CLOSING_GROUP_COST = 2
BETA_LIMIT = 31 - CLOSING_GROUP_COST


# ------------------------------------------------------------------------------- patterns, DNF
@dataclass(frozen=True)
class Pattern:
    """One durable pattern: a fact test, possibly negated, in a stratum."""
    name: str
    test: Any  # an Expr renderable at ``name``
    negated: bool = False
    stratum: int = -1  # for a negated derived fact: the stratum that derives it


@dataclass(frozen=True)
class Conj:
    """A conjunction of durable patterns and the expressions joining them."""
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

