"""Durable translation, part 2: the rule AST compiled into durable rule specs (patterns per polarity,
strata for negation, views and replicas around durable's limits)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from ...errors import InternalError
from ...input.facts import COLLECTION, DERIVED_COLLECTIONS, FactBase
from ...rules.conditions import AllOf, AnyOf, Compare, Not, Path, Quantifier, Source
from ...rules.rulebook import Rule
from ..evaluate import (
    _compile_source,
)
from ..reference import ABSENT, Getter, compile_path, plus_offset
from .expressions import (
    BETA_LIMIT,
    DNF,
    FALSE,
    MAX_ALTERNATIVES,
    MAX_NEGATIONS,
    MAX_RULES,
    MIRROR_OP,
    NEG_OP,
    RULE_OP,
    SWAP,
    TRUE,
    And,
    Cmp,
    Conj,
    Fld,
    Items,
    Kind,
    Lit,
    Or,
    PathKey,
    Pattern,
    Shapes,
    Untranslatable,
    _encode,
    _expr_dnf,
    _is,
    _literal_class,
    _not_set,
    _product,
    _scalar_class,
    _set,
    _union,
    alpha_at,
    beta_cost,
    conj,
    disj,
    neg,
    refs,
)

# durable 2.0.28's C core (events.c, reduceExpressionSequence) short-circuits a false join test in an $and by
# stepping towards the group's end *before* it looks: after the last test of a group it steps over the
# group's OP_END and scans on past the sequence, reading memory it does not own until it meets a byte 0x0D
# (valgrind: "Invalid read" under isBetaMatch; a segfault when the scan reaches an unmapped page).  So every
# pattern that holds join tests ends with this group.  It holds no join test (only an alpha test on ``t``,
# which every fact has: always true), so its sequence entries are just $and and OP_END: the step after any
# join test lands on that OP_END, and, being last, the group's early end skips no test.
CLOSING_GROUP: dict[str, Any] = {"$and": [{"$ex": {"t": 1}}]}


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
    """A derived durable fact kind: its tag, arity and stratum."""
    tag: str
    arity: int
    stratum: int = 0
    base: str | None = None  # a view: the tag of the facts it copies


@dataclass(frozen=True)
class Value:
    """A value a durable expression reads, with what is known of its nulls."""
    fld: Fld | Lit
    klass: str | None
    items_never_null: bool = True


class Compiler:
    """Translates a rulebook into durable rule specs; shared registries of kinds, fields and predicates.

    Durable evaluates a pattern's tests reliably only as a flat conjunction whenever any of them reads
    another fact (measured: nested $and/$or mixing such tests give wrong matches; events.c stops a group at
    the end of a nested group, so the tests after it are never evaluated), so every pattern here is flat: a
    disjunction that reads other facts becomes alternative rules (or, under a negation, several negations),
    a nested disjunction of a fact's own fields moves into a *view*, facts of that kind that pass it,
    derived by a rule of their own, and the one nested group is CLOSING_GROUP, last.
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
                    raise Untranslatable(f"a negation needs more tests than one durable pattern holds ({BETA_LIMIT})")
                final.append((name, test, p))
            final += [(h.name, h.test, h) for h in helpers]
            final = _replicas(final)
            reads: dict[str, set[str]] = {}
            rendered = [{(f"{p.name}$not" if p.negated else name): self.pattern(test, name, reads)}
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
            rendered = self.pattern(conj(self.type_test(v, base), _rename(condition, name, v)), v, reads)
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
            raise Untranslatable(f"a single test needs more join tests than durable allows ({BETA_LIMIT})")
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

    def pattern(self, test: Any, own: str, reads: dict[str, set[str]]) -> Any:
        """Durable's JSON for a whole pattern: its flat test, closed by CLOSING_GROUP when it joins."""
        rendered = self.render(test, own, reads)
        if alpha_at(test, own):
            return rendered  # no join test: durable's sequence for it is empty, nothing to guard
        if isinstance(test, Or) or (isinstance(test, And) and any(isinstance(x, And | Or) for x in test.items)):
            # durable would stop at a nested group's end and skip the join tests after it (``flatten``)
            raise InternalError("durable engine: a pattern's join tests are not a flat conjunction")
        tests = rendered["$and"] if isinstance(test, And) and len(test.items) > 1 else [rendered]
        return {"$and": [*tests, CLOSING_GROUP]}

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

