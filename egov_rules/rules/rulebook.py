"""The rulebook: ``Rule``s (engine-independent), loaded from the cache or parsed from the rule files.

Layout of a rulebook directory:
    _definitions.yaml       rulebook version, named sets and named predicates
    _bases/NAME.yaml        compliant base submissions that rule examples patch
    chNN-*/artNN-*.yaml     rule files (any depth; files starting with '_' are not rule files)

Parsing and checking the files is ``rulebook_parse`` (pydantic, conditions, templates); its result is
cached, and a rulebook read from the cache is plain data (``rule_data``), so this module and a check from
the cache import neither pydantic nor the rule models.  Every problem is a ``RuleFileError`` at
file:line:column; a broken rule file is never skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from ..data_cache import PACKAGE_DIR, ColdFields, cache_dir, code_key, write_cache_file
from ..errors import RuleFileError, Wording
from .rule_data import Definitions, ParameterSpec, RuleSpec

# a --rules directory that is not there or holds no rule file (see _check_rules_directory)
NO_RULES_DIRECTORY = Wording("rules directory not found", "规则目录不存在")
NOT_A_RULES_DIRECTORY = Wording("not a directory", "不是目录")
NO_RULE_FILES = Wording("the rules directory holds no rule file", "规则目录中没有规则文件")
E_RULES_DIRECTORY = Wording("a directory of rule files (*.yaml or *.yml, not starting with '_')",
                            "存放规则文件（*.yaml 或 *.yml，不以“_”开头）的目录")

if TYPE_CHECKING:  # a rule's conditions are unpickled when first read (ColdFields): a check from the cache
    # imports the condition classes only when a rule's conditions are read
    from ..input.factschema import FieldType
    from .conditions import Condition, Path, Source

PARAM_MARK = "\x00param:"  # a template part standing for a policy parameter's value


def default_rules_dir() -> FsPath:
    """The rulebook shipped in the wheel (``egov_rules/data/rules``), or the checkout's ``rules/``."""
    packaged = PACKAGE_DIR / "data" / "rules"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "rules"


@dataclass(frozen=True)
class Binding:
    """A rule's ``for_each`` binding: its name, what it ranges over and its type."""
    name: str
    source: Source
    type: FieldType


@dataclass
class Rule(ColdFields):
    """One compiled rule: its spec, position, bindings and conditions."""
    # read only for a rule that fires (its trace and wording, findings.py) or that joins (a join plan):
    # the generated code runs without them
    _cold = ("when", "require", "downgrade_when", "templates", "template_source")
    spec: RuleSpec
    file: str
    line: int
    column: int
    bindings: tuple[Binding, ...]
    when: Condition | None
    require: Condition
    downgrade_when: Condition | None
    templates: dict[str, dict[str, list[tuple[str, Path | None]]]]  # kind -> lang -> parts
    at: Path | None
    subject: str  # binding whose entity the finding is about
    project: Path | None  # path to the project the finding concerns (Art 44), if any
    impacts: tuple[Path | None, ...]  # per Art 46 item: the impact fact
    # templates with policy-parameter marks, kept only by rules whose texts name a parameter
    template_source: dict[str, dict[str, list[tuple[str, Path | None]]]] | None = None

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass
class Rulebook:
    """Every rule, compiled once, with the version, digest and policy parameters."""
    rules: list[Rule]
    version: str
    sha256: str
    directories: list[FsPath]
    bases: dict[str, FsPath] = field(default_factory=dict)
    definitions: Definitions | None = None
    parameters: dict[str, int] = field(default_factory=dict)  # policy parameters in force
    parameter_specs: dict[str, ParameterSpec] = field(default_factory=dict)
    code: bytes = b""  # the generated engine's code object, marshalled (engine/generated.py)
    code_constants: dict[str, tuple[Any, ...]] | None = None  # and the recipes of the constants it reads

    def get(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]


def _fill_parameters(templates: dict[str, dict[str, list[tuple[str, Path | None]]]],
                     values: dict[str, int]) -> dict[str, dict[str, list[tuple[str, Path | None]]]]:
    return {kind: {lang: [(str(values[t[len(PARAM_MARK):]]) if t.startswith(PARAM_MARK) else t, p) for t, p in parts]
                   for lang, parts in langs.items()} for kind, langs in templates.items()}


def _set_parameters(node: Any, values: dict[str, int]) -> Any:
    """The condition with every ``{param: NAME}`` operand holding ``values[NAME]`` (frozen AST: rebuilt)."""
    from .conditions import AllOf, AnyOf, Compare, Not, Quantifier

    if isinstance(node, Compare):
        if node.operand.param is not None and node.operand.param in values:
            return dataclasses.replace(node, operand=dataclasses.replace(node.operand,
                                                                         literal=values[node.operand.param]))
        return node
    if isinstance(node, AllOf | AnyOf):
        return dataclasses.replace(node, items=tuple(_set_parameters(c, values) for c in node.items))
    if isinstance(node, Not):
        return dataclasses.replace(node, item=_set_parameters(node.item, values))
    if isinstance(node, Quantifier):
        return dataclasses.replace(node, where=_set_parameters(node.where, values),
                                   require=_set_parameters(node.require, values))
    return node


