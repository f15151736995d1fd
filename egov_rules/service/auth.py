"""Accounts and access: argon2 password hashes, API tokens and browser sessions (both stored only as
sha256 of a 256-bit random value: a stolen database gives no working credential), roles and unit scope.

A request is let in by ``Authorization: Bearer <token>`` or by the session cookie; ``current_user`` gives
the ``User`` or answers 401, ``require_role`` answers 403 for the wrong role.  Nothing here logs a secret.
``log_in`` is the one way in by password (API and login page): it throttles guessing per account name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..errors import ConfigError, Said, Wording
from ..input.model_fields import ID_PATTERN
from .models import ROLES, Account, ApiToken, AuditEntry, BrowserSession, stored_int, utcnow
from .refusals import AUTH_REQUIRED, CROSS_SITE, E_ONE_OF, ROLE_REFUSED, Refusal, role_list, role_said, role_word

SESSION_COOKIE = "egov_session"
TOKEN_PREFIX = "egr_"
MIN_PASSWORD = 12
READ_ALL_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class User:
    """Who is asking: name, role and the units they may see (None: every unit)."""

    id: int
    name: str
    role: str
    units: frozenset[str] | None

    def can_see_unit(self, unit_id: str) -> bool:
        return self.units is None or unit_id in self.units

    def can_see_units(self, unit_ids: set[str] | frozenset[str]) -> bool:
        """A review concerns these units: visible when any is in scope (an all-units user sees all, and a
        review with no unit at all only to those)."""
        if self.units is None:
            return True
        return bool(self.units & set(unit_ids))

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "units": None if self.units is None else sorted(self.units)}


def _user(account: Account) -> User:
    units = None if account.units is None else frozenset(json.loads(account.units))
    return User(account.id, account.name, account.role, units)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def now() -> dt.datetime:
    """The clock of the audit trail and so of the login throttle (naive UTC, as stored); tests replace it."""
    return utcnow()


def audit(session: Session, actor: str, what: str, review_id: int | None = None, version: int | None = None,
          client: str | None = None, **detail: Any) -> None:
    session.add(AuditEntry(at=now(), actor=actor, action=what, review_id=review_id, version=version,
                           detail=_detail_text(detail), client=client))


def _detail_text(detail: dict[str, Any]) -> str:
    """An audit entry's detail as stored: one spelling, so that a look-up can compare it whole."""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


