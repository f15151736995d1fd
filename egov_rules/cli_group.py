"""The command group's start-up: commands imported by name, and no cyclic collector until a command starts.

Most of a one-file check is start-up (issue 15 pt 3): the commands that need heavy modules (``template``:
tempfile, shutil; the service's) are imported only when named, and the collector does not walk the
start-up's long-lived objects again and again.
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


# Commands defined in other modules, imported only when named (or listed by --help), so that `check` does
# not pay for them (the rulebook's and the schema's commands; tempfile and shutil for `template`; the
# service's commands).
LAZY_COMMANDS = {
    "rules": "egov_rules.cli_rules:rules",
    "articles": "egov_rules.cli_rules:articles",
    "schema": "egov_rules.cli_rules:schema",
    "template": "egov_rules.input.template_command:template",
    "serve": "egov_rules.service.commands:serve",
    "db": "egov_rules.service.commands:db",
    "users": "egov_rules.service.commands:users",
    "tokens": "egov_rules.service.commands:tokens",
}


ARGV = "egov_rules.argv"  # the command line as typed, kept in the context for the language of a usage error


class Group(click.Group):
    """Usage errors exit 2 with click's message (no traceback), in Chinese when the command line asks for
    Chinese (``cli_usage_zh``); click raises them while parsing the group's arguments or, for a command,
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

            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        if args and args[0] not in self.commands and args[0] not in LAZY_COMMANDS:
            for name in LAZY_COMMANDS:  # an unknown name: click suggests the closest among every command
                self.add_command(self.get_command(ctx, name), name)  # type: ignore[arg-type]
        return super().resolve_command(ctx, args)


def _in_language(exc: click.UsageError, ctx: click.Context) -> click.UsageError:
    from .cli_usage_zh import in_language  # only when there is an error to show

    return in_language(exc, ctx.meta.get(ARGV, ()))
