"""Project configuration: ``.egov-rules.yaml``, found from the working directory upwards, or ``--config``.

    rules: [policy/rules]             # extra rulebook directories
    include: [art17-*, art19-*]       # rule ids or glob patterns; default: every rule
    exclude: [art40-no-protection-level]
    severity: {art19-no-collection-catalogue: violation}
    fail-on: warning
    format: sarif
    lang: zh
    waivers: waivers.yaml
    registry: registry/
    limits: {max-bytes: 50000000, max-seconds: 60}
    policy: {art31_answer_days: 15}   # policy parameters of the rulebook (egov-rules rules params)

Paths are relative to the configuration file.  Options on the command line win over the file.  Every
problem is a ``ConfigError`` at file:line:column; a misspelt key gets a suggestion.  ``include``,
``exclude`` and ``severity`` change the rulebook itself (``RuleSelection``), so they apply to every
output format and to exit codes alike.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, EgovError, closest
from .input.load import Document, load_document
from .rules.rulebook import Rulebook, apply_parameters, check_parameter

if TYPE_CHECKING:  # the pydantic models load with a configuration file only (a check without one skips them)
    from .config_model import ConfigModel

CONFIG_NAME = ".egov-rules.yaml"
# command-line parameter name -> key in the file (limits are under "limits")
PARAM_KEYS = {"rules_dirs": "rules", "fmt": "format", "fail_on": "fail-on", "lang": "lang",
              "waivers_file": "waivers", "registry_dir": "registry"}
@dataclass(frozen=True)
class RuleSelection:
    """include / exclude / severity of a configuration, applied to a loaded rulebook (picklable)."""

    source: str = "<config>"
    include: tuple[tuple[str, tuple[int, int]], ...] | None = None  # (pattern, position in the file)
    exclude: tuple[tuple[str, tuple[int, int]], ...] = ()
    severity: tuple[tuple[str, str, tuple[int, int]], ...] = ()  # (pattern, severity, position)
    include_position: tuple[int, int] = (1, 1)
    # policy parameters: (name, value, position); later entries win (the command line comes last)
    parameters: tuple[tuple[str, Any, tuple[int, int]], ...] = ()

    def with_parameters(self, values: tuple[tuple[str, Any, tuple[int, int]], ...]) -> RuleSelection:
        return dataclasses.replace(self, parameters=self.parameters + values)

    def _error(self, message: str, pos: tuple[int, int], field: str, **kw: Any) -> ConfigError:
        return ConfigError(message, file=self.source, line=pos[0], column=pos[1], field=field, **kw)

    def _check(self, pattern: str, pos: tuple[int, int], field: str, ids: list[str]) -> None:
        # an exact id must name a rule (a typo would silently do nothing); a glob may match none yet
        if not any(c in pattern for c in "*?[") and pattern not in ids:
            raise self._error(f"no rule '{pattern}' in the rulebook", pos, field,
                              expected="a rule id or a glob pattern such as 'art17-*'",
                              suggestion=closest(pattern, ids))

    def apply(self, rulebook: Rulebook) -> Rulebook:
        ids = rulebook.ids()
        for i, (pattern, pos) in enumerate(self.include or ()):
            self._check(pattern, pos, f"/include/{i}", ids)
        for i, (pattern, pos) in enumerate(self.exclude):
            self._check(pattern, pos, f"/exclude/{i}", ids)
        for pattern, _, pos in self.severity:
            self._check(pattern, pos, f"/severity/{pattern}", ids)
        values: dict[str, int] = {}
        for name, value, pos in self.parameters:
            problem = check_parameter(rulebook, name, value)
            if problem is not None and pos == (0, 0):  # from the command line
                raise ConfigError(problem, file="--policy", field=name, expected="a policy parameter of the "
                                  "rulebook and a whole number in its range (egov-rules rules params)",
                                  suggestion=closest(name, rulebook.parameter_specs))
            if problem is not None:
                raise self._error(problem, pos, f"/policy/{name}", expected="a policy parameter of the rulebook "
                                  "and a whole number in its range (egov-rules rules params)",
                                  suggestion=closest(name, rulebook.parameter_specs))
            values[name] = value
        if values:
            rulebook = apply_parameters(rulebook, values)
        rules = list(rulebook.rules)
        if self.include is not None:
            rules = [r for r in rules if any(fnmatch.fnmatchcase(r.id, p) for p, _ in self.include)]
        rules = [r for r in rules if not any(fnmatch.fnmatchcase(r.id, p) for p, _ in self.exclude)]
        if not rules:
            raise self._error("include and exclude leave no rule to run", self.include_position, "/include",
                              expected="patterns that select at least one rule")
        out = []
        for r in rules:
            # the last matching entry wins, so a specific id listed after a glob overrides it
            chosen = [sev for p, sev, _ in self.severity if fnmatch.fnmatchcase(r.id, p)]
            if chosen and chosen[-1] != r.spec.severity:
                r = dataclasses.replace(r, spec=r.spec.replace(severity=chosen[-1]))
            out.append(r)
        return dataclasses.replace(rulebook, rules=out)

    @property
    def empty(self) -> bool:
        return self.include is None and not self.exclude and not self.severity and not self.parameters


@dataclass
class Config:
    """A configuration file, validated, with the document it was read from (for positions)."""
    path: str
    model: ConfigModel
    doc: Document | None = field(default=None, repr=False)

    @property
    def directory(self) -> str:
        return os.path.dirname(self.path) or "."

    def _pos(self, pointer: str) -> tuple[int, int]:
        return self.doc.locate(pointer) if self.doc else (1, 1)

    def _key_pos(self, pointer: str) -> tuple[int, int]:
        return self.doc.locate_key(pointer) if self.doc else (1, 1)

    def _path(self, value: str, pointer: str, kind: str) -> str:
        """A path from the file, relative to the file's directory; it must exist."""
        resolved = os.path.normpath(os.path.join(self.directory, os.path.expanduser(value)))
        ok = os.path.isdir(resolved) if kind == "directory" else os.path.isfile(resolved)
        if not ok:
            line, col = self._pos(pointer)
            raise ConfigError(f"{kind} not found: {resolved}", file=self.path, line=line, column=col,
                              field=pointer, expected=f"an existing {kind} (relative to the configuration file)")
        return resolved

    def rules_dirs(self) -> tuple[str, ...]:
        if isinstance(self.doc.data.get("rules") if self.doc else None, str):
            return (self._path(self.model.rules[0], "/rules", "directory"),)
        return tuple(self._path(r, f"/rules/{i}", "directory") for i, r in enumerate(self.model.rules))

    def overrides(self, supported: Collection[str] | None = None) -> dict[str, Any]:
        """Values for command-line parameters (by their Python names) that the file sets.

        A key whose option the command lacks (``supported``: its parameter names) is an error rather
        than silently ignored.
        """
        m = self.model
        out: dict[str, Any] = {}
        if m.rules:
            out["rules_dirs"] = self.rules_dirs()
        for name, value in (("fail_on", m.fail_on), ("fmt", m.format), ("lang", m.lang)):
            if value is not None:
                out[name] = value
        if m.waivers is not None:
            out["waivers_file"] = self._path(m.waivers, "/waivers", "file")
        if m.registry is not None:
            out["registry_dir"] = self._path(m.registry, "/registry", "directory")
        if m.limits is not None:
            out.update({k: v for k, v in m.limits.model_dump().items() if v is not None})
        for name in out:
            if supported is not None and name not in supported:
                key = PARAM_KEYS.get(name, "limits")
                line, col = self.position(key)
                raise ConfigError(f"'{key}' is not an option of this command", file=self.path, line=line,
                                  column=col, field=f"/{key}", expected="only options the command has")
        return out

    def position(self, key: str) -> tuple[int, int]:
        return self._key_pos(f"/{key}")

    def selection(self) -> RuleSelection:
        m = self.model
        include = None
        if m.include is not None:
            include = tuple((p, self._pos(f"/include/{i}")) for i, p in enumerate(m.include))
        return RuleSelection(
            source=self.path,
            include=include,
            exclude=tuple((p, self._pos(f"/exclude/{i}")) for i, p in enumerate(m.exclude)),
            severity=tuple((p, s, self._key_pos(f"/severity/{_escape(p)}")) for p, s in m.severity.items()),
            include_position=self._key_pos("/include"),
            parameters=tuple((name, value, self._pos(f"/policy/{_escape(name)}"))
                             for name, value in m.policy.items()),
        )


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ``.egov-rules.yaml`` in ``start`` (default: the working directory) or a parent."""
    here = Path(start or os.getcwd()).absolute()
    for directory in (here, *here.parents):  # parents ends at the filesystem root
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _blank(path: str) -> bool:
    """Only comments and blank lines: an empty configuration, not an error."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return all(not line.strip() or line.lstrip().startswith("#") for line in fh)
    except OSError:
        return False


