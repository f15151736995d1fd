"""Generate the one-pass validator: Python source that checks a submission and builds its facts in one walk.

The source is generated from the pydantic models' core schema (``model.Submission``), so it accepts exactly
what they accept and produces what ``model_dump`` + ``FactBase.from_data`` produce (dates as ``date``, whole
floats as ``int`` where the model wants an integer, ints as ``float`` where it wants a number, every field
present, lists copied, each entity and each object in a list tagged with its JSON pointer).  The schema's
if/then rules (``allOf``), which the models check in model validators, are compiled from the normative
JSON Schema node each model mirrors (``model.MODEL_NODES``).  References are checked against the ids in the
same pass.

It only ever *accepts*: anything it does not recognise as valid raises, and the caller then runs the
pydantic validation, which explains the problem with file, line, column and field (validate.py).  So a
document the generated code accepts must be one pydantic accepts, with identical facts
(tests/test_fast_facts.py checks it on every fixture, every rule example and generated documents, valid and
broken).  The source is self-contained (no pydantic at run time): it can be cached and loaded cold.
"""

from __future__ import annotations

import re
from typing import Any

from .model import MODEL_NODES, Submission
from .model_fields import DATE_PATTERN, ID_PATTERN, YEAR_PATTERN, NotNull, Unique, _integral, _parse_date, _parse_year
from .schema_nodes import COLLECTIONS, REFERENCES, _deref, normative_schema, schema_node

__all__ = ["generate_source"]


class UnsupportedSchema(Exception):
    """The models use a construct the generator does not know: a packaging bug, caught by the tests."""


def _rust_pattern(pattern: str) -> str:
    # pydantic-core matches with Rust's regex, where "$" is the very end; in Python "$" also matches before a
    # final newline, so "\Z" it is.  Only a trailing unescaped "$" is used in the models.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if "$" in pattern.replace("\\$", ""):
        raise UnsupportedSchema(f"pattern with an inner '$': {pattern}")
    return pattern