# ------------------------------------------------------------------------------------------- passwords
def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(session: Session, name: str, password: str) -> User | None:
    """The user when name and password match an enabled account; None otherwise (same time either way)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    account = session.scalar(select(Account).where(Account.name == name))
    hasher = PasswordHasher()
    stored = account.password_hash if account is not None and account.password_hash else None
    try:
        # an unknown name still costs one hash, so timing does not tell which names exist
        hasher.verify(stored or _DUMMY_HASH.value(), password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or stored is None or account.disabled_at is not None:
        return None
    return _user(account)


class _Dummy:
    _hash: str | None = None

    def value(self) -> str:
        if self._hash is None:
            self._hash = hash_password(secrets.token_urlsafe(16))
        return self._hash


_DUMMY_HASH = _Dummy()


# what an account or token command is refused, in both languages, with the code the API sends
NEEDS_SCOPE = Wording("a {role} needs a scope: --units UNIT[,UNIT...] or --all-units",
                      "{role}须指定可见范围：--units 单位[,单位...] 或 --all-units", "scope_missing")
UNKNOWN_ROLE = Wording("unknown role '{role}'", "未知的角色“{role}”", "unknown_role")
BAD_NAME = Wording("a user name is 1 to 200 printable characters", "用户名应为 1 至 200 个可打印字符", "bad_user_name")
SHORT_PASSWORD = Wording("the password is too short", "密码过短", "password_too_short")
E_PASSWORD = Wording("at least {n} characters", "至少 {n} 个字符")
USER_EXISTS = Wording("user '{name}' already exists", "用户“{name}”已存在", "user_exists")
NO_USER = Wording("no user '{name}'", "没有用户“{name}”", "user_not_found")
E_USER = Wording("a name from `egov-rules users list`", "egov-rules users list 列出的用户名")
NO_TOKEN = Wording("no token {id}", "没有编号为 {id} 的令牌", "token_not_found")
E_TOKEN = Wording("an id from `egov-rules tokens list`", "egov-rules tokens list 列出的令牌编号")


BAD_UNIT = Wording("'{unit}' is not a unit id", "“{unit}”不是单位编号", "bad_unit_id")
E_UNIT = Wording("unit ids as submissions give them (letters, digits and . _ : -, starting with a letter or digit), "
                 "separated by commas", "报送材料中的单位编号（字母、数字及“. _ : -”，以字母或数字开头），以逗号分隔")
UNIT_ID = re.compile(ID_PATTERN)  # the schema's own id pattern


def validate_units(units: list[str] | None, role: str, field: str = "--units",
                   scope_missing: Said | None = None) -> list[str] | None:
    """A reviewer's or finance user's units; an empty list (``--units "$UNITS"`` with the variable unset) or an
    id no submission can give (``unit.a;unit.b``) is refused, not kept as a scope that silently shows nothing."""
    if role in READ_ALL_ROLES:
        return None
    if not units:
        raise ConfigError(scope_missing or NEEDS_SCOPE(role=role_word(role)), field=field)
    bad = next((unit for unit in units if not UNIT_ID.fullmatch(unit)), None)
    if bad is not None:
        raise ConfigError(BAD_UNIT(unit=bad[:60]), field=field, expected=E_UNIT())
    return sorted(set(units))


def add_account(session: Session, name: str, role: str, password: str | None, units: list[str] | None,
                actor: str = "cli") -> User:
    if role not in ROLES:
        raise ConfigError(UNKNOWN_ROLE(role=role), field="--role", expected=E_ONE_OF(values=role_list(ROLES)))
    if not name or len(name) > 200 or not name.isprintable():
        raise ConfigError(BAD_NAME(), field="NAME")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ConfigError(SHORT_PASSWORD(), field="password", expected=E_PASSWORD(n=MIN_PASSWORD))
    if session.scalar(select(Account).where(Account.name == name)) is not None:
        raise ConfigError(USER_EXISTS(name=name), field="NAME")
    account = Account(name=name, role=role, password_hash=hash_password(password) if password else None,
                      units=None if units is None else json.dumps(sorted(set(units))))
    session.add(account)
    session.flush()
    audit(session, actor, "user.add", user=name, role=role, units=units)
    return _user(account)


def find_account(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise ConfigError(NO_USER(name=name), field="NAME", expected=E_USER())
    return account


def list_accounts(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(Account).order_by(Account.name))
    return [{**_user(a).as_dict(), "created_at": a.created_at.isoformat() + "Z", "login": a.password_hash is not None,
             "disabled": a.disabled_at is not None} for a in rows]


def set_disabled(session: Session, name: str, disabled: bool, actor: str) -> None:
    """Disable (or enable again) an account: its tokens and sessions stop working at once."""
    account = find_account(session, name)
    account.disabled_at = utcnow() if disabled else None
    audit(session, actor, "user.disable" if disabled else "user.enable", user=name)


def unlock_login(session: Session, name: str, actor: str) -> None:
    """Lift the login throttle of an account at once (its failed logins so far no longer count): the answer to
    somebody locking a colleague out by trying wrong passwords on purpose.  Audited as ``user.login_unlock``."""
    account = find_account(session, name)
    audit(session, actor, LOGIN_UNLOCK, user=account.name)


# ------------------------------------------------------------------------------------------- tokens
def create_token(session: Session, name: str, label: str = "", actor: str = "cli") -> tuple[int, str]:
    """A new API token for the user: (its id, the token).  Only its sha256 is stored: shown once."""
    account = find_account(session, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(account_id=account.id, label=label, prefix=token[:10], token_hash=_digest(token))
    session.add(row)
    session.flush()
    audit(session, actor, "token.create", user=name, token_id=row.id, label=label)
    return row.id, token


def list_tokens(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(ApiToken, Account.name).join(Account, Account.id == ApiToken.account_id)
                           .order_by(ApiToken.id)).all()
    return [{"id": t.id, "user": name, "label": t.label, "prefix": t.prefix, "created_at": t.created_at.isoformat()
             + "Z", "revoked": t.revoked_at is not None} for t, name in rows]


def revoke_token(session: Session, token_id: int, actor: str = "cli") -> None:
    row = session.get(ApiToken, token_id) if stored_int(token_id) else None
    if row is None:
        raise ConfigError(NO_TOKEN(id=token_id), expected=E_TOKEN())
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit(session, actor, "token.revoke", token_id=token_id)


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled_at is not None:
        return None
    return _user(account)


# ------------------------------------------------------------------------------------------- sessions
def create_session(session: Session, user: User, hours: float, client: str | None = None) -> str:
    """A browser session for a user who has just given their password: the cookie value (shown once)."""
    value = secrets.token_urlsafe(32)
    session.add(BrowserSession(account_id=user.id, token_hash=_digest(value),
                               expires_at=utcnow() + dt.timedelta(hours=hours)))
    audit(session, user.name, LOGIN_OK, client=client)
    return value


def destroy_session(session: Session, value: str) -> None:
    row = session.scalar(select(BrowserSession).where(BrowserSession.token_hash == _digest(value)))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        account = session.get(Account, row.account_id)
        audit(session, account.name if account else "?", "session.logout")


def user_for_session(session: Session, value: str) -> User | None:
    row = session.scalar(select(BrowserSession).where(BrowserSession.token_hash == _digest(value)))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled_at is not None:
        return None
    return _user(account)


# ------------------------------------------------------------------------------------------- logging in
LOGIN_OK, LOGIN_FAILED, LOGIN_THROTTLED = "session.login", "session.login_failed", "session.login_throttled"
LOGIN_UNLOCK = "user.login_unlock"  # by an administrator; detail: the account


@dataclass(frozen=True)
class LoginOutcome:
    """A password login: the user and their new session's cookie value, or neither (wrong name or password),
    or ``retry_after`` seconds when the name has failed too often and the password was not even checked."""

    user: User | None = None
    cookie: str | None = None
    retry_after: int = 0


def log_in(session: Session, name: str, password: str, settings: Any, client: str | None = None) -> LoginOutcome:
    """Check a password login and audit it: ``session.login``, ``session.login_failed`` or, while the name or
    the address it comes from (``client``) is throttled, ``session.login_throttled``.  Names that exist and
    names that do not are treated alike."""
    actor = _name_tried(session, name, getattr(settings, "session_secret", ""))
    client = client[:100] if client else None
    _one_attempt_at_a_time(session, "name " + actor)
    window = dt.timedelta(minutes=settings.login_window_minutes)
    wait = throttled_for(session, actor, settings.login_max_failures, window)
    if client is not None and settings.login_max_failures_per_client > 0:  # many names from one address
        _one_attempt_at_a_time(session, "client " + client)  # after the name's: no two attempts wait in a cycle
        wait = max(wait, client_throttled_for(session, client, settings.login_max_failures_per_client, window))
    if wait:
        audit(session, actor, LOGIN_THROTTLED, client=client, retry_after=wait)
        return LoginOutcome(retry_after=wait)
    user = verify_password(session, name, password)
    if user is None:
        audit(session, actor, LOGIN_FAILED, client=client)
        return LoginOutcome()
    return LoginOutcome(user, create_session(session, user, settings.session_hours, client))


def _name_tried(session: Session, name: str, secret: str) -> str:
    """The name a login attempt is audited and throttled under: an account's own name, or, for a name no
    account has, a keyed digest of it.  People type their password into the name field; the trail, which
    supervisors and administrators read, must not keep it.  The digest is the same for the same text, so an
    unknown name is throttled as a known one is (no answer tells the two apart)."""
    name = name[:200]
    if not name:
        return "?"
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        return name
    digest = hmac.new(secret.encode("utf-8"), name.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    return f"{UNKNOWN_NAME_PREFIX}{digest}"


UNKNOWN_NAME_PREFIX = "?"  # then 16 hex digits of the keyed digest


def _one_attempt_at_a_time(session: Session, key: str) -> None:
    """Attempts for one name (or address) are counted and recorded one after the other, so the limit is exact.
    SQLite's write transactions already are (``BEGIN IMMEDIATE``); on PostgreSQL several processes may try the
    same name at once, so the transaction takes a lock on it, released when it ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": "egov-rules login " + key})


