"""The commands about the rulebook and the formats, imported only when named (``group.LAZY_COMMANDS``):
``rules list|show|compile|params|test|lint``, ``articles`` and ``schema submission``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import EXIT_INPUT, EXIT_OK, UsageError
from .common import guarded


@click.group()
def schema() -> None:
    """Print JSON Schemas."""


@schema.command("submission")
@guarded
def schema_submission() -> int:
    """The JSON Schema of the submission format (for editors and other tools)."""
    from ..input.validate import schema_json

    click.echo(json.dumps(schema_json(), ensure_ascii=False, indent=2))
    return EXIT_OK


@click.group()
def rules() -> None:
    """The rulebook: list, show, test, lint."""


def _rulebook_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--only-rules", is_flag=True, help="only the --rules directories")(fn)
    return click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
                        help="extra rulebook directory (repeatable)")(fn)


def _load_rulebook(rules_dirs: tuple[str, ...], only_rules: bool) -> Any:
    from ..rules.rulebook import load_rulebook

    return load_rulebook([Path(d) for d in rules_dirs], include_default=not only_rules)


@rules.command("list")
@_rulebook_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en")
@guarded
def rules_list(rules_dirs: tuple[str, ...], only_rules: bool, fmt: str, lang: str) -> int:
    """Every rule with its article, severity and Art 44 class."""
    from ..text.i18n import citation

    rb = _load_rulebook(rules_dirs, only_rules)
    rows = [
        {"id": r.id, "article": r.spec.article, "paragraph": r.spec.paragraph,
         "citation": citation(r.spec.article, r.spec.paragraph, None, lang), "severity": r.spec.severity,
         "art44": r.spec.sanctions.art44, "art46": [a.item for a in r.spec.sanctions.art46],
         "title": getattr(r.spec.title, lang), "file": r.file}
        for r in rb.rules
    ]
    if fmt == "json":
        click.echo(json.dumps({"rulebook": {"version": rb.version, "sha256": rb.sha256}, "rules": rows},
                              ensure_ascii=False, indent=2))
        return EXIT_OK
    width = max((len(r["id"]) for r in rows), default=10)
    if lang == "zh":  # every word in Chinese, columns padded by display width (an ideograph is two columns)
        from ..text.i18n import SEVERITY

        cited = max((_columns(r["citation"]) for r in rows), default=14)
        for r in rows:
            click.echo(f"{r['id']:<{width}}  {_pad(r['citation'], cited)} {_pad(SEVERITY[r['severity']][1], 18)} "
                       f"第四十四条：{_pad(CLASS_ZH.get(r['art44'], r['art44']), 10)} {r['title']}")
        click.echo(f"共 {len(rows)} 条规则，规则库版本 {rb.version}（{rb.sha256[:12]}）")
        return EXIT_OK
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['citation']:<14} {r['severity']:<9} 44:{r['art44']:<8} {r['title']}")
    click.echo(f"{len(rows)} rules, rulebook {rb.version} ({rb.sha256[:12]})")
    return EXIT_OK


CLASS_ZH = {"A": "A类", "B": "B类", "A-review": "A类待审核", "B-review": "B类待审核", "none": "无"}


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes: a wide character (an ideograph, full-width punctuation) takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - _columns(text), 0)


@rules.command("show")
@click.argument("rule_id")
@_rulebook_options
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en")
@guarded
def rules_show(rule_id: str, rules_dirs: tuple[str, ...], only_rules: bool, lang: str) -> int:
    """One rule with the summary of the article it encodes."""
    from ..errors import closest

    rb = _load_rulebook(rules_dirs, only_rules)
    rule = rb.get(rule_id)
    if rule is None:
        raise UsageError(f"no rule '{rule_id}'", suggestion=closest(rule_id, rb.ids()))
    from ..text.rule_text import rule_lines

    lines = rule_lines(rule, lang)
    click.echo("\n".join(lines))
    return EXIT_OK


@rules.command("compile")
@_rulebook_options
@click.option("--show", "show_ids", multiple=True, metavar="ID", help="print the generated Python of this rule")
@guarded
def rules_compile(rules_dirs: tuple[str, ...], only_rules: bool, show_ids: tuple[str, ...]) -> int:
    """Generate and compile the rulebook's Python (the default engine); --show ID prints a rule's source."""
    from ..engine.generated import GeneratedEngine
    from ..errors import closest

    rb = _load_rulebook(rules_dirs, only_rules)
    engine = GeneratedEngine(rb)
    for rule_id in show_ids:
        if rb.get(rule_id) is None:
            raise UsageError(f"no rule '{rule_id}'", suggestion=closest(rule_id, rb.ids()))
    for rule_id in show_ids:
        click.echo(engine.source_of(rule_id))
    if not show_ids:
        lines = len(engine.generated.source.splitlines())
        click.echo(f"{len(rb.rules)} rules compiled to {lines} lines of Python")
    return EXIT_OK


@rules.command("params")
@_rulebook_options
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en")
@guarded
def rules_params(rules_dirs: tuple[str, ...], only_rules: bool, lang: str) -> int:
    """Policy parameters (numbers the Measures do not fix) with their defaults; set them with --policy."""
    rb = _load_rulebook(rules_dirs, only_rules)
    for name, spec in sorted(rb.parameter_specs.items()):
        click.echo(f"{name} = {spec.default}  ({spec.minimum}..{spec.maximum})  {getattr(spec.description, lang)}")
    return EXIT_OK


@rules.command("test")
@_rulebook_options
@click.option("--rule", "rule_ids", multiple=True, help="only this rule (repeatable)")
@guarded
def rules_test(rules_dirs: tuple[str, ...], only_rules: bool, rule_ids: tuple[str, ...]) -> int:
    """Run every rule's own passing and failing examples."""
    from ..check import Checker
    from ..rules.examples import run_examples

    checker = Checker(list(rules_dirs), include_default_rules=not only_rules)
    results = run_examples(checker, list(rule_ids) or None)
    failed = [r for r in results if not r.ok]
    for r in failed:
        click.echo(f"FAIL {r.rule}: {r.name}: {r.detail}", err=True)
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


@rules.command("lint")
@_rulebook_options
@guarded
def rules_lint(rules_dirs: tuple[str, ...], only_rules: bool) -> int:
    """Static checks of the rule files (schema, names, types, citations, examples present)."""
    from ..rules.lint import lint_rulebook

    rb = _load_rulebook(rules_dirs, only_rules)
    problems = lint_rulebook(rb)
    for p in problems:
        click.echo(p.render(), err=True)
    click.echo(f"{len(rb.rules)} rules checked, {len(problems)} problems")
    return EXIT_INPUT if problems else EXIT_OK


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en")
@_rulebook_options
@guarded
def articles(fmt: str, lang: str, rules_dirs: tuple[str, ...], only_rules: bool) -> int:
    """All 47 articles: the rules that encode each, or why it is not machine-checkable."""
    from ..rules.articles import articles_report

    rb = _load_rulebook(rules_dirs, only_rules)
    data = articles_report(rb, lang)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    from ..text.rule_text import article_lines

    click.echo("\n".join(article_lines(data, lang)))
    return EXIT_OK
