"""The service's database and account commands: migrations match the models, SQLite is durable, `serve` upgrades
an older schema (or says how), `users add` reads the password from stdin and stores only an argon2 hash,
tokens are stored hashed, browser sessions open and close."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from service_support import PASSWORD, ROOT, Server, add_users, cli, upgrade

from egov_rules.service import auth
from egov_rules.service.db import Database, current_revision, head_revision, schema_status
from egov_rules.service.db import upgrade as run_upgrade


def sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'db.sqlite3'}"


def test_migrations_make_exactly_the_tables_of_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from egov_rules.service.models import Base

    db = Database(sqlite_url(tmp_path))
    assert schema_status(db) == "empty"
    assert run_upgrade(db) == (None, head_revision())
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert schema_status(db) == "current"
    db.dispose()


def test_sqlite_is_durable_and_waits_for_the_lock(tmp_path: Path) -> None:
    from sqlalchemy import text

    db = Database(sqlite_url(tmp_path))
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_users_add_reads_the_password_from_stdin_and_keeps_only_a_hash(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    where = ["--db", url, "--data-dir", str(tmp_path)]
    early = cli("users", "add", "ana", "--role", "reviewer", "--units", "unit.a", *where, stdin=PASSWORD + "\n")
    assert early.returncode == 2 and "egov-rules db upgrade" in early.stderr  # no schema yet: says how
    assert cli("db", "upgrade", *where).returncode == 0
    ok = cli("users", "add", "ana", "--role", "reviewer", "--units", "unit.a,unit.b", *where, stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "unit.a, unit.b" in ok.stdout and PASSWORD not in ok.stdout + ok.stderr
    for args, words in [
        (["users", "add", "bo", "--role", "reviewer"], "--units"),  # a scoped role needs its scope
        (["users", "add", "bo", "--role", "finance", "--units", "a", "--all-units"], "not both"),
        (["users", "add", "ana", "--role", "admin"], "already exists"),
        (["users", "add", "cy", "--role", "admin"], "at least 12"),
        (["users", "add", "cy", "--role", "king"], "king"),
    ]:
        bad = cli(*args, *where, stdin="short\n" if args[2] == "cy" else PASSWORD + "\n")
        assert bad.returncode == 2 and words in bad.stderr, (args, bad.stderr)
        assert "Traceback" not in bad.stderr
    db = Database(url)
    with db.read() as session:
        stored = auth.find_account(session, "ana").password_hash or ""
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        user = auth.verify_password(session, "ana", PASSWORD)
        assert user is not None and user.units == frozenset({"unit.a", "unit.b"}) and user.can_see_unit("unit.b")
        assert not user.can_see_unit("unit.c")
        assert auth.verify_password(session, "ana", PASSWORD + "x") is None
        assert auth.verify_password(session, "nobody", PASSWORD) is None
    db.dispose()
    listed = cli("users", "list", *where)
    assert "ana\treviewer\tunit.a, unit.b" in listed.stdout


def test_tokens_are_shown_once_and_stored_hashed(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    add_users(url, {"fin": ("finance", ["unit.a"])})
    made = cli("tokens", "create", "fin", "--label", "ERP", "--db", url, "--data-dir", str(tmp_path))
    token = made.stdout.strip()
    assert made.returncode == 0 and token.startswith("egr_") and len(token) > 40
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("db.sqlite3*"))
    assert token.encode() not in raw and hashlib.sha256(token.encode()).hexdigest().encode() in raw
    listed = cli("tokens", "list", "--db", url, "--data-dir", str(tmp_path)).stdout
    assert "ERP" in listed and token not in listed and token[:10] in listed
    assert cli("tokens", "create", "nobody", "--db", url, "--data-dir", str(tmp_path)).returncode == 2


def test_browser_sessions_open_and_close(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    add_users(url, {"ana": ("reviewer", ["unit.a"])})
    srv = Server(url, tmp_path).start()
    db = Database(url)
    try:
        with db.write() as session:
            user = auth.verify_password(session, "ana", PASSWORD)
            assert user is not None
            cookie = auth.create_session(session, user, hours=1)
            stale = auth.create_session(session, user, hours=-1)
        with httpx.Client(base_url=srv.url, cookies={auth.SESSION_COOKIE: cookie}) as c:
            assert c.get("/api/v1/me").json() == {"name": "ana", "role": "reviewer", "units": ["unit.a"]}
            body, yaml_type = b"submission: {id: x}\n", {"Content-Type": "application/yaml"}
            evil = c.post("/api/v1/checks", content=body, headers={**yaml_type, "Origin": "https://evil.example"})
            assert evil.status_code == 403  # a cross-site form or fetch riding on the session cookie
            same = c.post("/api/v1/checks", content=body, headers={**yaml_type, "Origin": srv.url})
            assert same.status_code == 422  # let in: the body is checked (and is not a valid submission)
            with db.write() as session:
                auth.destroy_session(session, cookie)
            assert c.get("/api/v1/me").status_code == 401
        with httpx.Client(base_url=srv.url, cookies={auth.SESSION_COOKIE: stale}) as c:
            assert c.get("/api/v1/me").status_code == 401
    finally:
        db.dispose()
        srv.stop()


def test_serve_upgrades_an_older_database_or_says_how(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    db = Database(url)
    run_upgrade(db, "0001")  # a database written by the first release
    db.dispose()
    refused = subprocess.run([sys.executable, str(ROOT / "cli.py"), "serve", "--db", url, "--data-dir", str(tmp_path),
                              "--no-upgrade", "--port", "0"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "older schema" in refused.stderr and "egov-rules db upgrade" in refused.stderr
    status = cli("db", "status", "--db", url, "--data-dir", str(tmp_path))
    assert status.returncode == 1 and "behind" in status.stdout
    srv = Server(url, tmp_path).start()
    try:
        assert f"schema 0001 -> {head_revision()}" in srv.logs()
    finally:
        srv.stop()
    db = Database(url)
    assert current_revision(db) == head_revision()
    db.dispose()


def test_serve_uses_sqlite_in_the_data_directory_and_prints_it(tmp_path: Path) -> None:
    srv = Server(None, tmp_path / "data", log_dir=tmp_path).start()
    try:
        assert f"database sqlite:///{tmp_path / 'data' / 'egov-rules.sqlite3'}" in srv.logs()
        assert (tmp_path / "data" / "egov-rules.sqlite3").is_file()
        assert oct((tmp_path / "data" / "session-secret").stat().st_mode & 0o777) == "0o600"
        assert oct((tmp_path / "data").stat().st_mode & 0o777) == "0o700"
    finally:
        srv.stop()


def test_a_postgresql_password_is_never_printed(tmp_path: Path) -> None:
    proc = cli("db", "status", "--db", "postgresql://egov:s3cret-pw@127.0.0.1:1/egov", "--data-dir", str(tmp_path))
    assert proc.returncode != 0 and "s3cret-pw" not in proc.stdout + proc.stderr




def test_the_wheel_ships_the_migrations(tmp_path: Path) -> None:
    import zipfile

    builders = pytest.importorskip("hatchling.builders.wheel")
    wheel = Path(next(iter(builders.WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))))
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = ROOT / "egov_rules" / "service" / "migrations"
    shipped = {p.relative_to(ROOT).as_posix() for p in migrations.rglob("*") if p.is_file() and p.suffix != ".pyc"}
    assert "egov_rules/service/migrations/env.py" in shipped and len(shipped) >= 5
    assert shipped <= names


def test_recheck_uses_the_stored_rulebook_after_the_rulebook_changed(tmp_path: Path) -> None:
    import shutil

    older = tmp_path / "older-rules"
    shutil.copytree(ROOT / "rules", older)
    (older / "ch2-planning-and-building" / "art17-data-centres.yaml").unlink()  # a rulebook without Art 17 DCs
    url = sqlite_url(tmp_path)
    upgrade(url)
    tokens = add_users(url, {"rev": ("reviewer", None)})
    headers = {"Authorization": f"Bearer {tokens['rev']}", "Content-Type": "application/yaml"}
    ex02 = (ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").read_bytes()
    srv = Server(url, tmp_path, extra=["--rules", str(older), "--only-rules"]).start()
    try:
        old = httpx.post(srv.url + "/api/v1/checks", content=ex02, headers=headers, params={"save": "true"}).json()
    finally:
        srv.stop()
    srv = Server(url, tmp_path).start()  # the service upgraded to today's rulebook
    try:
        now = httpx.post(srv.url + "/api/v1/checks", content=ex02, headers=headers).json()
        again = httpx.post(srv.url + f"/api/v1/reviews/{old['review']['id']}/recheck", headers=headers).json()
    finally:
        srv.stop()
    rules_then = {f["rule"] for f in old["submissions"][0]["findings"]}
    rules_now = {f["rule"] for f in now["submissions"][0]["findings"]}
    assert "art17-data-centre-without-approval" in rules_now - rules_then
    assert old["tool"]["rulebook"]["sha256"] != now["tool"]["rulebook"]["sha256"]
    assert again["identical"] is True
    assert again["report"] == {k: v for k, v in old.items() if k != "review"}


def test_serve_on_a_port_in_use_is_a_clean_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = cli("serve", "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_cli_input_limits_apply(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    tokens = add_users(url, {"rev": ("reviewer", None)})
    headers = {"Authorization": f"Bearer {tokens['rev']}", "Content-Type": "application/yaml"}
    ex01 = (ROOT / "fixtures" / "01_county_compliant.yaml").read_bytes()
    srv = Server(url, tmp_path, extra=["--max-bytes", str(len(ex01)), "--max-entities", "5"]).start()
    try:
        big = httpx.post(srv.url + "/api/v1/checks", content=ex01 + b"\n", headers=headers)
        many = httpx.post(srv.url + "/api/v1/checks", content=ex01, headers=headers, params={"save": "true"})
        with httpx.Client(base_url=srv.url, headers={"Authorization": headers["Authorization"]}) as c:
            reviews = c.get("/api/v1/reviews").json()["total"]
    finally:
        srv.stop()
    assert big.status_code == 413 and f"exceeds {len(ex01)} bytes" in big.json()["detail"]
    assert many.status_code == 422 and "(raise with --max-entities)" in many.json()["detail"]
    assert many.json()["error"]["problems"][0]["kind"] == "limit exceeded"
    assert reviews == 0


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_create_app_for_embedding(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from egov_rules.service.app import SchemaNotCurrent, create_app
    from egov_rules.service.settings import Settings

    settings = Settings.from_env(sqlite_url(tmp_path), tmp_path)
    with pytest.raises(SchemaNotCurrent, match="no schema yet"):
        create_app(settings)
    app = create_app(settings, upgrade=True)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get("/api/v1/me").status_code == 401
