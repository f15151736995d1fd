"""The generator's writer, part 1: values (``emitter`` writes conditions and quantifiers with them).

A path becomes nested lookups in one local, each entered only where the fact schema allows a null or a
"none" before it.  A value read once is read again from its local: the same path of the same binding later
in the block it was read in (or a block inside it), and the entity of a reference that more than one path
of the rule follows (``approval.issuer`` for ``.kind`` and ``.level``).  Paths through lists are read by
module-level helpers, as nested loops.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ..rules.conditions import AllOf, AnyOf, Compare, Not, Operand, Path, Quantifier


@dataclass
class Value:
    """A generated expression (a local name or a constant) and what it may be at run time."""

    expr: str
    may_null: bool = True
    may_absent: bool = True


class Values:
    """Writes the values of one rule's function: locals, constants, paths and operands."""

    def __init__(self, consts: dict[str, Any], shapes: Any, helpers: list[str]) -> None:
        self.lines: list[str] = []
        self.helpers = helpers  # module-level functions the rules call (readers of mapped paths)
        self.prefix = ""  # the rule's function name: names its helpers
        # values read so far, by the block depth they were read at: a later read of the same path (or of the
        # same reference's entity) in that block or one inside it takes the local (``path``); a block's
        # values are forgotten when it ends (the code after it may run without them)
        self.scopes: list[dict[tuple[Any, ...], Value]] = [{}]
        self._indent = 1
        self.shared: set[tuple[str, tuple[Any, ...]]] = set()  # (binding, steps) followed by a reference twice
        self.n = 0
        self.consts = consts
        self.shapes = shapes
        self.nodes: dict[str, Any] = {}  # binding -> schema node (for never-null)
        self.vars: dict[str, str] = {}  # binding -> local variable
        self.file = ""
        self.prologue: list[str] = []  # the function's first lines: the locals below start as None
        self.tables: dict[tuple[str, str], tuple[str, str]] = {}  # index -> locals of its table, unknown items
        self.memos: dict[tuple[str, str], str] = {}  # per-entity memo -> its local

    @property
    def indent(self) -> int:
        return self._indent

    @indent.setter
    def indent(self, depth: int) -> None:
        del self.scopes[depth + 1:]  # the blocks deeper than ``depth`` have ended
        self._indent = depth

    def remember(self, key: tuple[Any, ...], value: Value) -> None:
        while len(self.scopes) <= self._indent:
            self.scopes.append({})
        self.scopes[self._indent][key] = value

    def read_here(self) -> dict[tuple[Any, ...], Value]:
        """The values read in the current block so far (read whenever the code here runs)."""
        return dict(self.scopes[self._indent]) if self._indent < len(self.scopes) else {}

    def recall(self, key: tuple[Any, ...]) -> Value | None:
        for scope in self.scopes[:self._indent + 1]:
            found = scope.get(key)
            if found is not None:
                return found
        return None

    def plan_sharing(self, conditions: list[Any], paths: list[Path | None]) -> None:
        """The references that more than one path of the rule follows from the same steps of a binding
        (``approval.issuer`` for its ``.kind`` and its ``.level``): ``path`` keeps their entity in a local."""
        seen: dict[tuple[str, tuple[Any, ...]], int] = {}

        def count(path: Path | None) -> None:
            if path is None or path.mapped:
                return
            for k, step in enumerate(path.steps):
                if k and step.deref:
                    seen[path.binding, path.steps[:k]] = seen.get((path.binding, path.steps[:k]), 0) + 1

        def walk(node: Any) -> None:
            if isinstance(node, Compare):
                count(node.path)
                count(node.operand.path)
            elif isinstance(node, Quantifier):
                count(node.source.path)
                for inner in (node.where, node.require):
                    walk(inner)
            elif isinstance(node, Not):
                walk(node.item)
            elif isinstance(node, AllOf | AnyOf):
                for item in node.items:
                    walk(item)

        for condition in conditions:
            walk(condition)
        for path in paths:
            count(path)
        self.shared = {key for key, n in seen.items() if n > 1}

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def fresh(self, prefix: str = "v") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any, prefix: str = "K", recipe: tuple[Any, ...] | None = None) -> str:
        """A global of the generated code; ``recipe`` says how to build it again (see ``build_constants``)."""
        name = f"{prefix}{len(self.consts)}"
        self.consts[name] = recipe or ("value", value)
        return name

    @staticmethod
    def collection(name: str) -> str:
        return f"collections.get({name!r}, ())"

    def literal(self, value: Any) -> str:
        if value is None or isinstance(value, bool | int | str) or (isinstance(value, float) and value == value):
            return repr(value)
        return self.const(value)

    # -- values --------------------------------------------------------------------------------------
    def never_null(self, path: Path, node: Any = None) -> bool:
        """Whether the fact schema says the path is never null (from its binding's node, or ``node``)."""
        if path.mapped or not path.steps or any(s.pseudo or s.deref for s in path.steps):
            return False
        node = node if node is not None else self.nodes.get(path.binding)
        if node is None:
            return False
        _, never, _ = self.shapes.walk(node, path)
        return bool(never)

    def path(self, path: Path) -> Value:
        var = self.vars[path.binding]
        if path.mapped and not any(s.pseudo for s in path.steps):
            out = self.fresh()
            self.emit(f"{out} = {self.mapped_reader(path)}({var}, by_id)")
            return Value(out, False, False)
        if path.mapped or any(s.pseudo and s.name not in ("count", "year", "days_before_as_of") for s in path.steps):
            getter = self.const(None, "G", ("getter", path))
            out = self.fresh()
            self.emit(f"{out} = {getter}({{{path.binding!r}: {var}}}, facts, None)")
            return Value(out, not path.mapped, not path.mapped)
        if self.never_null(path):
            expr = var + "".join(f"[{s.name!r}]" for s in path.steps)
            return Value(expr, False, False)
        steps = path.steps
        found = self.recall((var, steps))
        if found is not None:  # read before in this block
            return found
        start, value = 0, None
        for k in range(len(steps) - 1, 0, -1):  # the entity of a reference on the way, read before
            if steps[k].deref:
                value = self.recall((var, steps[:k], "entity"))
                if value is not None:
                    start = k
                    break
        if value is None:
            entity = path.binding in self.nodes  # an entity binding is never null
            value = Value(var, not entity, not entity)
        cuts = [k for k in range(start + 1, len(steps)) if steps[k].deref and (path.binding, steps[:k]) in self.shared]
        bounds = [start, *cuts, len(steps)]
        for a, b in itertools.pairwise(bounds):
            out = self.fresh()
            self.emit(f"{out} = {value.expr}")
            value = self.walk(out, steps[a:b], value, a > 0, b < len(steps))
            if b < len(steps):  # another path follows this reference too: its entity kept
                self.remember((var, steps[:b], "entity"), value)
        self.remember((var, steps), value)
        return value

    def walk(self, out: str, steps: tuple[Any, ...], start: Value, followed: bool, follow: bool) -> Value:
        """Code that reads ``steps`` from ``out`` (holding ``start``), in place: nested blocks, each entered
        only when the value so far is neither null nor "none".  ``followed``: the first step's reference is
        already followed; ``follow``: the reference read last is followed too (its entity, or ABSENT)."""
        may_null, may_absent = start.may_null, start.may_absent
        opened = 0
        for i, step in enumerate(steps):
            if may_null or may_absent:
                conds = [c for c, on in ((f"{out} is not None", may_null), (f"{out} is not ABSENT", may_absent)) if on]
                self.emit(f"if {' and '.join(conds)}:")
                self.indent += 1
                opened += 1
            if step.deref and not (followed and i == 0):
                self.emit(f"{out} = by_id.get({out}, ABSENT)")
                self.emit(f"if {out} is not ABSENT:")
                self.indent += 1
                opened += 1
                may_absent = True
            if step.pseudo:
                if step.name == "count":
                    self.emit(f"{out} = len({out})")
                elif step.name == "year":
                    self.emit(f"{out} = {out}.year")
                else:
                    self.emit(f"{out} = (as_of - {out}).days")
                continue
            self.emit(f"{out} = {out}.get({step.name!r})")
            if step.is_list:
                self.emit(f"if {out} is None: {out} = []")
            elif step.none_semantic:
                self.emit(f"if {out} is None: {out} = ABSENT")
                may_absent = True
            else:
                may_null = True
        if follow:
            if may_null or may_absent:
                conds = [c for c, on in ((f"{out} is not None", may_null), (f"{out} is not ABSENT", may_absent)) if on]
                self.emit(f"if {' and '.join(conds)}:")
                self.indent += 1
                opened += 1
            self.emit(f"{out} = by_id.get({out}, ABSENT)")
            may_absent = True
        self.indent -= opened
        return Value(out, may_null, may_absent)

    def mapped_reader(self, path: Path) -> str:
        """A module-level function reading a path through lists: the list of values (the reference's
        ``get_mapped``: a null list is empty, a null value unknown, "none" left out), as nested loops over the
        lists met: no list of values per step (a value read depth first gives the same order)."""
        name = f"{self.prefix}_path{len(self.helpers)}"
        lines = [f"def {name}(value, by_id):", f"    # {path.text}", "    out = []",
                 "    if value is None: out.append(None)", "    elif value is not ABSENT:"]
        v, pad = "value", "        "
        for i, step in enumerate(path.steps):
            if step.deref:  # a reference without its entity: nothing (validated data has none)
                lines += [f"{pad}{v} = by_id.get({v})", f"{pad}if {v} is not None:"]
                pad += "    "
            x, y = f"x{i}", f"y{i}"
            lines.append(f"{pad}{x} = {v}.get({step.name!r})")
            # null: an empty list for a required list, nothing for "none", else unknown (a null at the end)
            on_null = "pass" if step.is_list or step.none_semantic else "out.append(None)"
            lines.append(f"{pad}if {x} is None: {on_null}")
            if i + 1 == len(path.steps):
                lines += [f"{pad}elif isinstance({x}, list): out.extend({x})", f"{pad}else: out.append({x})"]
                break
            lines += [f"{pad}else:", f"{pad}    for {y} in ({x} if isinstance({x}, list) else ({x},)):"]
            pad += "        "  # an unknown value (a null in a list) stays unknown to the end
            lines += [f"{pad}if {y} is None:", f"{pad}    out.append(None)", f"{pad}    continue"]
            v = y
        lines.append("    return out")
        self.helpers.append("\n".join(lines))
        return name

    def operand(self, op: Operand) -> Value:
        if op.path is None:
            return Value(self.literal(op.literal), False, False)
        v = self.path(op.path)
        if not op.offset:
            return v
        out = self.fresh()
        guard = [c for c, on in ((f"{v.expr} is None", v.may_null), (f"{v.expr} is ABSENT", v.may_absent)) if on]
        body = f"plus_offset({v.expr}, {op.offset})"  # days for a date; clamped past year 9999
        self.emit(f"{out} = {v.expr} if {' or '.join(guard)} else ({body})" if guard else f"{out} = {body}")
        return Value(out, v.may_null, v.may_absent)

    # -- conditions ------------------------------------------------------------------------------------
