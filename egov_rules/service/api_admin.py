"""Accounts over HTTP: logging in and out (a browser session cookie), administration (admin role: accounts
and tokens, as the ``users`` and ``tokens`` commands do), and the supervisor's portfolio."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from ..errors import ConfigError, Wording
from . import auth, store
from .api import Body
from .auth import CurrentUser, User, require_role
from .models import ROLES
from .refusals import (
    E_ONE_OF,
    OWN_ACCOUNT,
    THROTTLED,
    WRONG_LOGIN,
    Refusal,
    request_lang,
    role_list,
    role_said,
    said_fields,
)

router = APIRouter(prefix="/api/v1")
Admin = Annotated[User, Depends(require_role("admin"))]
Overseer = Annotated[User, Depends(require_role("supervisor", "admin"))]


class LoginIn(Body):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


@router.post("/login", summary="Log in with name and password: sets the session cookie",
             response_model=dict[str, Any],
             responses={401: {"description": "wrong name or password"},
                        429: {"description": "too many failed logins for this name: the password was not checked; "
                                             "try again after `retry_after` seconds (also the Retry-After header)"}})
def login(request: Request, response: Response, body: LoginIn) -> Any:
    settings = request.app.state.settings
    with request.app.state.db.write() as session:
        outcome = auth.log_in(session, body.name, body.password, settings, auth.client_address(request))
    if outcome.retry_after:
        wait = outcome.retry_after
        said = THROTTLED(wait=wait)
        return JSONResponse({"detail": str(said), "retry_after": wait, **said_fields(said, request_lang(request))},
                            status_code=429, headers={"Retry-After": str(wait)})
    if outcome.user is None or outcome.cookie is None:
        raise Refusal(401, WRONG_LOGIN())
    auth.set_session_cookie(response, outcome.cookie, settings)
    return outcome.user.as_dict()


@router.post("/logout", summary="End the browser session of this cookie")
def logout(request: Request, response: Response, _user: CurrentUser) -> dict[str, Any]:
    value = request.cookies.get(auth.SESSION_COOKIE)
    if value:
        with request.app.state.db.write() as session:
            auth.destroy_session(session, value)
    auth.clear_session_cookie(response)
    return {"logged_out": bool(value)}


class AccountIn(Body):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(description="one of " + ", ".join(ROLES))
    units: list[str] | None = Field(None, description="unit ids a reviewer or finance user sees")
    all_units: bool = Field(False, description="a reviewer or finance user who sees every unit")
    password: str | None = Field(None, min_length=auth.MIN_PASSWORD, max_length=1000,
                                 description="null: a machine client that uses tokens only")


class AccountRefused(HTTPException):
    """An account the admin API cannot make: its problem (English, for programs) and the error itself, whose
    words the handler gives in the reader's language (``refusals.error_fields``)."""

    def __init__(self, exc: ConfigError) -> None:
        super().__init__(422, {"message": exc.message, "field": exc.field, "expected": exc.expected})
        self.error = exc


def _not_found(exc: ConfigError) -> HTTPException:
    said = getattr(exc, "said", None)
    return Refusal(404, said) if said is not None else HTTPException(404, exc.message)


# what the admin API refuses beyond auth's own checks
SCOPE_TWICE = Wording("give units or all_units, not both", "units 与 all_units 只能给出其一", "scope_conflict")
NEEDS_SCOPE = Wording("a {role} needs a scope: units or all_units", "{role}须指定可见范围：units 或 all_units",
                      "scope_missing")


@router.get("/users", summary="Every account (admin)")
def users(request: Request, _user: Admin) -> list[dict[str, Any]]:
    with request.app.state.db.read() as session:
        return auth.list_accounts(session)


@router.post("/users", status_code=201, summary="Add an account (admin)")
def add_user(request: Request, user: Admin, body: AccountIn) -> dict[str, Any]:
    try:
        if body.role not in ROLES:
            raise ConfigError(auth.UNKNOWN_ROLE(role=body.role), field="role",
                              expected=E_ONE_OF(values=role_list(ROLES)))
        if body.all_units and body.units is not None:
            raise ConfigError(SCOPE_TWICE(), field="units")
        units = None if body.all_units else auth.validate_units(body.units, body.role, "units",
                                                                role_said(NEEDS_SCOPE, body.role))
        with request.app.state.db.write() as session:
            made = auth.add_account(session, body.name, body.role, body.password, units, actor=user.name)
    except ConfigError as exc:
        raise AccountRefused(exc) from None
    return made.as_dict()


@router.post("/users/{name}/disable", summary="Disable an account: its tokens and sessions stop working (admin)")
def disable_user(request: Request, user: Admin, name: str) -> dict[str, Any]:
    return _set_disabled(request, user, name, True)


@router.post("/users/{name}/enable", summary="Enable a disabled account again (admin)")
def enable_user(request: Request, user: Admin, name: str) -> dict[str, Any]:
    return _set_disabled(request, user, name, False)


@router.post("/users/{name}/unlock", summary="Lift the login lock after too many failed logins (admin)")
def unlock_user(request: Request, user: Admin, name: str) -> dict[str, Any]:
    try:
        with request.app.state.db.write() as session:
            auth.unlock_login(session, name, user.name)
    except ConfigError as exc:
        raise _not_found(exc) from None
    return {"name": name, "unlocked": True}


def _set_disabled(request: Request, user: User, name: str, disabled: bool) -> dict[str, Any]:
    if name == user.name and disabled:
        raise Refusal(422, OWN_ACCOUNT())
    try:
        with request.app.state.db.write() as session:
            auth.set_disabled(session, name, disabled, user.name)
    except ConfigError as exc:
        raise _not_found(exc) from None
    return {"name": name, "disabled": disabled}


@router.get("/tokens", summary="Every API token, without the token itself (admin)")
def tokens(request: Request, _user: Admin) -> list[dict[str, Any]]:
    with request.app.state.db.read() as session:
        return auth.list_tokens(session)


class TokenIn(Body):
    label: str = Field("", max_length=200)


@router.post("/users/{name}/tokens", status_code=201, summary="A new API token for a user, shown only now (admin)")
def create_token(request: Request, user: Admin, name: str, body: TokenIn) -> dict[str, Any]:
    try:
        with request.app.state.db.write() as session:
            token_id, token = auth.create_token(session, name, body.label, actor=user.name)
    except ConfigError as exc:
        raise _not_found(exc) from None
    return {"id": token_id, "user": name, "token": token}


@router.post("/tokens/{token_id}/revoke", summary="Revoke a token (admin)")
def revoke_token(request: Request, user: Admin, token_id: int) -> dict[str, Any]:
    try:
        with request.app.state.db.write() as session:
            auth.revoke_token(session, token_id, actor=user.name)
    except ConfigError as exc:
        raise _not_found(exc) from None
    return {"id": token_id, "revoked": True}


@router.get("/portfolio", summary="Reviews per unit with the Art 44 outcomes of their latest versions")
def portfolio(request: Request, user: Overseer) -> dict[str, Any]:
    with request.app.state.db.read() as session:
        return store.portfolio(session, user)