def client_throttled_for(session: Session, client: str, max_failures: int, window: dt.timedelta) -> int:
    """Seconds until ``client`` may try a password again: 0 unless the audit trail has ``max_failures`` failed
    logins from that address within ``window``, whatever names they tried (successes do not reset it: one
    account of one's own must not buy more guesses at others)."""
    current = now()
    recent = session.scalars(
        select(AuditEntry.at)
        .where(AuditEntry.client == client, AuditEntry.action == LOGIN_FAILED, AuditEntry.at > current - window)
        .order_by(AuditEntry.id.desc()).limit(max_failures)).all()
    return _wait(recent, max_failures, window, current)


def throttled_for(session: Session, actor: str, max_failures: int, window: dt.timedelta) -> int:
    """Seconds until ``actor`` may try a password again: 0 unless the audit trail has ``max_failures`` failed
    logins of that name within ``window`` and after its last successful one.  Read from the database, so the
    count holds across processes and restarts; throttled attempts do not count (the lock ends on time)."""
    current = now()
    recent = session.execute(
        select(AuditEntry.id, AuditEntry.action, AuditEntry.at)
        .where(AuditEntry.actor == actor, AuditEntry.action.in_((LOGIN_OK, LOGIN_FAILED)),
               AuditEntry.at > current - window)
        .order_by(AuditEntry.id.desc()).limit(max_failures)).all()
    # an administrator's unlock (unlock_login) counts as a success: failures before it are forgiven
    unlocked = session.scalar(
        select(func.max(AuditEntry.id))
        .where(AuditEntry.action == LOGIN_UNLOCK, AuditEntry.detail == _detail_text({"user": actor}),
               AuditEntry.at > current - window)) if recent else None
    failures = []
    for entry_id, action, at in recent:
        if action == LOGIN_OK or (unlocked is not None and entry_id < unlocked):
            break
        failures.append(at)
    return _wait(failures, max_failures, window, current)