def load_config(path: str | os.PathLike[str]) -> Config:
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise ConfigError("configuration file not found", file=source, expected="a readable YAML file")
    from .config_model import ConfigModel, validate_config  # pydantic: only when there is a file to check

    if _blank(source):
        return Config(source, ConfigModel.model_validate({}))
    try:
        doc = load_document(source)
    except EgovError as exc:
        if exc.message == "empty document":  # a BOM, '---' or blanks only: as empty as a 0-byte file
            return Config(source, ConfigModel.model_validate({}))
        expected = exc.expected
        if "top level" in exc.message:
            expected = "a mapping of configuration keys such as 'fail-on: warning'"
        raise ConfigError(exc.message.replace(" of entity lists", ""), file=exc.file, line=exc.line,
                          column=exc.column, field=exc.field, expected=expected) from None
    return Config(source, validate_config(doc), doc)


def resolve_config(config_file: str | None, no_config: bool, cwd: str | None = None) -> Config | None:
    """``--config FILE``, else (unless ``--no-config``) the nearest file upwards, else None."""
    if config_file:
        return load_config(config_file)
    if no_config:
        return None
    found = find_config(cwd)
    return load_config(found) if found else None


def parse_policy_options(values: tuple[str, ...]) -> tuple[tuple[str, Any, tuple[int, int]], ...]:
    """``--policy NAME=N`` options as selection parameters (checked against the rulebook when applied)."""
    out = []
    for text in values:
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--policy {text!r} is not NAME=VALUE", file="--policy",
                              expected="NAME=VALUE, e.g. art31_answer_days=15")
        raw = raw.strip()
        # ASCII digits only: int() would also take '１５', '٣' or '1_000', which no configuration file could say
        value: Any = int(raw) if re.fullmatch(r"[+-]?[0-9]+", raw) else raw
        out.append((name.strip(), value, (0, 0)))  # (0, 0): given on the command line
    return tuple(out)


def __getattr__(name: str) -> Any:
    # the models keep their old home for callers: ``from egov_rules.config import ConfigModel``
    if name in ("ConfigModel", "LimitsModel"):
        from . import config_model

        return getattr(config_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
