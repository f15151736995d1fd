"""Durable translation 3: one alternative of a condition (a conjunction of tests and patterns) as durable
rules — each test placed on the last pattern it reads, every joining pattern a flat conjunction closed by
``CLOSING_GROUP``, nested tests of a fact's own fields moved into views, over-long patterns split into derived
facts, a second pattern on one kind of fact reading a replica."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...errors import InternalError
from .expressions import (
    BETA_LIMIT,
    FALSE,
    MAX_ALTERNATIVES,
    MIRROR_OP,
    And,
    Cmp,
    Conj,
    Fld,
    Items,
    Lit,
    Or,
    Pattern,
    Untranslatable,
    alpha_at,
    beta_cost,
    conj,
    refs,
)
from .kinds import Registries, Spec

# durable 2.0.28's C core (events.c, reduceExpressionSequence) short-circuits a false join test in an $and by
# stepping towards the group's end *before* it looks: after the last test of a group it steps over the
# group's OP_END and scans on past the sequence, reading memory it does not own until it meets a byte 0x0D
# (valgrind: "Invalid read" under isBetaMatch; a segfault when the scan reaches an unmapped page).  So every
# pattern that holds join tests ends with this group.  It holds no join test (only an alpha test on ``t``,
# which every fact has: always true), so its sequence entries are just $and and OP_END: the step after any
# join test lands on that OP_END, and, being last, the group's early end skips no test.
CLOSING_GROUP: dict[str, Any] = {"$and": [{"$ex": {"t": 1}}]}


class PatternAssembly(Registries):
    """Durable rules from alternatives.

    Durable evaluates a pattern's tests reliably only as a flat conjunction whenever any of them reads
    another fact (measured: nested $and/$or mixing such tests give wrong matches; events.c stops a group at
    the end of a nested group, so the tests after it are never evaluated), so every pattern here is flat: a
    disjunction that reads other facts becomes alternative rules (or, under a negation, several negations),
    a nested disjunction of a fact's own fields moves into a *view*, facts of that kind that pass it,
    derived by a rule of their own, and the one nested group is CLOSING_GROUP, last.
    """

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


