"""The service's commands given a database they cannot use: a clear exit 2 naming --db and what was expected,
never "internal error ... a bug in egov-rules" (exit 70), and never the database password."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_support import cli, free_port

SECRET = "S3cretDbPassw0rd"


def bad_urls(tmp: Path) -> dict[str, tuple[str, str]]:
    """name -> (URL, what the message says)."""
    not_a_database = tmp / "notes.sqlite3"
    not_a_database.write_text("these are not the tables you are looking for\n" * 100)
    blocked = tmp / "file"
    blocked.write_text("x")
    return {
        "nobody listening": (f"postgresql://egov:{SECRET}@127.0.0.1:{free_port()}/egov",
                             "cannot connect to the database: connection failed"),
        "port not a number": (f"postgresql://egov:{SECRET}@localhost:port/egov", "not a database URL"),
        "not a URL at all": (f"egov {SECRET} somewhere", "not a database URL"),
        "a file that is no database": (f"sqlite:///{not_a_database}", "file is not a database"),
        "a directory it cannot make": (f"sqlite:///{blocked}/sub/db.sqlite3", "cannot make the database's directory"),
    }


@pytest.mark.parametrize("command", [["db", "status"], ["db", "upgrade"], ["users", "list"],
                                     ["serve", "--port", "0"]])
def test_a_database_the_service_cannot_use_is_a_clear_exit_2(tmp_path: Path, command: list[str]) -> None:
    for name, (url, said) in bad_urls(tmp_path).items():
        done = cli(*command, "--db", url, "--data-dir", str(tmp_path / "data"))
        out = done.stdout + done.stderr
        assert done.returncode == 2, (name, out)
        assert said in out and "field '--db'" in out, (name, out)
        assert "internal error" not in out and "Traceback" not in out, (name, out)
        assert SECRET not in out, (name, out)


@pytest.mark.parametrize(("units", "said"), [
    ("", "field '--units': a reviewer needs a scope: --units UNIT[,UNIT...] or --all-units"),
    (" , ", "field '--units': a reviewer needs a scope"),
    ("unit.a;unit.b", "field '--units': 'unit.a;unit.b' is not a unit id; expected unit ids as submissions give them"),
])
def test_a_scope_that_could_show_nothing_is_refused(tmp_path: Path, units: str, said: str) -> None:
    """``--units "$UNITS"`` with the variable unset, or units joined by the wrong separator, made an account that
    silently sees no review at all."""
    where = ["--data-dir", str(tmp_path)]
    assert cli("db", "upgrade", *where).returncode == 0
    done = cli("users", "add", "wang", "--role", "reviewer", "--units", units, *where, stdin=SECRET + "\n")
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert "wang" not in cli("users", "list", *where).stdout
