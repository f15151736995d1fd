"""The login throttle (auth.log_in): after N failed logins of a name within the window, that name is refused
(429 with Retry-After) without its password being checked, on the API and the login page alike, until the
window has passed; counted from the audit trail.  The clock is ``auth.now``, set here: no sleeping."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import PASSWORD, add_users, database_url, make_postgres_fixture, upgrade
from web_support import csrf_of

from egov_rules.errors import ConfigError
from egov_rules.service import auth
from egov_rules.service.models import AuditEntry, utcnow
from egov_rules.service.settings import Settings

postgres = make_postgres_fixture()
WRONG = "not the password at all"
NAMES = ("ana", "bo", "cai", "dai", "eve", "fei", "gu", "hu", "jin", "ko", "lu", "mo", "nu")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from egov_rules.service.app import create_app

    tmp = tmp_path_factory.mktemp("throttle")
    url = f"sqlite:///{tmp / 'throttle.sqlite3'}"
    upgrade(url)
    tokens = add_users(url, {**{name: ("reviewer", ["unit.a"]) for name in NAMES}, "root": ("admin", None)})
    # the tests of one name share one client address: its own limit is tested with addresses of its own
    made = create_app(Settings(data_dir=tmp, db_url=url, session_secret="test-secret",
                               login_max_failures_per_client=10_000))
    made.state.test_tokens, made.state.test_url = tokens, url
    return made


@pytest.fixture()
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


class Clock:
    """``auth.now`` pinned to a start time (a day ahead, away from the accounts' own audit entries)."""

    def __init__(self) -> None:
        self.start = utcnow() + dt.timedelta(days=1)
        self.current = self.start

    def at(self, minutes: float) -> None:
        self.current = self.start + dt.timedelta(minutes=minutes)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    pinned = Clock()
    monkeypatch.setattr(auth, "now", lambda: pinned.current)
    return pinned


def api_login(c: TestClient, name: str, password: str) -> Any:
    return c.post("/api/v1/login", json={"name": name, "password": password})


def page_login(c: TestClient, name: str, password: str) -> Any:
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"csrf": token, "name": name, "password": password, "next": "/"},
                  follow_redirects=False)


def fail(c: TestClient, name: str, times: int = 5) -> None:
    for _ in range(times):
        assert api_login(c, name, WRONG).status_code == 401


def audit_of(app: Any, name: str) -> list[tuple[str, dict[str, Any]]]:
    from sqlalchemy import select

    with app.state.db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.actor == name).order_by(AuditEntry.id))
        return [(row.action, json.loads(row.detail)) for row in rows]


