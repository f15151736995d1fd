"""What every command shares: the error edge (``guarded``), signals, options, the configuration, output.

Typed errors (``EgovError``) become one clean message and exit code 2; anything else is a bug and exits
70 saying so — never 0, 1, 2 or 3.  Exit codes are computed from the report; commands only exit.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import EXIT_INTERNAL, EXIT_OK, EgovError, Interrupted, UsageError, Wording, safe_text
from ..input.load import Limits
from .group import started

REPORT_BUGS = "please report it with the command and input at the egov-rules issue tracker"


# ------------------------------------------------------------------------------------ error edge
def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _quiet_broken_pipe() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not complain about the pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# the exit code a command has decided before writing its report (kept when the reader closes the pipe)
code_so_far: dict[str, int] = {}


def guarded(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command: its return value is the exit code; errors become clean messages."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        lang = "zh" if kwargs.get("lang") == "zh" else "en"
        if not getattr(fn, "calls_started", False):
            started()
        try:
            code = fn(*args, **kwargs)
        except EgovError as exc:
            _fail(exc.render(lang), exc.exit_code)
        except Interrupted as exc:
            _fail(_interrupted_message(exc.signum), exc.exit_code)
        except BrokenPipeError:  # `| head` closed the pipe: the reader has what it wanted
            _quiet_broken_pipe()
            sys.exit(code_so_far.get("code", EXIT_OK))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except SystemExit:
            raise
        except click.exceptions.ClickException:
            raise
        except Exception as exc:  # a bug: say so, never look like a result
            _fail(f"egov-rules: internal error: {type(exc).__name__}: {safe_text(exc)}\n"
                  f"This is a bug in egov-rules, not in your input; {REPORT_BUGS}.", EXIT_INTERNAL)
        sys.exit(code or EXIT_OK)

    return wrapper


def _interrupted_message(signum: int) -> str:
    import signal

    name = signal.Signals(signum).name
    return f"egov-rules: interrupted by {name} (an --output file is replaced only by a complete run)"


def _on_signal(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


def _install_signal_handlers() -> None:
    """SIGINT and SIGTERM unwind like an exception: temporary files are removed, workers stopped, and the
    exit code is 128 + the signal (130, 143), as a shell reports for a process killed by it."""
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _on_signal)


# ------------------------------------------------------------------------------------ options
LIMIT_HELP = {
    "max_bytes": "limit: size of one input file in bytes",
    "max_depth": "limit: nesting depth of mappings and lists",
    "max_nodes": "limit: YAML/JSON nodes in one document",
    "max_entities": "limit: entities across the top-level lists",
    "max_aliases": "limit: YAML alias uses (the format forbids aliases: 0)",
    "max_seconds": "limit: seconds to load and check one submission",
}


class _Seconds(click.FloatRange):
    """A time limit: more than 0 and finite (``nan`` passes click's own range test and would mean no limit)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not in the range {self._describe_range()}.", param, ctx)
        return number


def limit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    defaults = Limits()
    for name, option in reversed(list(Limits.OPTIONS.items())):
        # as the configuration file's limits: a count of at least 1 (aliases: 0 forbids them), seconds above 0
        kind: click.ParamType = (_Seconds(min=0, min_open=True) if name == "max_seconds"
                                 else click.IntRange(min=0 if name == "max_aliases" else 1))
        fn = click.option(option, name, type=kind, default=getattr(defaults, name), show_default=True,
                          help=LIMIT_HELP[name])(fn)
    return fn


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    from ..reports import FORMATS

    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="output format (default: table, also when piped; or the format --output's suffix names)"),
        click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                     help="write the report to FILE (atomically) instead of stdout"),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True),
        click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
                     help="extra rulebook directory (repeatable)"),
        click.option("--only-rules", is_flag=True, help="use only the --rules directories, not the built-in rulebook"),
        click.option("--engine", type=click.Choice(["native", "reference", "durable"]), default="native",
                     show_default=True, help="native: generated code; reference: the closures it is tested "
                     "against; durable: durable_rules"),
        click.option("--fail-on", type=click.Choice(["violation", "warning", "insufficient", "decision",
                                                     "needs-review"]), default="violation", show_default=True,
                     help="exit 1 on findings of this severity or worse; 'decision': when an Art 44 decision blocks, "
                          "'needs-review': also when one needs a reviewer"),
        click.option("--include-context", is_flag=True,
                     help="let findings about entities the submission does not review count toward the exit code"),
        click.option("--registry", "registry_dir", type=click.Path(), default=None,
                     help="directory of trusted registry facts; they take precedence (docs/registry.md)"),
        click.option("--waivers", "waivers_file", type=click.Path(), default=None,
                     help="YAML file of approved waivers (rule, entity, justification, approval, expiry)"),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
                     help="configuration file (default: the nearest .egov-rules.yaml from here upwards)"),
        click.option("--no-config", is_flag=True, help="ignore .egov-rules.yaml files"),
        click.option("--width", type=click.IntRange(40, 1000), default=None,
                     help="width of the table format in columns (default: the terminal's, else 100)"),
        click.option("--policy", "policy", multiple=True, metavar="NAME=VALUE",
                     help="set a policy parameter of the rulebook, e.g. art31_answer_days=15 (egov-rules rules "
                          "params lists them; repeatable; wins over the configuration file's policy:)"),
    ]
    fn = with_config(fn)
    for option in reversed(options):
        fn = option(fn)
    return limit_options(fn)


