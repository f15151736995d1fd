"""The error bodies the service sends, as the OpenAPI document declares them.

FastAPI declares its own ``HTTPValidationError`` (``{"detail": [{"loc", "msg", "type"}]}``) for every 422,
but this service answers 422 with its own bodies (``app.py``'s handlers: the CLI's message and problem list
for bad input, the field and message for a bad request, the store's refusal, an account's problem), and 401,
403, 404, 413, 415, 429 and 500 with FastAPI's ``{"detail": "…"}`` or the store's body.  ``install`` rewrites
the generated document once so that each operation's error responses name these bodies; each body is strict
(no other keys), so a client can tell them apart and a body of another shape does not pass as one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Said(_Strict):
    """A refusal said in both languages: ``detail`` stays English, these two are added (``refusals.py``)."""

    code: str | None = Field(None, description="stable machine code of the refusal: review_not_found, …")
    message: str | None = Field(None, description="the refusal in the reader's language (?lang=zh or "
                                                  "Accept-Language: zh), with what was expected")


class Problem(_Strict):
    """One problem of the input, as the CLI's JSON report lists it (``EgovError.to_dict``)."""

    kind: str = Field(description="invalid input, limit exceeded, usage, …")
    file: str
    line: int = Field(description="1-based; 0 when unknown")
    column: int = Field(description="1-based; 0 when unknown")
    field: str | None = Field(description="JSON pointer of the field, or null")
    message: str
    expected: str | None
    suggestion: str | None
    cell: str | None = Field(None, description="in a workbook: 'sheet'!C7")


class InputErrorDetail(_Strict):
    exit_code: int = Field(description="the CLI's exit code for the same input (2)")
    problems: list[Problem]


class InputErrorBody(_Strict):
    """The submission (or a parameter the checker reads, such as ``stage``) cannot be checked."""

    detail: str = Field(description="the CLI's message: file:line:column, field, expected (in ?lang)")
    error: InputErrorDetail


class FieldError(_Strict):
    field: str = Field(description="where: body.name, query.limit, path.review_id")
    message: str
    type: str | None


class RequestErrorBody(_Said):
    """A path, query or JSON body parameter that does not fit its declaration (the input is never echoed)."""

    detail: str = Field(description="every problem, 'field: message', joined by '; '")
    field: str | None = Field(description="the first problem's field")
    errors: list[FieldError]


class StoreErrorBody(_Said):
    """The store refuses: a review, version or finding that is not there, a unit outside the caller's scope,
    an empty or too long text, an expiry in the past, an unknown funding action."""

    detail: str
    field: str | None
    expected: str | None


class AccountProblem(_Strict):
    message: str
    field: str | None
    expected: str | None


class AccountErrorBody(_Said):
    """An account the admin API cannot make (unknown role, a scope missing or given twice)."""

    detail: AccountProblem


class MessageBody(_Said):
    """Just the message: authentication, role, size, content type, not found, or an internal error."""

    detail: str


class RetryBody(_Said):
    """Too many failed logins for this name."""

    detail: str
    retry_after: int = Field(description="seconds; also the Retry-After header")


MODELS = (Problem, InputErrorDetail, InputErrorBody, FieldError, RequestErrorBody, StoreErrorBody, AccountProblem,
          AccountErrorBody, MessageBody, RetryBody)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _any(*models: type[BaseModel]) -> dict[str, Any]:
    return {"anyOf": [_ref(m) for m in models]}


# status -> (what it means, the bodies it comes with); app.py's handlers are app-wide, so a 422 may have any
# of its bodies on any operation that takes input
BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "401": ("authentication required: a valid bearer token or session (or a wrong name or password at login)",
            _ref(MessageBody)),
    "403": ("the role may not do this, the review concerns units outside the caller's scope, or a cross-site "
            "request with a session cookie", _any(MessageBody, StoreErrorBody)),
    "404": ("no such review, version, user, token or article", _any(MessageBody, StoreErrorBody)),
    "409": ("the review has a newer version than the one the request names", _ref(StoreErrorBody)),
    "413": ("the body is over the size limit", _ref(MessageBody)),
    "415": ("unsupported content type", _ref(MessageBody)),
    "422": ("the input cannot be checked, a parameter does not fit its declaration, or the store refuses it",
            _any(InputErrorBody, RequestErrorBody, StoreErrorBody, AccountErrorBody, MessageBody)),
    "429": ("too many failed logins for this name", _ref(RetryBody)),
    "500": ("internal error: a bug in egov-rules, not in the request; logged on the server", _ref(MessageBody)),
}
FASTAPI_DEFAULTS = ("HTTPValidationError", "ValidationError")


def with_error_bodies(spec: dict[str, Any], guarded: dict[tuple[str, str], set[str]]) -> dict[str, Any]:
    """The document with the service's error bodies: each declared error response names its body; every
    operation may answer 500, one behind a login also 401 (and 403: ``guarded``), one with a path parameter
    also 404."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_DEFAULTS:
        schemas.pop(name, None)
    _, top = models_json_schema([(m, "validation") for m in MODELS], ref_template=REF)
    schemas.update(top.get("$defs", {}))
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = {"500", *guarded.get((method.upper(), path), set())}
            if "{" in path:
                statuses.add("404")
            for status in sorted(statuses | {s for s in responses if s in BODIES}):
                meaning, schema = BODIES[status]
                declared = responses.get(status, {})
                description = declared.get("description")
                if not description or description == "Validation Error":
                    description = meaning
                responses[status] = {**declared, "description": description,
                                     "content": {"application/json": {"schema": schema}}}
    return spec


def guarded_statuses(app: Any) -> dict[tuple[str, str], set[str]]:
    """(METHOD, path) -> the refusals of ``auth``: 401 for an operation that depends on ``current_user``;
    also 403 when it depends on a role (``require_role``) or changes something (a session cookie sent from
    another site is refused)."""
    from .auth import SAFE_METHODS, current_user

    def calls(dependant: Any) -> list[Any]:
        return [c for d in dependant.dependencies for c in (d.call, *calls(d))]

    def walk(routes: list[Any]) -> dict[tuple[str, str], set[str]]:
        found: dict[tuple[str, str], set[str]] = {}
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps an included router whole
                found.update(walk(route.original_router.routes))
            dependant = getattr(route, "dependant", None)
            if dependant is None or not getattr(route, "include_in_schema", False):
                continue
            called = calls(dependant)
            if current_user not in called:
                continue
            role_gated = any("require_role" in getattr(c, "__qualname__", "") for c in called)
            for method in route.methods:
                found[(method, route.path)] = {"401"} | ({"403"} if role_gated or method not in SAFE_METHODS
                                                         else set())
        return found

    return walk(app.routes)


def install(app: Any) -> None:
    """Rewrite the generated OpenAPI document once, when it is first asked for."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_error_bodies(generate(), guarded_statuses(app))
        return app.openapi_schema

    app.openapi = openapi