def _wait(failures: Sequence[dt.datetime], max_failures: int, window: dt.timedelta, current: dt.datetime) -> int:
    """Seconds to wait after these counted failures: none below the limit; else until the oldest of them ages out
    of the window (then fewer than ``max_failures`` remain)."""
    if len(failures) < max_failures:
        return 0
    return max(1, math.ceil((min(failures) + window - current).total_seconds()))


# ------------------------------------------------------------------------------------------- FastAPI glue
def client_address(request: Request) -> str | None:
    """The address a request comes from: ``serve`` trusts X-Forwarded-For from a proxy on the same machine
    (uvicorn's proxy headers, from 127.0.0.1 unless FORWARDED_ALLOW_IPS says otherwise; docs/service.md)."""
    return request.client.host if request.client is not None else None


def current_user(request: Request) -> User:
    """The dependency every endpoint but /healthz uses: 401 without a valid token or session."""

    db = request.app.state.db
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    by_cookie = False
    with db.read() as session:
        user = None
        if scheme.lower() == "bearer" and credential.strip():
            user = user_for_token(session, credential.strip())
        elif not header and request.cookies.get(SESSION_COOKIE):
            user = user_for_session(session, request.cookies[SESSION_COOKIE])
            by_cookie = True
    if user is None:
        raise Refusal(401, AUTH_REQUIRED(), headers={"WWW-Authenticate": "Bearer"})
    if by_cookie and request.method not in SAFE_METHODS and not _same_origin(request):
        # a browser sends the session cookie with a request another site makes it send: refuse those
        raise Refusal(403, CROSS_SITE())
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _same_origin(request: Request) -> bool:
    """No Origin header (not a cross-site browser request) or one naming this host."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def set_session_cookie(response: Any, value: str, settings: Any) -> None:
    """The browser-session cookie: not readable by scripts, never sent cross-site, TLS-only when configured."""
    response.set_cookie(SESSION_COOKIE, value, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="strict", secure=settings.cookie_secure, path="/")


def clear_session_cookie(response: Any) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def require_role(*roles: str) -> Callable[..., User]:
    """A dependency that lets in only these roles (403 otherwise)."""

    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

    def dependency(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Refusal(403, role_said(ROLE_REFUSED, user.role, needed=role_list(roles)))
        return user

    return dependency