def with_config(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Fill the options left at their defaults from the configuration file: the command line wins."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..config import resolve_config

        ctx = click.get_current_context()
        try:
            config = resolve_config(kwargs.pop("config_file"), kwargs.pop("no_config"))
            for name, value in (config.overrides(kwargs) if config else {}).items():
                if ctx.get_parameter_source(name) in (None, click.core.ParameterSource.DEFAULT):
                    kwargs[name] = value
        except EgovError as exc:  # outside `guarded`: report it the same way, in the language asked for
            _fail(exc.render("zh" if kwargs.get("lang") == "zh" else "en"), exc.exit_code)
        return fn(*args, config=config, **kwargs)

    return wrapper


def _limits(kw: dict[str, Any]) -> Limits:
    return Limits(**{name: kw.pop(name) for name in Limits.OPTIONS})


OUTPUT_SUFFIX_FORMATS = {".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown",
                         ".html": "html", ".htm": "html"}


def _default_format(fmt: str | None, output: str | None) -> str:
    """The table unless --format says otherwise (or --output's suffix names a format): never by isatty."""
    if fmt:
        return fmt
    if output:
        return OUTPUT_SUFFIX_FORMATS.get(os.path.splitext(output)[1].lower(), "table")
    return "table"


def table_width(width: int | None) -> int:
    """The table's width (only the table has one: other formats leave shutil unimported)."""
    import shutil

    return width or shutil.get_terminal_size((100, 24)).columns


# Files of this name hold the expected findings of the submission beside them (the convention of the
# spec's examples/ and of fixtures/); a directory scan passes over them.
SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
EXPECTED_SUFFIXES = (".expected.yaml", ".expected.yml", ".expected.json")


def collect_paths(paths: Iterable[str]) -> list[str]:
    """Files as given; directories recursively (*.yaml, *.yml, *.json, *.xlsx, but not *.expected.*, nor hidden
    files), sorted; '-' for stdin."""
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(
                str(f) for f in path.rglob("*")
                if f.suffix in SUBMISSION_SUFFIXES and f.is_file() and not f.name.endswith(EXPECTED_SUFFIXES)
                and not f.name.startswith("~$")  # a spreadsheet program's lock file
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
            out.extend(found)
        else:
            out.append(p)
    return out


def emit(text: str, output: str | None, inputs: Iterable[str] = ()) -> None:
    if output is None:
        click.echo(text, nl=False)
        sys.stdout.flush()  # a closed pipe shows here, inside the command, not at interpreter exit
        return
    from ..output import write_atomic

    write_atomic(output, text, inputs=list(inputs))


def _checker_spec(kw: dict[str, Any]) -> Any:
    """How to build the Checker: picklable, so batch workers build the same one (registry and waivers
    are loaded in ``CheckerSpec.build``)."""
    from ..batch import CheckerSpec
    from ..config import RuleSelection, parse_policy_options

    config = kw.pop("config", None)
    selection = config.selection() if config else None
    policy = parse_policy_options(tuple(kw.pop("policy", ()) or ()))
    if policy:
        selection = (selection or RuleSelection(source="--policy")).with_parameters(policy)
    return CheckerSpec(tuple(kw.pop("rules_dirs")), include_default_rules=not kw.pop("only_rules"),
                       selection=selection, limits=_limits(kw),
                       registry_dir=kw.pop("registry_dir", None), waivers_file=kw.pop("waivers_file", None),
                       options={"engine": kw.pop("engine")})


STDIN_TWICE = Wording("standard input (-) is given more than once; it can be read only once",
                      "标准输入（-）给出了不止一次，但只能读取一次")
E_STDIN_ONCE = Wording("- at most once among the paths", "路径中最多出现一次“-”")


def _start_batch(kw: dict[str, Any], paths: tuple[str, ...]) -> tuple[Any, Any, list[str]]:
    """check and gate: the checker spec and its checker (bad options and rules fail first), then the files."""
    spec = _checker_spec(kw)
    checker = spec.build()
    started()
    files = collect_paths(paths)
    if not files:
        raise UsageError("no submission files found in " + ", ".join(paths))
    if files.count("-") > 1:  # the second read would find it empty: "empty document" for a file never given
        raise UsageError(STDIN_TWICE(), expected=E_STDIN_ONCE())
    return spec, checker, files


def _checker(kw: dict[str, Any]) -> Any:
    return _checker_spec(kw).build()
