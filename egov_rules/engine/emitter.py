"""The generator's writer: one rule's conditions as Python statements (``codegen`` assembles the functions).

Paths become nested lookups, comparisons inline three-valued tests (a null or "none" tested only where the
fact schema allows one), quantifiers loops over the items that a hash index finds (``join_plan``,
``candidates.lookups``) or over the whole list.
"""

from __future__ import annotations

from typing import Any

from ..rules.conditions import AllOf, AnyOf, Compare, Not, Path, Quantifier, Source
from .candidates import Lookup, lookups
from .emit_values import Value, Values
from .indexes import plain_field
from .reference import join_plan

SCANNED = 32  # a for_each list inside a binding this short is scanned for its join, not indexed


class Emitter(Values):
    """Writes the source of one rule's function: conditions, quantifiers, their lookups and indexes."""

    def index_table(self, coll: str, key_name: str, path: Path | None, contains: bool,
                    recipe: tuple[Any, ...]) -> tuple[str, str]:
        """Locals holding an index's table and unknown items: looked up in the shared indexes when the rule's
        run first needs them (a rule that never gets there builds nothing), then read from the locals.  An
        index keyed by one plain field (``path``) is built by ``indexes.index_field``, one keyed by another
        path of the item (``recipe`` "keys") by a generated function, any other by ``recipe``'s key function;
        each gives the table ``FactBase.index`` gives with the reference's key function."""
        index = (coll, key_name)
        found = self.tables.get(index)
        if found is None:
            found = self.tables[index] = (self.fresh("t"), self.fresh("u"))
            self.prologue.append(f"{found[0]} = {found[1]} = None")
        table, unknown = found
        field = plain_field(path) if path is not None else None
        if field is not None:
            build = f"index_field(facts, {index!r}, {field!r}, {contains})"
        elif path is not None and recipe[0] == "keys":
            build = f"{self.index_builder(index, recipe[1], path, contains)}(facts, {index!r})"
        elif recipe[0] == "lookup":
            build = f"facts.index(*{index!r}, {self.lookup_keys(recipe[1], coll)}(facts))"
        else:
            build = f"facts.index(*{index!r}, {self.const(None, 'X', recipe)}(facts))"
        self.emit(f"if {table} is None: {table}, {unknown} = indexes.get({index!r}) or {build}")
        return table, unknown

    def key_never_unknown(self, path: Path, coll: str) -> bool:
        """Whether no item's key can be null (unknown): the schema says so, or every step's null means "none"
        (the item then has no key, and is in no bucket)."""
        if not path.mapped and path.steps and all(s.none_semantic and not s.pseudo for s in path.steps):
            return True
        return self.never_null(path, self.shapes.collection(coll))

    def lookup_keys(self, lookup: Lookup, coll: str) -> str:
        """A module-level function giving, for one submission's facts, the keys of an item of a lookup's index:
        ``candidates.compile_keys`` as Python source (filters false: no key; a null key or an unknown list of
        the item: unknown; an inner lookup: the keys of the items it finds in a list of the item)."""
        name = f"{self.prefix}_keys{len(self.helpers)}"
        item = Emitter(self.consts, self.shapes, self.helpers)
        item.prefix, item.file, item.indent = self.prefix, self.file, 2
        item.vars["submission"] = "submission"
        item.vars[lookup.binding], item.nodes[lookup.binding] = "item", self.shapes.collection(coll)
        item.item_keys(lookup, None)
        lines = [f"def {name}(facts):", f"    # the keys of {lookup.binding} in {lookup.name}",
                 "    submission = facts.submission", "    by_id = facts.by_id", "    collections = facts.collections",
                 "    as_of = submission.get('as_of')", "    indexes = facts._indexes", "    def keys_of(item):",
                 *(f"        {line}" for line in item.prologue), *item.lines, "    return keys_of"]
        self.helpers.append("\n".join(lines))
        return name

    def item_keys(self, lookup: Lookup, out: str | None) -> None:
        """The keys of the item bound to ``lookup.binding``: returned (``out`` None), or, for an inner lookup's
        item, added to ``out`` (an item whose filters are false adds none; any unknown makes all unknown)."""
        done = "return []" if out is None else "continue"
        for test in lookup.filters:
            c = self.fresh("f")
            self.condition(test, c)
            self.emit(f"if {c} is False: {done}")
        if lookup.path is not None:
            v = self.path(lookup.path)
            if v.may_null:
                self.emit(f"if {v.expr} is None: return None")
            if v.may_absent:
                self.emit(f"if {v.expr} is ABSENT: {done}")
            if lookup.contains:
                self.emit(f"if None in {v.expr}: return None")
            keys = f"list({v.expr})" if lookup.contains else f"[{v.expr}]"
            if out is None:
                self.emit(f"return {keys}")
            else:
                self.emit(f"{out}.extend({v.expr})" if lookup.contains else f"{out}.append({v.expr})")
            return
        if lookup.inner is None:
            self.emit("return [True]" if out is None else f"{out}.append(True)")
            return
        source, inner = lookup.inner
        items, found = self.fresh("items"), self.fresh("keys")
        if self.source_items(source, items):
            self.emit(f"if {items} is None: return None")
        self.emit(f"{found} = []")
        self.emit(f"for {self.bind(inner.binding, source)} in {items}:")
        self.indent += 1
        self.item_keys(inner, found)
        self.indent -= 1
        self.emit(f"return {found}" if out is None else f"{out}.extend({found})")

    def index_builder(self, index: tuple[str, str], binding: str, path: Path, contains: bool) -> str:
        """A module-level function building an index keyed by a path of the item: the path read inline (a
        null key unknown, "none" no key; ``contains``: each value of a list without nulls)."""
        name = f"{self.prefix}_index{len(self.helpers)}"
        item = Emitter(self.consts, self.shapes, self.helpers)
        item.prefix, item.file, item.indent = self.prefix, self.file, 2
        item.vars[binding], item.nodes[binding] = "item", self.shapes.collection(index[0])
        value = item.path(path)
        lines = [f"def {name}(facts, key):", f"    # the index {index[1]} of {index[0]}", "    by_id = facts.by_id",
                 "    as_of = facts.submission.get('as_of')", "    table = {}", "    unknown = []",
                 "    for item in facts.collection(key[0]):", *item.lines, f"        key_value = {value.expr}"]
        tests = [("key_value is None", "unknown.append(item)")] if value.may_null else []
        tests += [("key_value is ABSENT", "continue")] if value.may_absent else []
        tests += [("None in key_value", "unknown.append(item)")] if contains else []
        lines += [f"        {'el' if i else ''}if {test}: {then}" for i, (test, then) in enumerate(tests)]
        pad = "            " if tests else "        "
        if tests:
            lines.append("        else:")
        if contains:  # a value listed twice: the item once
            lines += [f"{pad}for k in key_value:", f"{pad}    bucket = table.get(k)",
                      f"{pad}    if bucket is None: table[k] = [item]",
                      f"{pad}    elif bucket[-1] is not item: bucket.append(item)"]
        else:
            lines += [f"{pad}bucket = table.get(key_value)", f"{pad}if bucket is None: table[key_value] = [item]",
                      f"{pad}else: bucket.append(item)"]
        lines += ["    found = facts._indexes[key] = (table, unknown)", "    return found"]
        self.helpers.append("\n".join(lines))
        return name

    def condition(self, node: Any, out: str) -> dict[tuple[Any, ...], Value]:
        """Code that sets ``out`` to True, False or None (unknown).  Returns the values it has read whenever
        ``out`` ends up True (``codegen`` keeps the when's for the require): each item's of an ``all``, what a
        condition read before anything else in the others."""
        if isinstance(node, Compare):
            self.emit(f"# {self.file}:{node.line}  {' '.join(node.text.split())}")
            self.compare(node, out)
        elif isinstance(node, Quantifier):
            self.emit(f"# {self.file}:{node.line}  {node.kind} {node.binding} in {node.source.text}")
            self.quantifier(node, out)
        elif isinstance(node, Not):
            inner = self.fresh("c")
            self.condition(node.item, inner)
            self.emit(f"{out} = None if {inner} is None else not {inner}")
        elif isinstance(node, AllOf | AnyOf):
            settles = "False" if isinstance(node, AllOf) else "True"
            if not node.items:
                self.emit(f"{out} = {'True' if settles == 'False' else 'False'}")
                return {}
            read = self.condition(node.items[0], out)  # the first item's value is the whole's so far
            if isinstance(node, AnyOf):
                read = self.read_here()
            depth = self.indent
            for item in node.items[1:]:  # each in the block of the ones before: it sees the values they read
                part = self.fresh("c")
                self.emit(f"if {out} is not {settles}:")
                self.indent += 1
                item_read = self.condition(item, part)
                if isinstance(node, AllOf):  # all true: every item was read
                    read = {**read, **item_read}
                self.emit(f"if {part} is not {'True' if settles == 'False' else 'False'}: {out} = {part}")
            self.indent = depth
            return read
        else:
            raise AssertionError(type(node))
        return self.read_here()

    @staticmethod
    def memo_set(path: Path) -> bool:
        """A mapped path of scalars without pseudo fields: its values can be held in a set."""
        item = path.type.item
        return (path.mapped and item is not None and not any(s.pseudo for s in path.steps)
                and item.kind in ("str", "enum", "int", "bool", "date", "ref"))

    def compare(self, node: Compare, out: str) -> None:
        if node.op == "contains" and self.memo_set(node.path):
            self.contains_in_set(node, out)
            return
        a = self.path(node.path)
        op = node.op
        if op == "is_a":
            target = self.fresh()
            colls = self.const(frozenset(node.operand.literal))
            self.emit(f"if {a.expr} is None: {out} = None")
            self.emit("else:")
            self.emit(f"    {target} = by_id.get({a.expr}) if {a.expr} is not ABSENT else None")
            self.emit(f"    {out} = {target} is not None and {target}.get('_collection') in {colls}")
            return
        if op == "is_set":
            want = bool(node.operand.literal)
            self.emit(f"{out} = ({a.expr} is not None and {a.expr} is not ABSENT) == {want}")
            return
        b = self.operand(node.operand)
        if op in ("in", "not_in", "contains"):
            value, coll = (a, b) if op != "contains" else (b, a)
            test = f"{value.expr} in {coll.expr}"
            if op != "contains" and node.operand.path is None:  # a literal set: no null inside
                body = test
            else:
                body = f"True if {test} else (None if isinstance({coll.expr}, list) and None in {coll.expr} else False)"
            result = self._guarded(value, coll, body)
            if op == "not_in":
                self.emit(f"{out} = {result}")
                self.emit(f"if {out} is not None: {out} = not {out}")
            else:
                self.emit(f"{out} = {result}")
            return
        sym = {"eq": "==", "ne": "==", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        self.emit(f"{out} = {self._guarded(a, b, f'{a.expr} {sym} {b.expr}')}")
        if op == "ne":
            self.emit(f"if {out} is not None: {out} = not {out}")

    def contains_in_set(self, node: Compare, out: str) -> None:
        # membership in a list read through lists (catalogue.entries.element): a set per entity and
        # submission, built once, instead of the list read again for every lookup
        b = self.operand(node.operand)
        found = self.fresh("s")
        var = self.vars[node.path.binding]
        key = (f"@set:{self.prefix}", node.path.text)
        memo = self.memos.get(key)
        if memo is None:  # one local per rule run, looked up on first use
            memo = self.memos[key] = self.fresh("m")
            self.prologue.append(f"{memo} = None")
        self.emit(f"if {memo} is None: {memo} = indexes.setdefault({key!r}, {{}})")
        self.emit(f"{found} = {memo}.get(id({var}))")
        self.emit(f"if {found} is None:")
        self.emit(f"    {found} = {self.mapped_reader(node.path)}({var}, by_id)")
        self.emit(f"    {found} = {memo}[id({var})] = (frozenset({found}), None in {found})")
        body = f"True if {b.expr} in {found}[0] else (None if {found}[1] else False)"
        self.emit(f"{out} = {self._guarded(b, Value(found, False, False), body)}")

    @staticmethod
    def _guarded(a: Value, b: Value, body: str) -> str:
        """A three-valued test: false if either side is "none", unknown if either is null, else ``body``."""
        absent = [f"{v.expr} is ABSENT" for v in (a, b) if v.may_absent]
        null = [f"{v.expr} is None" for v in (a, b) if v.may_null]
        expr = f"({body})"  # facts hold only builtin values, whose comparisons give a bool
        if null:
            expr = f"None if {' or '.join(null)} else {expr}"
        if absent:
            expr = f"False if {' or '.join(absent)} else ({expr})"
        return expr

    def source_items(self, source: Source, out: str) -> bool:
        """``out`` = the items of a source, or None when the list is unknown; returns whether it may be None
        (the fact schema says which lists can be null or missing: a required list is just read)."""
        if source.collection is not None:
            self.emit(f"{out} = {self.collection(source.collection)}")
            return False
        assert source.path is not None
        v = self.path(source.path)
        deref = source.type.item is not None and source.type.item.kind == "ref"
        items = f"[by_id[x] for x in {v.expr} if x in by_id]" if deref else v.expr
        if v.may_absent:
            items = f"([] if {v.expr} is ABSENT else {items})"
        self.emit(f"{out} = None if {v.expr} is None else {items}" if v.may_null else f"{out} = {items}")
        return v.may_null

    def bind(self, name: str, source: Source) -> str:
        """A local variable for a binding; an entity binding (never null) gets its schema node."""
        var = self.fresh("b_")
        item = source.type.item
        node = None
        if source.collection is not None:
            node = self.shapes.collection(source.collection)
            self.nodes[name] = node
        elif item is not None and item.kind in ("object", "ref") and not item.nullable:
            assert source.path is not None
            if source.path.binding in self.nodes and self.nodes[source.path.binding] is not None:
                end, _, _ = self.shapes.walk(self.nodes[source.path.binding], source.path)
                node = self.shapes.element(end)
            self.nodes[name] = node
        else:
            self.nodes.pop(name, None)
        self.vars[name] = var
        return var

    def quantifier(self, node: Quantifier, out: str) -> None:
        plan = join_plan(node)
        found = lookups(node) if plan is None else None
        saved = dict(self.vars), dict(self.nodes)
        items = self.fresh("items")
        first = second = ""
        may_be_unknown = False
        if found is not None:  # the items other lookups find (the others' where is false), or all
            self.candidates(node, found, items)
            loops = [(items, node.where)]
        elif plan is None:
            may_be_unknown = self.source_items(node.source, items)
            loops = [(items, node.where)]
        else:
            conjunct, rest = plan
            contains = conjunct.op == "contains"
            first, second = self.fresh("items"), self.fresh("items")
            coll = node.source.collection
            assert coll is not None
            table, unknown = self.index_table(coll, conjunct.op + ":" + conjunct.path.text, conjunct.path, contains,
                                              ("keys", node.binding, conjunct.path, contains))
            key = self.operand(conjunct.operand)  # in the outer scope
            lookup = f"{table}.get({key.expr}, ())"
            if key.may_absent:
                lookup += f" if {key.expr} is not ABSENT else ()"
            loops = [(first, rest), (second, node.where)]
            if key.may_null:  # an unknown key: every item is a candidate, tested in full
                self.emit(f"if {key.expr} is None: {first}, {second} = (), {self.collection(coll)}")
                self.emit(f"else: {first}, {second} = {lookup}, {unknown}")
            elif conjunct.op == "eq" and self.key_never_unknown(conjunct.path, coll):
                self.emit(f"{first} = {lookup}")  # no item's key is unknown: the index's unknown items are none
                loops = loops[:1]
            else:
                self.emit(f"{first}, {second} = {lookup}, {unknown}")
        var = self.bind(node.binding, node.source)
        kind = node.kind
        scanned = plan is None and found is None and may_be_unknown  # a list that may be unknown
        # any item decides (no where, no require): whether there is one
        decided = len(loops) == 1 and loops[0][1] is None and node.require is None
        if not decided or scanned or kind == "every":
            self.emit(f"{out} = {'True' if kind == 'every' else 'False'}")
        if scanned:
            self.emit(f"if {items} is None: {out} = None")
            self.emit("else:")
            self.indent += 1
        if decided:
            if kind != "every":  # (every item passes an empty require: true, set above)
                self.emit(f"{out} = True if {loops[0][0]} else False")
            loops = []
        for source, where in loops:
            self.emit(f"for {var} in {source}:")
            self.indent += 1
            # w: is the item in scope; None when every item is (no where), which spares its three-valued test
            w = None
            if where is not None:
                w = self.fresh("w")
                self.condition(where, w)
            if kind == "every":
                if w is not None:
                    self.emit(f"if {w} is False: continue")
                r = self.fresh("r")
                if node.require is None:
                    self.emit(f"{r} = True")
                else:
                    self.condition(node.require, r)
                self.emit(f"if {r} is True: continue")
                self.emit(f"if {r} is False:" if w is None else f"if {w} is True and {r} is False:")
                self.emit(f"    {out} = False")
                self.emit("    break")
                self.emit(f"{out} = None")
            elif w is None:
                self.emit(f"{out} = True")
                self.emit("break")
            else:
                self.emit(f"if {w} is True:")
                self.emit(f"    {out} = True")
                self.emit("    break")
                self.emit(f"if {w} is None: {out} = None")
            self.indent -= 1
            if len(loops) > 1 and source == first:  # decided by an item found by its key
                self.emit(f"if {out} is {'False' if kind == 'every' else 'True'}: {second} = ()")
        if scanned:
            self.indent -= 1
        if kind == "none":
            self.emit(f"if {out} is not None: {out} = not {out}")
        self.vars, self.nodes = saved

    def candidates(self, node: Quantifier, found: tuple[Lookup, ...], out: str) -> None:
        """``out`` = the items the lookups find (duplicates do not change a quantifier's result), or the
        whole collection when a key is unknown."""
        coll = node.source.collection
        every = self.fresh("every")
        may_all = False
        self.emit(f"{out} = []")
        assert coll is not None
        for lookup in found:
            self.emit(f"# look up {lookup.key.text} in {lookup.name}")
            plain = lookup.path if not lookup.filters and lookup.inner is None else None
            table, unknown = self.index_table(coll, lookup.name, plain, lookup.contains, ("lookup", lookup))
            key = self.operand(lookup.key)  # in the outer scope
            branches = []
            if key.may_absent:
                branches.append((f"{key.expr} is ABSENT", "pass"))
            if key.may_null:
                branches.append((f"{key.expr} is None", f"{every} = True"))
            if lookup.many:  # a list of keys: an unknown value in it may equal any item's key
                branches.append((f"None in {key.expr}", f"{every} = True"))
            if any(body != "pass" for _, body in branches) and not may_all:
                may_all = True
                self.emit(f"{every} = False")
            for i, (test, body) in enumerate(branches):
                self.emit(f"{'if' if i == 0 else 'elif'} {test}: {body}")
            if branches:
                self.emit("else:")
                self.indent += 1
            if lookup.many:
                each = self.fresh("k")
                self.emit(f"for {each} in {key.expr}: {out}.extend({table}.get({each}, ()))")
            else:
                self.emit(f"{out}.extend({table}.get({key.expr}, ()))")
            if branches:
                self.indent -= 1
            self.emit(f"{out}.extend({unknown})")
        if may_all:
            self.emit(f"if {every}: {out} = {self.collection(coll)}")


    def inner_join(self, join: Any, plan: str, env: str, source: Source, items: str, out: str) -> None:
        """``out`` = the items of a for_each list inside an earlier binding whose join key equals the earlier
        binding's or is unknown, in the list's order: a short list scanned (its index costs more to build
        than the scan), a longer one looked up in its index (``ForEachJoin.candidates``)."""
        key = self.operand(join.compare.operand)
        self.emit(f"# for_each {join.binding}: {join.compare.text}")
        if key.may_null:  # an unknown key: nothing can be left out
            self.emit(f"if {key.expr} is None: {out} = {items}")
        self.emit(f"{'elif' if key.may_null else 'if'} len({items}) <= {SCANNED}:")
        self.indent += 1
        self.emit(f"{out} = []")
        var = self.bind(join.binding, source)
        self.emit(f"for {var} in {items}:")
        self.indent += 1
        item = self.path(join.compare.path)
        hit = " and ".join([*(f"{v.expr} is not ABSENT" for v in (key, item) if v.may_absent),
                            f"{item.expr} == {key.expr}"])
        self.emit(f"if {item.expr} is None or ({hit}): {out}.append({var})" if item.may_null
                  else f"if {hit}: {out}.append({var})")
        self.indent -= 2
        self.emit("else:")
        self.emit(f"    {out} = {plan}.candidates({env}, facts, {items})")

    def for_each_join(self, join: Any, items: str, out: str) -> None:
        """``out`` = the items of a for_each collection whose join key equals the earlier binding's or is
        unknown, in the collection's order (``ForEachJoin.candidates``, looked up inline)."""
        c, coll = join.compare, join.collection
        self.emit(f"# for_each {join.binding}: look up {c.operand.text} in {join.key_name}")
        table, unknown = self.index_table(coll, join.key_name, c.path, False, ("keys", join.binding, c.path, False))
        key = self.operand(c.operand)
        hits = f"{table}.get({key.expr}, ())" + (f" if {key.expr} is not ABSENT else ()" if key.may_absent else "")
        if key.may_null:  # an unknown key: nothing can be left out
            self.emit(f"if {key.expr} is None: {out} = {items}")
            self.emit("else:")
            self.indent += 1
        self.emit(f"{out} = {hits}")
        self.emit(f"if {unknown}: {out} = sorted([*{out}, *{unknown}], "
                  f"key=lambda e, at=facts.positions({coll!r}): at[id(e)])")
        if key.may_null:
            self.indent -= 1
