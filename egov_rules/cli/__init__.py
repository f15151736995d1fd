"""The command line (``egov-rules``): a thin layer over the library API.

Typed errors (``EgovError``) become one clean message and exit code 2; anything else is a bug and exits
70 saying so — never 0, 1, 2 or 3.  Exit codes are computed from the report; commands only exit.  Each
command lives in its own module (check, inspect_cmds, rulebook_cmds; template and the service's elsewhere),
imported by the group only when the command runs (``group.LAZY_COMMANDS``).
"""

from __future__ import annotations

import gc
import os

import click

from .. import __version__
from ..errors import Interrupted
from .common import _fail, _install_signal_handlers, _interrupted_message, collect_paths, guarded, limit_options
from .group import Group

__all__ = ["app", "collect_paths", "guarded", "limit_options", "main"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="egov-rules")
def app() -> None:
    """Check e-government submissions against Fujian's Decree No. 156 (电子政务建设和应用管理办法)."""


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    gc.disable()  # until the command has started (``started``)
    _install_signal_handlers()
    try:
        app.main(args=argv, prog_name="egov-rules")
    except Interrupted as exc:  # a signal before or after a command ran (option parsing, start-up)
        _fail(_interrupted_message(exc.signum), exc.exit_code)