def test_api_refuses_the_right_password_after_five_failures_without_checking_it(
        app: Any, client: TestClient, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    for minute in range(5):  # one failure a minute: the window counts from the oldest of them
        clock.at(minute)
        assert api_login(client, "ana", WRONG).status_code == 401
    clock.at(5)

    def no_password_check(*_args: Any) -> None:
        raise AssertionError("a throttled login must not check the password")

    with monkeypatch.context() as patch:
        patch.setattr(auth, "verify_password", no_password_check)
        refused = api_login(client, "ana", PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "600"  # the failure at minute 0 leaves the window at minute 15
    assert refused.json() == {"detail": "too many failed logins for this name: try again in 600 seconds",
                              "retry_after": 600, "code": "too_many_logins",
                              "message": "too many failed logins for this name: try again in 600 seconds"}
    assert "egov_session" not in refused.headers.get("set-cookie", "")
    actions = [action for action, _ in audit_of(app, "ana")]
    assert actions[-6:] == ["session.login_failed"] * 5 + ["session.login_throttled"]
    assert audit_of(app, "ana")[-1][1] == {"retry_after": 600}
    ok = api_login(client, "bo", PASSWORD)  # another account is not affected
    assert ok.status_code == 200 and ok.json()["name"] == "bo"


def test_an_unknown_name_is_throttled_exactly_as_a_known_one(client: TestClient, clock: Clock) -> None:
    def attempts(name: str) -> list[tuple[int, str | None, Any]]:
        out = []
        for _ in range(6):
            r = api_login(client, name, WRONG)
            out.append((r.status_code, r.headers.get("retry-after"), r.json()))
        return out

    known, unknown = attempts("cai"), attempts("nobody-at-all")
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 5 + [429]


def test_a_successful_login_before_the_failures_resets_the_count(client: TestClient, clock: Clock) -> None:
    fail(client, "dai", 4)
    assert api_login(client, "dai", PASSWORD).status_code == 200
    fail(client, "dai", 4)  # eight failures in the window, four since the last success
    assert api_login(client, "dai", PASSWORD).status_code == 200
    fail(client, "dai", 5)
    assert api_login(client, "dai", PASSWORD).status_code == 429


def test_the_lock_ends_when_the_window_has_passed(app: Any, client: TestClient, clock: Clock) -> None:
    fail(client, "eve")
    for minute in range(1, 15):  # refused attempts meanwhile do not count: the lock does not grow with them
        clock.at(minute)
        refused = api_login(client, "eve", PASSWORD)
        assert refused.status_code == 429 and refused.json()["retry_after"] == (15 - minute) * 60
    clock.at(15 - 1 / 60)
    last_second = api_login(client, "eve", PASSWORD)
    assert last_second.status_code == 429 and last_second.headers["retry-after"] == "1"
    clock.at(15)
    assert api_login(client, "eve", PASSWORD).status_code == 200
    actions = [action for action, _ in audit_of(app, "eve")]
    assert actions[-17:] == ["session.login_failed"] + ["session.login_throttled"] * 15 + ["session.login"]


def test_the_window_slides_failure_by_failure(client: TestClient, clock: Clock) -> None:
    for minute in range(5):
        clock.at(minute)
        assert api_login(client, "fei", WRONG).status_code == 401
    clock.at(15)  # the failure of minute 0 has left the window: one more try
    assert api_login(client, "fei", WRONG).status_code == 401
    refused = api_login(client, "fei", PASSWORD)  # minutes 1, 2, 3, 4 and 15 are five again
    assert refused.status_code == 429 and refused.json()["retry_after"] == 60


@pytest.mark.parametrize(("lang", "message", "other_language"), [
    ("zh", "登录失败次数过多，请于10分钟后再试。", "Too many"),
    ("en", "Too many failed logins: try again in 10 minutes.", "登录失败"),
])
def test_the_login_page_refuses_in_the_readers_language(app: Any, client: TestClient, clock: Clock, lang: str,
                                                       message: str, other_language: str) -> None:
    name = {"zh": "gu", "en": "hu"}[lang]
    client.get(f"/lang/{lang}")
    fail(client, name, 3)  # the API and the page count together
    for _ in range(2):
        assert page_login(client, name, WRONG).status_code == 401
    clock.at(5)
    refused = page_login(client, name, PASSWORD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "600"
    assert message in refused.text and other_language not in refused.text
    assert "egov_session" not in client.cookies
    assert audit_of(app, name)[-1] == ("session.login_throttled", {"retry_after": 600})
    clock.at(14.5)
    assert ("1 minute." if lang == "en" else "请于1分钟后再试。") in page_login(client, name, PASSWORD).text
    clock.at(15)
    assert page_login(client, name, PASSWORD).status_code == 303 and "egov_session" in client.cookies


def test_the_limits_come_from_the_settings(app: Any, client: TestClient, clock: Clock,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "login_max_failures", 2)
    monkeypatch.setattr(app.state.settings, "login_window_minutes", 1.0)
    fail(client, "jin", 2)
    refused = api_login(client, "jin", PASSWORD)
    assert refused.status_code == 429 and refused.json()["retry_after"] == 60
    clock.at(1)
    assert api_login(client, "jin", PASSWORD).status_code == 200


def test_environment_overrides_and_their_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings.from_env("sqlite://", tmp_path)
    assert (defaults.login_max_failures, defaults.login_window_minutes) == (5, 15.0)
    assert defaults.login_max_failures_per_client == 50
    monkeypatch.setenv("EGOV_RULES_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("EGOV_RULES_LOGIN_WINDOW_MINUTES", "2.5")
    monkeypatch.setenv("EGOV_RULES_LOGIN_MAX_FAILURES_PER_CLIENT", "200")
    settings = Settings.from_env("sqlite://", tmp_path)
    assert (settings.login_max_failures, settings.login_window_minutes) == (3, 2.5)
    assert settings.login_max_failures_per_client == 200
    monkeypatch.setenv("EGOV_RULES_LOGIN_MAX_FAILURES_PER_CLIENT", "0")  # off; the per-name limit has no off
    assert Settings.from_env("sqlite://", tmp_path).login_max_failures_per_client == 0
    for variable, value in (("EGOV_RULES_LOGIN_MAX_FAILURES", "0"), ("EGOV_RULES_LOGIN_MAX_FAILURES", "2.5"),
                            ("EGOV_RULES_LOGIN_WINDOW_MINUTES", "-1"), ("EGOV_RULES_LOGIN_WINDOW_MINUTES", "nan"),
                            ("EGOV_RULES_LOGIN_MAX_FAILURES_PER_CLIENT", "-1"),
                            ("EGOV_RULES_LOGIN_MAX_FAILURES_PER_CLIENT", "2.5")):
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError) as caught:
            Settings.from_env("sqlite://", tmp_path)
        assert caught.value.field == variable and repr(value) in caught.value.render(), (variable, value)
        monkeypatch.setenv(variable, "3")


def test_an_admin_lifts_a_lock_at_once_and_only_that_one(app: Any, client: TestClient, clock: Clock) -> None:
    tokens = app.state.test_tokens

    def unlock(name: str, as_user: str) -> Any:
        return client.post(f"/api/v1/users/{name}/unlock", headers={"Authorization": f"Bearer {tokens[as_user]}"})

    fail(client, "ko")
    fail(client, "lu")
    assert api_login(client, "ko", PASSWORD).status_code == 429
    assert unlock("ko", "mo").status_code == 403  # a reviewer may not
    assert unlock("nobody-at-all", "root").status_code == 404
    assert api_login(client, "ko", PASSWORD).status_code == 429
    done = unlock("ko", "root")
    assert done.status_code == 200 and done.json() == {"name": "ko", "unlocked": True}
    assert audit_of(app, "root")[-1] == ("user.login_unlock", {"user": "ko"})
    assert api_login(client, "lu", PASSWORD).status_code == 429  # another name's lock stays
    assert api_login(client, "ko", PASSWORD).status_code == 200  # at once, within the same window
    fail(client, "ko")  # forgiven, not exempt: five new failures lock it again
    assert api_login(client, "ko", PASSWORD).status_code == 429


def test_the_command_line_lifts_a_lock(app: Any, client: TestClient, clock: Clock) -> None:
    from click.testing import CliRunner

    from egov_rules.cli import app as cli_app

    fail(client, "nu")
    assert api_login(client, "nu", PASSWORD).status_code == 429
    runner = CliRunner()
    unknown = runner.invoke(cli_app, ["users", "unlock", "nobody-at-all", "--db", app.state.test_url])
    assert unknown.exit_code == 2 and "nobody-at-all" in unknown.output and "Traceback" not in unknown.output
    done = runner.invoke(cli_app, ["users", "unlock", "nu", "--db", app.state.test_url])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "user 'nu' may log in again"
    assert audit_of(app, "cli")[-1] == ("user.login_unlock", {"user": "nu"})
    assert api_login(client, "nu", PASSWORD).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_simultaneous_attempts_from_several_processes_never_pass_the_limit(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Two Database objects stand for two server processes (each has its own in-process write lock): twelve
    wrong passwords for one name at once record exactly five failures, the rest are refused unchecked."""
    import threading
    from types import SimpleNamespace

    from sqlalchemy import select

    from egov_rules.service.db import Database

    url = database_url(backend, tmp_path, request)
    add_users(url, {"race": ("reviewer", ["unit.a"])})
    settings = SimpleNamespace(login_max_failures=5, login_window_minutes=15.0, session_hours=8)
    processes = [Database(url), Database(url)]
    start = threading.Barrier(12)
    outcomes: list[int] = []

    def attempt(i: int) -> None:
        start.wait()
        with processes[i % 2].write() as session:
            outcomes.append(auth.log_in(session, "race", WRONG, settings).retry_after)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        with processes[0].read() as session:
            actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "race")))
    finally:
        for db in processes:
            db.dispose()
    # five were checked (and failed); seven refused for about the window (less the seconds the checks took;
    # a second more when the clock's rounding falls so)
    assert sorted(outcomes)[:5] == [0] * 5 and all(800 < w <= 901 for w in sorted(outcomes)[5:]), sorted(outcomes)
    assert actions.count("session.login_failed") == 5
    assert actions.count("session.login_throttled") == 7


def test_many_names_tried_from_one_address_lock_that_address_only(
        app: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "login_max_failures_per_client", 6)
    with TestClient(app, client=("10.0.0.7", 50000)) as sprayer, TestClient(app, client=("10.0.0.8", 50000)) as other:
        for name in ("sp1", "sp2", "sp3", "sp4", "sp5", "sp6"):  # one guess each: no name reaches its own limit
            assert api_login(sprayer, name, WRONG).status_code == 401
        clock.at(2)
        refused = api_login(sprayer, "mo", PASSWORD)  # even a right password, for a name never tried
        assert refused.status_code == 429 and refused.json()["retry_after"] == 13 * 60
        assert page_login(sprayer, "mo", PASSWORD).status_code == 429  # the page and the API alike
        ok = api_login(other, "mo", PASSWORD)  # another address is not affected, nor is the name
        assert ok.status_code == 200
        assert audit_of(app, "mo")[-3:] == [("session.login_throttled", {"retry_after": 780})] * 2 + [
            ("session.login", {})]
        clock.at(15)  # the window has passed for the first guess
        assert api_login(sprayer, "mo", PASSWORD).status_code == 200
        clock.at(16)
        for name in ("sp1", "sp2", "sp3", "sp4", "sp5", "sp6"):
            assert api_login(sprayer, name, WRONG).status_code == 401
        assert api_login(sprayer, "mo", PASSWORD).status_code == 429
        monkeypatch.setattr(app.state.settings, "login_max_failures_per_client", 0)  # off
        assert api_login(sprayer, "mo", PASSWORD).status_code == 200


def test_the_audit_trail_keeps_the_address_of_each_attempt(app: Any, clock: Clock) -> None:
    from sqlalchemy import select

    with TestClient(app, client=("192.0.2.44", 50000)) as c:
        assert api_login(c, "mo", WRONG).status_code == 401
        assert api_login(c, "mo", PASSWORD).status_code == 200
    with app.state.db.read() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.client).where(AuditEntry.actor == "mo")
                               .order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [tuple(r) for r in rows] == [("session.login", "192.0.2.44"), ("session.login_failed", "192.0.2.44")]
    with TestClient(app) as c:  # and the audit trail's readers see it
        listed = c.get("/api/v1/audit", params={"per_page": 50},
                       headers={"Authorization": f"Bearer {app.state.test_tokens['root']}"}).json()["items"]
    assert [(e["action"], e["client"]) for e in listed if e["actor"] == "mo"][:2] == [
        ("session.login", "192.0.2.44"), ("session.login_failed", "192.0.2.44")]


def test_a_password_typed_as_the_name_is_not_kept_in_the_audit_trail(app: Any, client: TestClient,
                                                                     clock: Clock) -> None:
    """People type their password into the name field.  A name no account has is audited as a keyed digest
    ("?" and 16 hex digits): the trail, which supervisors and administrators read, never shows the text; the
    same text gives the same digest, so its failures still count against it; an account's own name is kept."""
    from sqlalchemy import select

    typed = "Tr0ub4dor&3 horse staple"
    for _ in range(2):
        assert api_login(client, typed, WRONG).status_code == 401
    assert api_login(client, "mo", WRONG).status_code == 401
    with app.state.db.read() as session:
        actors = session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "session.login_failed")
                                 .order_by(AuditEntry.id.desc()).limit(3)).all()
        everything = " ".join(str(v) for row in session.execute(select(AuditEntry)).scalars()
                              for v in vars(row).values())
    assert actors[0] == "mo"
    assert actors[1] == actors[2] and re.fullmatch(r"\?[0-9a-f]{16}", actors[1])
    assert typed not in everything and "Tr0ub4dor" not in everything
    listed = client.get("/api/v1/audit", params={"per_page": 50},
                        headers={"Authorization": f"Bearer {app.state.test_tokens['root']}"})
    assert listed.status_code == 200 and "Tr0ub4dor" not in listed.text