def apply_parameters(rulebook: Rulebook, values: dict[str, int]) -> Rulebook:
    """The rulebook with policy parameters set (before an engine compiles it).  Unknown names and values
    out of range are the caller's to report (``check_parameter``)."""
    merged = {**rulebook.parameters, **values}
    rules = []
    for r in rulebook.rules:
        r = dataclasses.replace(
            r, when=_set_parameters(r.when, merged), require=_set_parameters(r.require, merged),
            downgrade_when=_set_parameters(r.downgrade_when, merged),
            templates=_fill_parameters(r.template_source, merged) if r.template_source else r.templates)
        rules.append(r)
    return dataclasses.replace(rulebook, rules=rules, parameters=merged)


def check_parameter(rulebook: Rulebook, name: str, value: Any) -> str | None:
    """Why ``name: value`` is not a valid policy parameter setting (None when it is)."""
    specs = rulebook.parameter_specs
    if name not in specs:
        return f"no policy parameter '{name}'" + (f" (known: {', '.join(sorted(specs))})" if specs else "")
    spec = specs[name]
    if isinstance(value, bool) or not isinstance(value, int):
        return f"policy parameter '{name}' takes a whole number, not {value!r}"
    if not spec.minimum <= value <= spec.maximum:
        return f"policy parameter '{name}' must be between {spec.minimum} and {spec.maximum}, not {value}"
    return None


def _rule_files(directory: FsPath) -> list[FsPath]:
    return sorted(
        p for p in directory.rglob("*.y*ml")
        if p.suffix in (".yaml", ".yml") and not any(part.startswith("_") for part in p.relative_to(directory).parts)
    )


def _display(path: FsPath) -> str:
    try:
        return str(path.resolve().relative_to(FsPath.cwd()))
    except ValueError:
        return str(path)


def rulebook_digest(dirs: list[FsPath]) -> str:
    """sha256 over every file a rulebook is made of (the same bytes ``load_rulebook`` reads)."""
    digest = hashlib.sha256()
    for d in dirs:
        if not d.is_dir():
            continue
        for def_file in sorted(d.glob("_definitions*.yaml")):
            digest.update(def_file.name.encode() + b"\0" + def_file.read_bytes())
        for base in sorted((d / "_bases").glob("*.yaml")):
            digest.update(f"_bases/{base.name}\0".encode() + base.read_bytes())
        for path in _rule_files(d):
            digest.update(str(path.relative_to(d)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_file(sha: str) -> FsPath | None:
    """Where a parsed rulebook is cached: keyed by the rule files and by the code that parses them.

    Parsing ~100 rule files with positions costs more than the rest of a one-file check; the cache makes
    the CLI's cold start fast.  EGOV_RULES_CACHE=0 turns it off."""
    root = cache_dir()
    if root is None:
        return None
    code = code_key(("rules/conditions.py", "rules/rule_model.py", "rules/rule_data.py", "data_cache.py",
                     "rules/condition_parser.py", "rules/condition_types.py",
                     "rules/rulebook.py", "rules/rulebook_parse.py", "input/factschema.py", "text/zh.py",
                     "data/labels.yaml", "data/submission.schema.json",
                     "engine/codegen.py", "engine/emitter.py", "engine/emit_values.py", "engine/candidates.py",
                     "engine/indexes.py", "engine/reference.py", "engine/getters.py"),
                    # rule files are shown relative to the working directory (rule.file): a cache per directory,
                    # or a service started elsewhere would leave its paths in every later `rules show`
                    os.getcwd())
    return root / f"rulebook-{sha[:32]}-{code.hexdigest()[:16]}-py{sys.version_info[0]}{sys.version_info[1]}.pickle"


def _unpickle(data: bytes) -> Any:
    """The cached rulebook: tens of thousands of small objects, none of them garbage, so the cyclic
    collector stays off while they are made (it would walk them again and again: a third of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def _check_rules_directory(directory: FsPath) -> None:
    """A rules directory the user named must exist and hold rule files: a misspelt ``--rules`` would
    otherwise check with fewer rules (or none, with ``--only-rules``) and pass."""
    if not directory.is_dir():
        problem = NO_RULES_DIRECTORY if not directory.exists() else NOT_A_RULES_DIRECTORY
        raise RuleFileError(problem(), file=str(directory), expected=E_RULES_DIRECTORY())
    if not _rule_files(directory):
        raise RuleFileError(NO_RULE_FILES(), file=str(directory), expected=E_RULES_DIRECTORY())


def load_rulebook(directories: list[FsPath] | None = None, *, include_default: bool = True) -> Rulebook:
    """Load and check every rule file (or take the cached result of doing so for the same files)."""
    dirs: list[FsPath] = []
    if include_default:
        dirs.append(default_rules_dir())
    dirs.extend(FsPath(d) for d in directories or [])
    for extra in dirs[1 if include_default else 0:]:
        _check_rules_directory(extra)
    cache = _cache_file(rulebook_digest(dirs))
    if cache is not None and cache.is_file():
        try:
            cached = _unpickle(cache.read_bytes())
            if isinstance(cached, Rulebook):
                cached.directories = dirs
                return cached
        except Exception:  # a stale or broken cache is only a missed shortcut
            pass
    from .rulebook_parse import parse_rulebook  # pydantic and the rule models: only when the cache misses

    rulebook = parse_rulebook(dirs)
    if cache is not None:
        from ..engine.generated import compile_rulebook

        compile_rulebook(rulebook)  # the generated engine's code goes into the cache with the rules
        with contextlib.suppress(pickle.PicklingError, AttributeError, TypeError):
            write_cache_file(cache, pickle.dumps(rulebook, protocol=pickle.HIGHEST_PROTOCOL))
    return rulebook

