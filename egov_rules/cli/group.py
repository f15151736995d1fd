"""The command group's start-up: each command's module imported only when that command runs, and no cyclic
collector until a command starts.

Most of a one-file check is start-up (issue 15 pt 3): `check` does not pay for the other commands' modules
(the rulebook commands, explain, template's tempfile and shutil, the service's), and the collector does not
walk the start-up's long-lived objects again and again.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import click


def started() -> None:
    """The end of a command's start-up.  ``main`` turns the cyclic collector off while modules are imported
    and the rulebook is loaded: some 10^5 objects that live as long as the process and almost no garbage,
    which it would walk again and again (a tenth of a one-file check).  From here it runs as usual, and
    never again over what start-up made (frozen)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def checking(fn: Callable[..., int | None]) -> Callable[..., int | None]:
    """Marks a command whose start-up ends when its checker is built: it calls ``started`` itself."""
    fn.calls_started = True  # type: ignore[attr-defined]
    return fn


# Every command: the module that defines it, imported only when the command runs (click's lazy-loading
# pattern), and its help's first sentence, so that --help lists every command without importing any.
# tests/test_cli_lazy.py holds each entry to the command it names (module, name and help).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "articles": ("egov_rules.cli.rulebook_cmds:articles",
                 "All 47 articles: the rules that encode each, or why it is not machine-checkable."),
    "check": ("egov_rules.cli.check:check",
              "Check submissions (files, directories or - for stdin) and print the findings."),
    "db": ("egov_rules.service.commands:db", "The service's database: schema migrations."),
    "explain": ("egov_rules.cli.inspect_cmds:explain",
                "Why a rule fired or did not: each binding, the conditions with the values they saw, the null "
                "facts."),
    "gate": ("egov_rules.cli.check:gate",
             "The Art 44 decision for each project of the submissions (files, directories or - for stdin) at a "
             "stage: 0 allowed (or a unit review, with no project to decide on), 1 blocked, 3 needs a reviewer."),
    "rules": ("egov_rules.cli.rulebook_cmds:rules", "The rulebook: list, show, test, lint."),
    "schema": ("egov_rules.cli.rulebook_cmds:schema", "Print JSON Schemas."),
    "serve": ("egov_rules.service.commands:serve",
              "Start the review service (HTTP API; see docs/service.md for TLS and backups)."),
    "template": ("egov_rules.input.template_command:template",
                 "Write a starting submission: commented YAML, or an xlsx workbook to fill in (see docs/workbook.md)."),
    "tokens": ("egov_rules.service.commands:tokens", "API tokens for machine clients (stored hashed; shown once)."),
    "users": ("egov_rules.service.commands:users", "Accounts of the review service."),
    "validate": ("egov_rules.cli.inspect_cmds:validate", "Check a submission against the schema only (no rules)."),
}


ARGV = "egov_rules.argv"  # the command line as typed, kept in the context for the language of a usage error


class Group(click.Group):
    """Usage errors exit 2 with click's message (no traceback), in Chinese when the command line asks for
    Chinese (``usage_zh``); click raises them while parsing the group's arguments or, for a command,
    inside ``invoke``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV] = tuple(args)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _in_language(exc, ctx) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _in_language(exc, ctx) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LAZY_COMMANDS:
            import importlib

            module, _, attr = LAZY_COMMANDS[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attr)
            self.add_command(command, cmd_name)  # once: the next lookup finds it without the table
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, but the short help from the table: --help imports no command module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
            else:
                # shortened by click's own rule, as for a loaded command
                rows.append((name, click.Command(name, help=LAZY_COMMANDS[name][1]).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        if args and args[0] not in self.commands and args[0] not in LAZY_COMMANDS:
            for name in LAZY_COMMANDS:  # an unknown name: click suggests the closest among every command
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


def _in_language(exc: click.UsageError, ctx: click.Context) -> click.UsageError:
    from .usage_zh import in_language  # only when there is an error to show

    return in_language(exc, ctx.meta.get(ARGV, ()))
