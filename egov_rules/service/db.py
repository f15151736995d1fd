"""The database: one engine per URL, SQLite made durable and patient, the schema kept by migrations.

SQLite runs in WAL mode (readers never block the writer) with ``synchronous=FULL``: in WAL mode ``NORMAL``
may lose the last commits on a power failure, and the service promises that every acknowledged review is
kept, so each commit waits for its fsync.  Writers queue behind each other for up to ``BUSY_TIMEOUT_MS``
instead of failing, and write transactions start with ``BEGIN IMMEDIATE`` so two writers never both read
first and then fight over the lock (which SQLite resolves by failing one of them at once).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, InterfaceError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


E_URL = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST[:PORT]/DB"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        parsed.get_backend_name()
    except (ArgumentError, ValueError):  # never quoted: the text may hold a password
        raise ConfigError("not a database URL", field="--db", expected=E_URL) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot make the database's directory {folder}: {exc.strerror or exc}",
                                  field="--db", expected="a directory this user may create and write") from None
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               pool_size=16, max_overflow=16)
        _make_sqlite_durable(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=16, max_overflow=16, pool_pre_ping=True)
    raise ConfigError(f"unsupported database '{parsed.get_backend_name()}'",
                      expected="sqlite:///PATH or postgresql://USER@HOST/DB")


def _make_sqlite_durable(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below), pysqlite must not
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An engine and its sessions.  ``read()`` for queries, ``write()`` for a transaction that changes data:
    it commits before returning, so whatever the caller then acknowledges is on disk."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext())

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        # SQLite has one writer at a time; queueing the server's own writers here, rather than in SQLite's busy
        # handler (which sleeps in growing steps), keeps the tail latency of saves low.  Other processes
        # (the CLI's users/tokens commands) still wait in the busy handler.
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_immediate=True)
            with Session(bind=conn, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    def dispose(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------------------------------- migrations
def _alembic_config(conn: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The schema's revision; every command asks this first, so a database it cannot reach is said here."""
    from alembic.runtime.migration import MigrationContext

    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (DatabaseError, InterfaceError) as exc:  # (OperationalError is one)
        raise unreachable(db, exc) from None


def unreachable(db: Database, exc: Exception) -> ConfigError:
    """A database that refuses the connection (down, wrong host, port or password, a file it cannot open): the
    setting to fix, with the driver's first line and the URL as printed (the password hidden, also in the line)."""
    url = make_url(db.url)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return ConfigError(f"cannot connect to the database: {reason}", file=url.render_as_string(hide_password=True),
                       field="--db", expected="a database that is running and accepts this URL's user "
                                              "(EGOV_RULES_DB or --db)")


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def upgrade(db: Database, target: str = "head") -> tuple[str | None, str]:
    """Run every pending migration (up to ``target``); returns (revision before, revision after)."""
    from alembic import command

    before = current_revision(db)
    if before is not None and before not in known_revisions():
        raise ConfigError(f"the database is at schema revision {before}, newer than this egov-rules knows",
                          expected="the egov-rules version that wrote it, or a newer one")
    with db.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), target)
    return before, current_revision(db) or ""


def schema_status(db: Database) -> str:
    """'current', 'empty', 'behind' or 'ahead'."""
    rev = current_revision(db)
    if rev is None:
        return "empty"
    if rev == head_revision():
        return "current"
    return "behind" if rev in known_revisions() else "ahead"


def sqlite_integrity(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text("PRAGMA integrity_check")).scalar())
