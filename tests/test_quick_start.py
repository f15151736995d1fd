"""The quick start (issue 15, point 3): a one-file `check --format json` imports only what it needs.

The check runs in a fresh interpreter (so nothing imported by the test process counts) with its own cache
directory: a first run fills the rulebook and labels caches, the second is the one a user waits for.  No
timing here (benchmarks/fastpath.py --only cli measures it); these tests pin which modules load.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from egov_rules.data_cache import load_yaml_cached
from egov_rules.rules import rule_data, rule_model
from egov_rules.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")

# imported by the CLI in one process, then the modules of interest are listed on stderr after a marker
PROBE = """
import gc, json, sys
sys.path.insert(0, {root!r})
from egov_rules.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("\\n@@modules " + json.dumps({{"code": code, "modules": sorted(sys.modules), "gc": gc.isenabled()}}),
      file=sys.stderr)
"""

# third-party packages that no JSON check needs (human formats, workbooks, the service, durable)
HEAVY_PACKAGES = {"rich", "jinja2", "markupsafe", "openpyxl", "fastapi", "starlette", "sqlalchemy", "alembic",
                  "uvicorn", "argon2", "durable", "httpx",
                  "pydantic", "pydantic_core"}  # a valid file passes the one-pass check (input/fast_facts.py)
# our modules that a JSON check from the cache does not need: parsing rule files and their pydantic
# models (the cache has their result), the submission models (the file is valid), the configuration
# file's models (no file here), other formats, commands and layers
UNNEEDED = {"egov_rules.rules.rule_model", "egov_rules.rules.rulebook_parse", "egov_rules.config_model",
            "egov_rules.rules.condition_parser", "egov_rules.rules.condition_types",
            "egov_rules.input.model", "egov_rules.input.model_fields", "egov_rules.input.model_projects",
            "egov_rules.input.model_data_services", "egov_rules.input.schema_nodes",
            "egov_rules.input.validate", "egov_rules.input.validate_words", "egov_rules.input.references",
            "egov_rules.input.fact_codegen",
            "egov_rules.decisions.baseline", "egov_rules.explain", "egov_rules.rules.lint", "egov_rules.rules.examples",
            "egov_rules.rules.articles", "egov_rules.text.rule_text", "egov_rules.output", "egov_rules.workers",
            "egov_rules.input.registry", "egov_rules.decisions.waivers", "egov_rules.engine.durable",
            "egov_rules.engine.emitter",  # the generated code is in the cache: nothing is generated again
            "egov_rules.input.template_command", "egov_rules.input.xlsx_reader", "egov_rules.service",
            "egov_rules.web", "egov_rules.interview",
            # the other commands' modules: the group imports a command's module only when it runs
            "egov_rules.cli.rulebook_cmds", "egov_rules.cli.inspect_cmds", "egov_rules.cli.usage_zh",
            *(f"egov_rules.reports.{fmt}" for fmt in ("table", "sarif", "junit", "github", "markdown", "html"))}


def probe(argv: list[str], cache: Path, cwd: Path, *, json_out: bool = True) -> tuple[int, Any, set[str]]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("EGOV_RULES_CACHE", None)
    proc = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), argv=argv)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)
    _, _, tail = proc.stderr.rpartition("@@modules ")
    assert tail, proc.stderr
    result = json.loads(tail)
    # main() keeps the cyclic collector off during start-up only: every command turns it back on (a long
    # batch or the service must collect its garbage)
    assert result["gc"] is True, argv
    return result["code"], json.loads(proc.stdout) if json_out else proc.stdout, set(result["modules"])


def loaded(modules: set[str], names: set[str]) -> list[str]:
    return sorted(m for m in modules if m in names or m.split(".")[0] in names
                  or any(m.startswith(n + ".") for n in names))


def test_a_json_check_from_the_cache_imports_only_what_it_needs(tmp_path: Path) -> None:
    argv = ["check", "--format", "json", OWN_DC]
    first_code, first, first_modules = probe(argv, tmp_path / "cache", tmp_path)  # fills the caches
    code, report, modules = probe(argv, tmp_path / "cache", tmp_path)
    # the command did its work, the same both times (so an early failure cannot pass this test)
    assert code == first_code == 1
    assert report == first
    findings = report["submissions"][0]["findings"]
    assert any(f["article"] == 17 and f["severity"] == "violation" for f in findings)
    assert "egov_rules.rules.rulebook_parse" in first_modules  # the probe sees what a cache miss imports
    assert loaded(modules, HEAVY_PACKAGES) == []
    assert loaded(modules, UNNEEDED) == []
    assert "egov_rules.reports.json" in modules


def test_another_format_loads_its_own_module_only(tmp_path: Path) -> None:
    """The other side of lazy formats: the chosen one loads (and only it)."""
    argv = ["check", "--format", "sarif", OWN_DC]
    probe(argv, tmp_path / "cache", tmp_path)
    code, report, modules = probe(argv, tmp_path / "cache", tmp_path)
    assert code == 1 and report["version"] == "2.1.0"
    assert "egov_rules.reports.sarif" in modules
    assert loaded(modules, {f"egov_rules.reports.{f}" for f in ("table", "html", "markdown", "junit")}) == []


def test_other_commands_run_and_turn_the_collector_back_on(tmp_path: Path) -> None:
    code, out, modules = probe(["rules", "params"], tmp_path / "cache", tmp_path, json_out=False)
    assert code == 0 and "art31_answer_days" in out
    gate = ["gate", "--format", "json", OWN_DC]
    probe(gate, tmp_path / "cache", tmp_path)  # the one-pass check's code cached too
    code, out, modules = probe(gate, tmp_path / "cache", tmp_path)
    assert code == 1 and out["submissions"][0]["decision"]["projects"]
    assert loaded(modules, HEAVY_PACKAGES) == []


def test_a_json_check_with_a_registry_needs_no_pydantic(tmp_path: Path) -> None:
    """``--registry``: the registry files and the submission both pass the one-pass check."""
    from test_registry_fast import registry_part, write_registry

    from egov_rules.input.load import load_document

    assert write_registry(registry_part(load_document(OWN_DC).data), tmp_path / "registry") is not None
    argv = ["check", "--format", "json", "--registry", str(tmp_path / "registry"), OWN_DC]
    probe(argv, tmp_path / "cache", tmp_path)
    code, report, modules = probe(argv, tmp_path / "cache", tmp_path)
    assert code == 1 and any(f["article"] == 17 for f in report["submissions"][0]["findings"])
    assert "egov_rules.input.registry" in modules
    assert loaded(modules, HEAVY_PACKAGES) == []
    assert loaded(modules, UNNEEDED - {"egov_rules.input.registry"}) == []


def _objects(value: Any, seen: set[int]) -> Any:
    """Every object reachable from a rulebook through records, dataclasses and containers."""
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, rule_data.Record):
        children: Any = value.values()
    elif hasattr(value, "__dataclass_fields__"):
        children = [getattr(value, name) for name in value.__dataclass_fields__]
    elif isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        children = value
    else:
        return
    for child in children:
        yield from _objects(child, seen)


def test_the_cached_rulebook_is_plain_data_equal_to_the_parsed_one(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    parsed = load_rulebook()  # a miss: parsed, then written
    cached = load_rulebook()  # a hit: unpickled
    assert cached is not parsed and cached.sha256 == parsed.sha256
    # a check reads the conditions and templates of a rule only when it fires, no rule's examples: packed
    rule = cached.rules[0]
    assert {"when", "require", "templates", "template_source"}.isdisjoint(vars(rule))
    assert "examples" not in vars(rule.spec)
    assert rule.templates == parsed.rules[0].templates and "templates" in vars(rule)
    untouched = load_rulebook()
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        untouched.rules[0].nonesuch  # noqa: B018  (a missing attribute stays an AttributeError)
    assert "_cold_blob" in vars(untouched.rules[0])
    again = pickle.loads(pickle.dumps(untouched.rules[-1]))  # pickled while still packed (a worker, a copy)
    assert again.require == parsed.rules[-1].require and again.templates == parsed.rules[-1].templates
    assert copy.copy(untouched.rules[1]).when == parsed.rules[1].when
    assert [r.spec for r in cached.rules] == [r.spec for r in parsed.rules]
    assert cached.parameter_specs == parsed.parameter_specs and cached.definitions == parsed.definitions
    assert [r.templates for r in cached.rules] == [r.templates for r in parsed.rules]
    assert [r.template_source for r in cached.rules] == [r.template_source for r in parsed.rules]
    for rulebook in (parsed, cached):
        models = [type(o).__name__ for o in _objects(rulebook, set()) if type(o).__module__.startswith("pydantic")
                  or type(o).__module__ == "egov_rules.rules.rule_model"]
        assert models == []


def test_every_checked_rule_field_is_kept_in_the_plain_records() -> None:
    """rule_data mirrors rule_model: the same classes with the same fields in the same order, so a field
    added to a model and forgotten in its record fails here rather than in a check."""
    models = {name: cls for name, cls in vars(rule_model).items()
              if isinstance(cls, type) and issubclass(cls, rule_model.BaseModel)
              and cls not in (rule_model.BaseModel, rule_model.Strict, rule_model.RuleFile)}
    records = {name for name, cls in vars(rule_data).items()
               if isinstance(cls, type) and issubclass(cls, rule_data.Record) and cls is not rule_data.Record}
    assert set(models) == records
    for name, model in models.items():
        assert getattr(rule_data, name).fields == tuple(model.model_fields), name


def test_plain_copies_every_value_and_records_are_frozen() -> None:
    raw = {"id": "art17-x", "article": 17, "title": {"en": "T", "zh": "标题"}, "message": {"en": "M", "zh": "信息"},
           "remediation": {"en": "R", "zh": "整改"}, "severity": "violation",
           "sanctions": {"art44": "B", "art46": [{"item": 1, "impact": "p.impact"}]},
           "for_each": {"p": "projects"}, "require": {"p.stage": {"eq": "planning"}}, "applies_from": "2016-01-01",
           "examples": [{"name": "a", "expect": "violation"}, {"name": "b", "expect": "pass", "base": "city"}]}
    spec = rule_model.RuleSpec.model_validate(raw)
    record = rule_model.plain(spec)
    assert isinstance(record, rule_data.RuleSpec) and isinstance(record.sanctions.art46[0], rule_data.Art46)
    assert record.sanctions.art46[0].impact == "p.impact" and record.examples[1].base == "city"
    assert record.applies_from.isoformat() == "2016-01-01" and record.question is None
    assert all(getattr(record, n) == getattr(spec, n) for n in ("id", "article", "for_each", "require", "also_cites"))
    with pytest.raises(AttributeError):
        record.severity = "warning"  # type: ignore[misc]
    warning = record.replace(severity="warning")
    assert warning.severity == "warning" and record.severity == "violation"
    assert warning != record and warning.replace(severity="violation") == record
    assert hash(record.title) == hash(rule_data.Text(en="T", zh="标题"))
    with pytest.raises(TypeError, match="missing"):
        rule_data.Text(en="only English")


def test_cached_yaml_is_the_parsed_yaml_and_a_broken_copy_is_only_a_miss(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = (ROOT / "egov_rules" / "data" / "labels.yaml").read_text("utf-8")
    import yaml

    expected = yaml.safe_load(text)
    assert load_yaml_cached(text, "labels") == expected  # a miss, written
    [copy] = (tmp_path / "egov-rules").glob("labels-*.marshal")
    assert load_yaml_cached(text, "labels") == expected  # a hit
    copy.write_bytes(b"\x00broken")
    assert load_yaml_cached(text, "labels") == expected  # a broken copy: parsed again
    edited = text.replace("en:", "en: ", 1)
    assert load_yaml_cached(edited, "labels") == yaml.safe_load(edited)
    assert len(list((tmp_path / "egov-rules").glob("labels-*.marshal"))) == 2  # keyed by the text
    assert load_yaml_cached("when: 2020-01-01\n", "dated") == {"when": yaml.safe_load("d: 2020-01-01")["d"]}



def test_every_dataclass_has_a_docstring() -> None:
    """Without one, ``dataclasses`` writes a docstring from ``inspect.signature`` at import: about a third of
    the cost of a frozen dataclass, and ~40 of them load on every check (docs/architecture.md, quick start)."""
    import ast

    missing = []
    for path in sorted((ROOT / "egov_rules").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.ClassDef) and ast.get_docstring(node) is None
                    and any("dataclass" in ast.unparse(d) for d in node.decorator_list)):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert missing == []
