"""`explain` and `validate`: one submission looked at closely (the rulebook's and the schema's commands are in
rulebook_cmds.py)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import EXIT_OK, EgovError
from .common import _checker, _default_format, _limits, emit, guarded, limit_options


@click.command()
@click.argument("path")
@click.option("--rule", "rule_id", required=True, help="the id of the rule to explain (egov-rules rules list)")
@click.option("--entity", default=None, help="only the bindings that involve the entity with this id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="output format (default: table, also when piped; or the format --output's suffix names)")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="write the explanation to FILE (atomically) instead of stdout")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
              help="extra rulebook directory (repeatable)")
@click.option("--only-rules", is_flag=True, help="use only the --rules directories, not the built-in rulebook")
@click.option("--registry", "registry_dir", type=click.Path(), default=None,
              help="directory of trusted registry facts; they take precedence (docs/registry.md)")
@limit_options
@guarded
def explain(path: str, rule_id: str, entity: str | None, fmt: str | None, output: str | None, lang: str,
            **kw: Any) -> int:
    """Why a rule fired or did not: each binding, the conditions with the values they saw, the null facts."""
    from ..explain import explain as run_explain
    from ..explain import render_json, render_table
    from ..input.load import load_bytes, load_document, read_at_most

    checker = _checker({**kw, "engine": "native"})
    if path == "-":
        data = read_at_most(sys.stdin.buffer, checker.limits.max_bytes + 1)
        doc = load_bytes(data, "<stdin>", limits=checker.limits)
    else:
        doc = load_document(path, limits=checker.limits)
    from ..deadline import time_limit

    with time_limit(checker.limits.max_seconds, doc.source):  # a rule without an indexed join stops here too
        ex = run_explain(checker, doc, rule_id, entity)
    fmt = _default_format(fmt, output)
    emit(render_json(ex, lang) if fmt == "json" else render_table(ex, lang), output, [path])
    return EXIT_OK


@click.command()
@click.argument("path")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="language of the error messages")
@limit_options
@guarded
def validate(path: str, lang: str, **kw: Any) -> int:
    """Check a submission against the schema only (no rules)."""
    from ..input.load import load_bytes, load_document, read_at_most
    from ..input.validate import validate_document

    limits = _limits(kw)
    if path == "-":
        doc = load_bytes(read_at_most(sys.stdin.buffer, limits.max_bytes + 1), "<stdin>", limits=limits)
    else:
        doc = load_document(path, limits=limits)
    try:
        validate_document(doc)
    except EgovError as exc:
        getattr(doc, "annotate_error", lambda _: None)(exc)  # a workbook's errors name sheet and cell
        raise
    click.echo(f"{doc.source}：格式有效" if lang == "zh" else f"{doc.source}: valid")
    return EXIT_OK
