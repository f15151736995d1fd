"""Nothing lost: 8 concurrent clients x 50 saved checks leave exactly 400 reviews and 400 audit entries
(SQLite and PostgreSQL); a server killed with SIGKILL under that load leaves a database that passes
``PRAGMA integrity_check`` and holds every review it acknowledged."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from service_support import FIXTURES, USERS, Server, add_users, database_url, make_postgres_fixture

postgres = make_postgres_fixture()
BASE = (FIXTURES / "01_county_compliant.yaml").read_bytes()
CLIENTS, SAVES = 8, 50


def body(client: int, n: int) -> bytes:
    return BASE.replace(b"id: ex01", f"id: load-{client}-{n}".encode(), 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Server]:
    url = database_url(request.param, tmp_path, request)
    srv = Server(url, tmp_path)
    srv.tokens = add_users(url, USERS)
    srv.start()
    yield srv
    srv.stop()


def totals(srv: Server) -> tuple[int, int]:
    with srv.client("boss") as c:
        reviews = c.get("/api/v1/reviews").json()["total"]
        audit = c.get("/api/v1/audit").json()["total"]
    return reviews, audit


def test_concurrent_saves_are_all_kept_once(fresh: Server) -> None:
    reviews_before, audit_before = totals(fresh)
    assert reviews_before == 0
    errors: list[str] = []
    ids: list[tuple[int, int]] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        with fresh.client("rev_all") as c:
            for n in range(SAVES):
                r = c.post("/api/v1/checks", content=body(k, n), params={"save": "true"},
                           headers={"Content-Type": "application/yaml"})
                with lock:
                    if r.status_code != 200:
                        errors.append(f"{k}/{n}: {r.status_code} {r.text[:200]}")
                    else:
                        ids.append((r.json()["review"]["id"], r.json()["review"]["version"]))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    assert len(set(ids)) == CLIENTS * SAVES and all(v == 1 for _, v in ids)
    reviews, audit = totals(fresh)
    assert reviews == CLIENTS * SAVES
    assert audit - audit_before == CLIENTS * SAVES
    with fresh.client("boss") as c:
        saves = c.get("/api/v1/audit", params={"per_page": 1000}).json()["items"]
    assert sorted(e["review"] for e in saves if e["action"] == "review.save") == sorted(r for r, _ in ids)


def test_concurrent_saves_of_one_submission_make_consecutive_versions(fresh: Server) -> None:
    versions: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with fresh.client("rev_all") as c:
            for _ in range(5):
                r = c.post("/api/v1/checks", content=body(0, 0), params={"save": "true"},
                           headers={"Content-Type": "application/yaml"})
                with lock:
                    if r.status_code == 200:
                        versions.append(r.json()["review"]["version"])
                    else:
                        errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert sorted(versions) == list(range(1, CLIENTS * 5 + 1))
    with fresh.client("boss") as c:
        assert c.get("/api/v1/reviews").json()["total"] == 1


def test_kill_9_under_load_keeps_every_acknowledged_review(tmp_path: Any, request: pytest.FixtureRequest) -> None:
    url = database_url("sqlite", tmp_path, request)
    srv = Server(url, tmp_path)
    srv.tokens = add_users(url, USERS)
    srv.start()
    acknowledged: list[tuple[int, str, str]] = []  # review id, submission id, sha256 of the body
    lock = threading.Lock()
    stop = threading.Event()
    enough = threading.Event()

    def client(k: int) -> None:
        with srv.client("rev_all") as c:
            for n in range(10_000):
                if stop.is_set():
                    return
                data = body(k, n)
                try:
                    r = c.post("/api/v1/checks", content=data, params={"save": "true"},
                               headers={"Content-Type": "application/yaml"})
                except httpx.HTTPError:
                    return  # the server is gone: this request was never acknowledged
                if r.status_code == 200:
                    with lock:
                        acknowledged.append((r.json()["review"]["id"], f"load-{k}-{n}",
                                             hashlib.sha256(data).hexdigest()))
                        if len(acknowledged) >= 120:
                            enough.set()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        assert enough.wait(600), "the load never reached 120 saves"
        srv.kill9()  # mid-load: requests are in flight
    finally:
        stop.set()
        for t in threads:
            t.join()
    db_file = url.removeprefix("sqlite:///")
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        audited = conn.execute("SELECT count(*) FROM audit_entries WHERE action = 'review.save'").fetchone()[0]
    assert saved >= len(acknowledged) and audited == saved  # a review and its audit entry commit together
    srv.start()
    try:
        with srv.client("boss") as c:
            for rid, submission_id, sha in acknowledged:
                got = c.get(f"/api/v1/reviews/{rid}")
                assert got.status_code == 200, (rid, got.text)
                assert got.json()["submission_id"] == submission_id
                assert got.json()["version"]["submission_sha256"] == sha
    finally:
        srv.stop()
