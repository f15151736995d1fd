"""The command line as a package of lazily loaded command modules (issue 15, point 3).

The group knows every command by name, module and short help (``cli.group.LAZY_COMMANDS``): --help lists
them all without importing any command's module, and a command's module is imported only when it runs.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from egov_rules.cli import app
from egov_rules.cli.group import LAZY_COMMANDS

ROOT = Path(__file__).resolve().parents[1]
COMMAND_MODULES = sorted({target.partition(":")[0] for target, _ in LAZY_COMMANDS.values()})

# the command line in a fresh interpreter; the modules it imported are printed on stderr after a marker
PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from egov_rules.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("\\n@@modules " + json.dumps({{"code": code, "modules": sorted(sys.modules)}}), file=sys.stderr)
"""


def probe(argv: list[str]) -> tuple[int, str, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), argv=argv)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    _, _, tail = proc.stderr.rpartition("@@modules ")
    assert tail, proc.stderr
    result = json.loads(tail)
    return result["code"], proc.stdout, set(result["modules"])


def command_rows(help_text: str) -> dict[str, str]:
    """The Commands section of --help: name -> short help."""
    section = help_text.split("Commands:\n", 1)[1]
    return dict(line.strip().split(None, 1) for line in section.splitlines() if line.strip())


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_each_entry_names_an_importable_command_of_that_name_and_help(name: str) -> None:
    target, short_help = LAZY_COMMANDS[name]
    module, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    assert command.name == name
    # the table's text is the command's own first paragraph, so --help says what `NAME --help` says
    first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert " ".join(first_paragraph.split()) == short_help
    assert app.get_command(click.Context(app), name) is command


def test_help_lists_every_command_without_importing_one() -> None:
    code, out, modules = probe(["--help"])
    assert code == 0
    rows = command_rows(out)
    assert sorted(rows) == sorted(LAZY_COMMANDS)
    assert rows["check"].startswith("Check submissions (files, directories")
    assert rows["users"] == "Accounts of the review service."
    assert sorted(m for m in modules if m in COMMAND_MODULES) == []


def test_help_shows_what_the_loaded_commands_would_show() -> None:
    """The lazy listing is the one click makes from the commands themselves (same shortening)."""
    lazy = CliRunner().invoke(app, ["--help"]).output
    eager = click.Group("egov-rules", context_settings=app.context_settings,
                        commands={name: app.get_command(click.Context(app), name) for name in LAZY_COMMANDS})
    assert command_rows(CliRunner().invoke(eager, ["--help"]).output) == command_rows(lazy)


def test_a_command_imports_its_own_module_only() -> None:
    code, out, modules = probe(["rules", "params"])
    assert code == 0 and "art31_answer_days" in out
    assert "egov_rules.cli.rulebook_cmds" in modules
    others = [m for m in COMMAND_MODULES if m != "egov_rules.cli.rulebook_cmds"]
    assert sorted(m for m in modules if m in others) == []


def test_an_unknown_command_still_gets_the_closest_names() -> None:
    result = CliRunner().invoke(app, ["tempalte"])
    assert result.exit_code == 2
    assert "No such command 'tempalte'" in result.output and "'template'" in result.output


@pytest.mark.parametrize("argv", [[sys.executable, "-m", "egov_rules", "--help"],
                                  [sys.executable, str(ROOT / "cli.py"), "--help"]])
def test_the_module_and_the_checkout_script_run_the_same_group(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert sorted(command_rows(proc.stdout)) == sorted(LAZY_COMMANDS)
