"""Test support for the review service: a real server process (``egov-rules serve``) on a free loopback
port over a temporary SQLite file or a real PostgreSQL server started here, and accounts made for it."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], input=stdin, capture_output=True,
                          text=True, timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@dataclass
class Server:
    """``egov-rules serve`` as a child process; ``url`` answers once ``start`` returns."""

    db_url: str | None  # None: the default, SQLite in the data directory
    data_dir: Path
    extra: list[str] = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None  # default: the data directory

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = free_port()
        self.log = (self.log_dir or self.data_dir) / f"server-{self.port}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "cli.py"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 *(["--db", self.db_url] if self.db_url else []), "--data-dir", str(self.data_dir), *self.extra],
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited:\n" + self.log.read_text("utf-8", "replace"))
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz:\n" + self.log.read_text("utf-8", "replace"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def client(self, who: str | None = None, **kw: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kw)  # type: ignore[arg-type]

    def logs(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log else ""


def add_users(db_url: str, users: dict[str, tuple[str, list[str] | None]]) -> dict[str, str]:
    """Accounts straight through the library (fast); the CLI commands have their own tests.  -> name: token"""
    from egov_rules.service.auth import add_account, create_token
    from egov_rules.service.db import Database

    db = Database(db_url)
    tokens = {}
    try:
        with db.write() as session:
            for name, (role, units) in users.items():
                add_account(session, name, role, PASSWORD, units)
                tokens[name] = create_token(session, name, "tests")[1]
    finally:
        db.dispose()
    return tokens


def upgrade(db_url: str) -> None:
    from egov_rules.service.db import Database
    from egov_rules.service.db import upgrade as run

    db = Database(db_url)
    try:
        run(db)
    finally:
        db.dispose()


# ------------------------------------------------------------------------------------------- PostgreSQL
def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster in a temporary directory, run as the ``postgres`` user when root."""

    bin: Path
    directory: Path
    port: int

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:  # the server refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[Postgres]:
        binaries = postgres_bin()
        assert binaries is not None
        directory = Path(tempfile.mkdtemp(prefix="egov-pg-"))
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        pg = cls(binaries, directory, free_port())
        data = directory / "data"
        pg._run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        pg._run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "-o",
                f"-p {pg.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=on", "start")
        try:
            yield pg
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                pg._run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
            shutil.rmtree(directory, ignore_errors=True)

    def new_database(self) -> str:
        import psycopg

        name = "egov_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def postgres_skip_reason() -> str | None:
    if postgres_bin() is None:
        return "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb); .ci/run installs it"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


# ------------------------------------------------------------------------------------------- fixtures
USERS: dict[str, tuple[str, list[str] | None]] = {
    "admin": ("admin", None),
    "boss": ("supervisor", None),
    "rev_all": ("reviewer", None),
    "rev_qz": ("reviewer", ["unit.qz.wjw"]),
    "fin_qz": ("finance", ["unit.qz.wjw"]),
    "fin_other": ("finance", ["unit.nowhere"]),
}


def make_postgres_fixture() -> object:
    import pytest

    @pytest.fixture(scope="session")
    def postgres() -> Iterator[Postgres]:
        reason = postgres_skip_reason()
        if reason:
            pytest.skip(reason)
        with Postgres.running() as pg:
            yield pg

    return postgres


def database_url(backend: str, tmp: Path, request: object) -> str:
    """A fresh database of the backend, its schema made by the migrations."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'service.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").new_database()  # type: ignore[attr-defined]
    upgrade(url)
    return url
