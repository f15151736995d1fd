"""Durable translation 4: the rule AST compiled into durable rule specs (each condition as a disjunction
of alternatives per polarity, quantifiers and negations as derived facts in strata), assembled into durable
rules by ``patterns.PatternAssembly``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...input.facts import COLLECTION, DERIVED_COLLECTIONS, FactBase
from ...rules.conditions import AllOf, AnyOf, Compare, Not, Path, Quantifier, Source
from ...rules.rulebook import Rule
from ..evaluate import (
    _compile_source,
)
from ..getters import ABSENT, Getter, compile_path, plus_offset
from .expressions import (
    DNF,
    FALSE,
    MAX_ALTERNATIVES,
    MAX_NEGATIONS,
    MAX_RULES,
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
    conj,
    disj,
    neg,
    refs,
)
from .kinds import Spec, Value
from .patterns import PatternAssembly, _rename


class Compiler(PatternAssembly):
    """Translates a rulebook into durable rule specs: the registries (``kinds.Registries``) and the assembly
    of durable rules (``patterns.PatternAssembly``) are its bases."""

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