class _Gen:
    def __init__(self) -> None:
        self.consts: dict[str, str] = {}  # constant source -> name
        self.model_funcs: dict[tuple[type, str | None], str] = {}
        self.pending: list[tuple[type, dict[str, Any], str, str | None]] = []
        self.counter = 0

    # -- constants and names ------------------------------------------------------------------
    def const(self, source: str, prefix: str) -> str:
        name = self.consts.get(source)
        if name is None:
            name = self.consts[source] = f"{prefix}{len(self.consts)}"
        return name

    def tmp(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def pattern(self, pattern: str) -> str:
        pattern = _rust_pattern(pattern)
        if pattern.startswith("^") and pattern.endswith(r"\Z"):  # anchored both ends: fullmatch is quicker
            return self.const(f"_re.compile({pattern[1:-2]!r}).fullmatch", "P")
        return self.const(f"_re.compile({pattern!r}).search", "P")

    # -- one value, checked and converted in place ------------------------------------------------
    def check(self, schema: dict[str, Any], var: str, out: list[str], ind: str, ptr: str,
              where: tuple[str, str]) -> None:
        """Lines that raise unless local ``var`` is valid for ``schema``, leaving its fact value in ``var``.
        Every check of a non-nullable schema rejects None (the type tests do), which the callers rely on."""
        kind = schema["type"]
        if kind == "str":
            self.string(schema, var, out, ind, where)
        elif kind == "bool":
            _only(schema, "bool")
            out.append(f"{ind}if {var} is not True and {var} is not False: raise _Reject")
        elif kind == "int":
            _only(schema, "int", "ge", "le")
            cond = [f"type({var}) is not int"]
            cond += [f"{var} < {int(schema['ge'])}"] if "ge" in schema else []
            cond += [f"{var} > {int(schema['le'])}"] if "le" in schema else []
            out.append(f"{ind}if {' or '.join(cond)}: raise _Reject")
        elif kind == "float":
            _only(schema, "float", "ge", "allow_inf_nan")
            if schema.get("allow_inf_nan", True):
                raise UnsupportedSchema("a float that may be inf or nan")
            out.append(f"{ind}if type({var}) is int: {var} = float({var})")  # pydantic gives 3.0 for 3
            out.append(f"{ind}elif type({var}) is not float or not _isfinite({var}): raise _Reject")
            if "ge" in schema:
                out.append(f"{ind}if {var} < {float(schema['ge'])!r}: raise _Reject")
        elif kind == "literal":
            _only(schema, "literal", "expected")
            if not all(type(e) is str for e in schema["expected"]):
                raise UnsupportedSchema(f"literal {schema['expected']}")
            out.append(f"{ind}if type({var}) is not str or {var} not in "
                       f"{self.const(_fs(schema['expected']), 'L')}: raise _Reject")
        elif kind == "nullable":
            out.append(f"{ind}if {var} is not None:")
            self.check(schema["schema"], var, out, ind + "    ", ptr, where)
        elif kind == "list":
            self.list_of(schema, var, out, ind, ptr, where)
        elif kind in ("function-before", "function-after", "function-plain"):
            self.function(schema, var, out, ind, ptr, where)
        elif kind == "model":  # a nested object: its pointer matters only to the lists inside it
            where_to = ptr if _has_lists(schema) else "None"
            out.append(f"{ind}{var} = {self.model_func(schema, None)}({var}, {where_to}, refs)")
        else:
            raise UnsupportedSchema(f"core schema type {kind!r}")

    def string(self, schema: dict[str, Any], var: str, out: list[str], ind: str, where: tuple[str, str]) -> None:
        _only(schema, "str", "pattern", "min_length", "max_length")
        targets = REFERENCES.get(where)
        cond = [f"type({var}) is not str"]
        if targets is not None and schema.get("pattern") == ID_PATTERN and set(schema) <= {"type", "pattern",
                                                                                         "metadata", "strict"}:
            # a reference resolves only to an id, and ids are checked against the same pattern
            out.append(f"{ind}if {cond[0]}: raise _Reject")
        else:
            if "pattern" in schema:
                cond.append(f"not {self.pattern(schema['pattern'])}({var})")
            if "min_length" in schema:
                cond.append(f"len({var}) < {int(schema['min_length'])}")
            if "max_length" in schema:
                cond.append(f"len({var}) > {int(schema['max_length'])}")
            out.append(f"{ind}if {' or '.join(cond)}: raise _Reject")
        if targets is not None:
            out.append(f"{ind}refs.append(({var}, {self.const(_fs(targets), 'T')}))")

    def list_of(self, schema: dict[str, Any], var: str, out: list[str], ind: str, ptr: str,
             where: tuple[str, str]) -> None:
        _only(schema, "list", "items_schema", "min_length", "max_length")
        out.append(f"{ind}if type({var}) is not list: raise _Reject")
        if "min_length" in schema:
            out.append(f"{ind}if len({var}) < {int(schema['min_length'])}: raise _Reject")
        if "max_length" in schema:
            out.append(f"{ind}if len({var}) > {int(schema['max_length'])}: raise _Reject")
        items = schema["items_schema"]
        model = _model_of(items)
        if model is not None:  # objects in a list carry their own pointer (facts.py)
            func = self.model_func(model, "item")
            idx, item = self.tmp("i"), self.tmp("x")
            out.append(f"{ind}{var} = [{func}({item}, {_item_pointer(ptr, idx)}, refs) "
                       f"for {idx}, {item} in enumerate({var})]")
            return
        item, got = self.tmp("x"), self.tmp("l")
        body: list[str] = []
        self.check(items, item, body, ind + "    ", "''", (where[0], where[1] + "[]"))
        if any(f" {item} = " in line for line in body):  # converted items: a new list of them
            out += [f"{ind}{got} = []", f"{ind}for {item} in {var}:", *body, f"{ind}    {got}.append({item})",
                    f"{ind}{var} = {got}"]
        else:  # checked in place; the facts get their own copy all the same
            out += [f"{ind}for {item} in {var}:", *body, f"{ind}{var} = {var}[:]"]

    def function(self, schema: dict[str, Any], var: str, out: list[str], ind: str, ptr: str,
                 where: tuple[str, str]) -> None:
        func = schema["function"]["function"]
        kind = schema["type"]
        if kind == "function-before" and isinstance(getattr(func, "__self__", None), NotNull):
            out.append(f"{ind}if {var} is None: raise _Reject")
            self.check(schema["schema"], var, out, ind, ptr, where)
        elif kind == "function-before" and func is _integral:
            out.append(f"{ind}if type({var}) is float and {var}.is_integer(): {var} = int({var})")
            self.check(schema["schema"], var, out, ind, ptr, where)
        elif kind == "function-plain" and func is _parse_date:
            date_re = self.pattern(DATE_PATTERN)
            out.append(f"{ind}if type({var}) is not str or not {date_re}({var}): raise _Reject")
            # the pattern leaves only YYYY-MM-DD in ASCII digits, which fromisoformat reads as date() would
            out.append(f"{ind}{var} = _date.fromisoformat({var})")  # ValueError: not a calendar date
        elif kind == "function-plain" and func is _parse_year:
            out.append(f"{ind}if type({var}) is str and {self.pattern(YEAR_PATTERN)}({var}): {var} = int({var})")
            out.append(f"{ind}elif type({var}) is float and {var}.is_integer(): {var} = int({var})")
            out.append(f"{ind}if type({var}) is not int or not 1000 <= {var} <= 9999: raise _Reject")
        elif kind == "function-after" and func is Unique._check:
            self.check(schema["schema"], var, out, ind, ptr, where)
            out.append(f"{ind}if len(set({var})) != len({var}): raise _Reject")
        elif kind == "function-after" and schema["schema"]["type"] == "model":
            # a model validator: the schema's allOf for the node the model mirrors says the same (model_function)
            self.check(schema["schema"], var, out, ind, ptr, where)
        else:
            raise UnsupportedSchema(f"{kind} {getattr(func, '__qualname__', func)!r}")

    # -- models ---------------------------------------------------------------------------------
    def model_func(self, schema: dict[str, Any], tag: str | None) -> str:
        """The function for a model; ``tag``: None (a field), "item" (in a list: gets its pointer) or a
        collection name (an entity: gets its pointer and collection)."""
        cls = schema["cls"]
        name = self.model_funcs.get((cls, tag))
        if name is None:
            suffix = "" if tag is None else "_item" if tag == "item" else "_entity"
            name = self.model_funcs[(cls, tag)] = f"m_{cls.__name__}{suffix}"
            self.pending.append((cls, schema, name, tag))
        return name

    def model_function(self, cls: type, schema: dict[str, Any], name: str, tag: str | None) -> list[str]:
        config = schema.get("config", {})
        if config.get("extra_fields_behavior") != "forbid" or not config.get("strict") or \
                schema["schema"]["type"] != "model-fields" or schema["schema"].get("computed_fields"):
            raise UnsupportedSchema(f"{cls.__name__}: not a strict, closed model")
        fields: dict[str, Any] = schema["schema"]["fields"]
        def_name, base = MODEL_NODES[cls]
        if base == "" and "id" in fields and fields["id"]["schema"].get("pattern") != ID_PATTERN:
            raise UnsupportedSchema(f"{cls.__name__}.id: references are resolved assuming ID_PATTERN")
        template: list[str] = []  # every field in the model's order, with the value it has when left out
        checks: list[str] = []
        for field, spec in fields.items():
            if spec["type"] != "model-field" or spec.get("validation_alias") or spec.get("serialization_alias"):
                raise UnsupportedSchema(f"{cls.__name__}.{field}")
            where = (def_name, f"{base}.{field}" if base else field)
            left_out = self.field(spec["schema"], field, self.tmp("f"), checks, f"p + {'/' + field!r}", where)
            template.append(f"{field!r}: {left_out}")
        # the facts are the input mapping laid over the template (one C-level merge keeps the model's field
        # order); a key the model does not have makes the merge longer than the template (the tags are added
        # after the count, so an input key "_pointer" is one too many); the checks then read each value once
        # and write back only what they convert
        out = [f"def {name}(d, p, refs):",
               "    if type(d) is not dict: raise _Reject",
               f"    e = {{**{self.const('{' + ', '.join(template) + '}', 'D')}, **d}}",
               f"    if len(e) != {len(template)}: raise _Reject",
               *(["    e['_pointer'] = p"] if tag is not None else []),
               *([f"    e['_collection'] = {tag!r}"] if tag not in (None, "item") else []),
               *checks]
        for cond in schema_node(def_name, base).get("allOf", ()):
            out.append(f"    if not ({self.condition(cond, 'd')}): raise _Reject")
        out.append("    return e")
        return out

    def field(self, schema: dict[str, Any], field: str, var: str, out: list[str], ptr: str,
              where: tuple[str, str]) -> str:
        """Lines that check field ``field`` of the merged mapping ``e`` (writing back a converted value); returns
        the template's value for the field: what it reads when left out."""
        if schema["type"] != "default":  # required: _ABSENT, which every check rejects (not None, not a str...)
            out.append(f"    {var} = e[{field!r}]")
            self._checked(schema, field, var, out, "    ", ptr, where)
            return "_ABSENT"
        if schema.get("default", 0) is not None or "default_factory" in schema:
            raise UnsupportedSchema(f"{field}: a default other than None")
        inner = schema["schema"]
        if inner["type"] == "nullable":  # left out and null read the same
            out.append(f"    {var} = e[{field!r}]")
            self._checked(inner, field, var, out, "    ", ptr, where)
            return "None"
        if inner["type"] == "function-before" and isinstance(getattr(inner["function"]["function"], "__self__",
                                                                     None), NotNull):
            inner = inner["schema"]  # left out reads None, null is an error: the inner check rejects None
            if inner["type"] == "nullable":
                inner = inner["schema"]
        out.append(f"    {var} = e[{field!r}]")  # pydantic never validates a default
        out.append(f"    if {var} is _ABSENT: e[{field!r}] = None")
        out.append("    else:")
        self._checked(inner, field, var, out, "        ", ptr, where)
        return "_ABSENT"

    def _checked(self, schema: dict[str, Any], field: str, var: str, out: list[str], ind: str, ptr: str,
                 where: tuple[str, str]) -> None:
        lines: list[str] = []
        self.check(schema, var, lines, ind, ptr, where)
        out += lines
        if any(f" {var} = " in line for line in lines):  # converted (or copied): the fact gets the new value
            out.append(f"{ind}e[{field!r}] = {var}")

    # -- the schema's if/then (on the input mapping: "required" means the key is there) ---------------
    def condition(self, node: dict[str, Any], src: str) -> str:
        """A Python expression: does ``src`` satisfy this JSON Schema node (the subset the if/then use)?"""
        node = _resolve(node)
        parts: list[str] = []
        shape: list[str] = []  # object keywords: they hold for anything that is not an object
        for key, sub in node.items():
            if key == "allOf":
                parts += [f"({self.condition(s, src)})" for s in sub]
            elif key == "if":
                then = self.condition(node.get("then", {}), src)
                parts.append(f"(not ({self.condition(sub, src)}) or ({then}))")
            elif key == "required":
                shape += [f"{k!r} in {src}" for k in sub]
            elif key == "properties":
                for prop, prop_node in sub.items():
                    inner = self.condition(prop_node, f"{src}[{prop!r}]")
                    shape.append(f"({prop!r} not in {src} or ({inner}))")
            elif key == "const" and type(sub) is bool:
                parts.append(f"{src} is {sub!r}")
            elif key == "const" and type(sub) is str:
                parts.append(f"(type({src}) is str and {src} == {sub!r})")
            elif key == "enum" and all(type(e) is str for e in sub):
                parts.append(f"(type({src}) is str and {src} in {self.const(_fs(sub), 'L')})")
            elif key == "type" and sub == "string":
                parts.append(f"type({src}) is str")
            elif key in ("then", "description", "title", "$comment"):
                continue
            else:
                raise UnsupportedSchema(f"if/then keyword {key!r}: {sub!r}")
        if shape and src == "d":  # the model's own mapping: known to be a dict by now
            parts.append(f"({' and '.join(shape)})")
        elif shape:
            parts.append(f"(type({src}) is not dict or ({' and '.join(shape)}))")
        return " and ".join(parts) or "True"


def _item_pointer(ptr: str, idx: str) -> str:
    """The source of an item's pointer: the parent's plus "/<index>".  ``p + '/field'`` becomes one f-string
    (``f'{p}/field/{i}'``: half the time of two concatenations and ``str(i)``, ~20 items per document)."""
    match = re.fullmatch(r"p \+ '([A-Za-z0-9_/]*)'", ptr)
    if match is None:
        return f"{ptr} + '/' + str({idx})"
    return f"f'{{p}}{match.group(1)}/{{{idx}}}'"


def _fs(items: Any) -> str:
    """A frozenset's source in a fixed order: the generated source is the same in every process."""
    return f"frozenset({tuple(sorted(items))!r})"


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    return _deref(node, normative_schema()["$defs"])


def generate_source() -> str:
    """The module source: ``build(data) -> (submission, collections, by_id)``; raises ``_Reject`` (or any
    exception) when the data is not plainly valid."""
    gen = _Gen()
    top = Submission.__pydantic_core_schema__
    if top["type"] != "model" or set(top["schema"]["fields"]) != {"submission", *COLLECTIONS}:
        raise UnsupportedSchema("Submission")
    fields = top["schema"]["fields"]
    info = _model_of(fields["submission"]["schema"])
    if info is None:
        raise UnsupportedSchema("submission")
    body = ["def build(data):",
            f"    if type(data) is not dict or not data.keys() <= {gen.const(_fs(fields), 'K')}: raise _Reject",
            "    refs = []",
            "    by_id = {}",
            "    collections = {}",
            f"    submission = {gen.model_func(info, 'submission')}(data['submission'], '/submission', refs)"]
    for coll, def_name in COLLECTIONS.items():
        spec = fields[coll]["schema"]
        if spec["type"] != "default" or spec.get("default_factory") is not list or spec["schema"]["type"] != "list":
            raise UnsupportedSchema(f"collection {coll}")
        model = _model_of(spec["schema"]["items_schema"])
        if model is None or MODEL_NODES[model["cls"]] != (def_name, ""):
            raise UnsupportedSchema(f"collection {coll}: model and schema disagree")
        func = gen.model_func(model, coll)
        body += [f"    v = data.get({coll!r}, _ABSENT)",
                 "    if v is _ABSENT: c = []",
                 "    elif type(v) is not list: raise _Reject",
                 f"    else: c = [{func}(x, {'/' + coll + '/'!r} + str(i), refs) for i, x in enumerate(v)]",
                 "    for e in c:",
                 "        k = e['id']",
                 "        if k in by_id: raise _Reject",  # a duplicate id: input/references.py words it
                 "        by_id[k] = e",
                 f"    collections[{coll!r}] = c"]
    body += ["    for value, targets in refs:",
             "        e = by_id.get(value)",
             "        if e is None or e['_collection'] not in targets: raise _Reject",
             "    return submission, collections, by_id"]
    model_code: list[str] = []
    while gen.pending:
        cls, schema, name, tag = gen.pending.pop(0)
        model_code += [*gen.model_function(cls, schema, name, tag), ""]
    header = ['"""Generated by egov_rules/input/fact_codegen.py: do not edit."""',
              "import re as _re",
              "from datetime import date as _date",
              "from math import isfinite as _isfinite",
              "",
              "class _Reject(Exception):",
              "    pass",
              "",
              "_ABSENT = object()  # a field left out, in a template",
              *(f"{name} = {source}" for source, name in gen.consts.items())]
    return "\n".join([*header, "", *model_code, *body]) + "\n"


def _model_of(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The model schema of a model, or of a model with a model validator around it."""
    if schema["type"] == "function-after" and schema["schema"]["type"] == "model":
        schema = schema["schema"]
    return schema if schema["type"] == "model" else None


def _has_lists(schema: dict[str, Any]) -> bool:
    """Whether a schema holds objects in lists anywhere below it (they get pointers built from the parent's)."""
    kind = schema["type"]
    if kind == "list":
        return _model_of(schema["items_schema"]) is not None or _has_lists(schema["items_schema"])
    if kind == "model":
        return any(_has_lists(spec["schema"]) for spec in schema["schema"]["fields"].values())
    inner = schema.get("schema")
    return isinstance(inner, dict) and "type" in inner and _has_lists(inner)


def _only(schema: dict[str, Any], *allowed: str) -> None:
    extra = set(schema) - {"type", "metadata", "strict", "ref", *allowed}
    if extra:
        raise UnsupportedSchema(f"{schema['type']} with {sorted(extra)}")
