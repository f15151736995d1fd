"""Every request body bounded before anything reads it: 413 over the limit, said in the reader's language (JSON
under /api/, the workbench's error page elsewhere).

Without it a route that parses a JSON body or a form (login, waivers, funding, every page's form) would buffer
whatever a client sends: an anonymous 300 MB ``POST /api/v1/login`` took the server to 760 MB.  A login form or
body never needs more than ``LOGIN_BODY`` bytes, so that is all anyone not logged in can make the service hold;
every other request is held to the service's ``--max-bytes`` plus room for a multipart form's boundaries
(``POST /api/v1/checks`` and the new-review page then check the submission itself against ``--max-bytes``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import Said
from .refusals import LOGIN_TOO_LARGE, TOO_LARGE, Refusal, request_lang, said_fields

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file itself
LOGIN_BODY = 64 * 1024  # a name, a password, a CSRF token and where to go next
LOGIN_PATHS = frozenset({"/login", "/api/v1/login"})


def body_limit(path: str, max_bytes: int) -> int:
    """The most bytes a request to ``path`` may send."""
    return LOGIN_BODY if path in LOGIN_PATHS else max_bytes + MULTIPART_SLACK


def _said(path: str, max_bytes: int) -> Said:
    """The refusal names the limit a user can act on: --max-bytes (the slack is the form's own), or the login's."""
    return LOGIN_TOO_LARGE(limit=LOGIN_BODY) if path in LOGIN_PATHS else TOO_LARGE(limit=max_bytes)


class BodyLimit:
    """ASGI middleware: a declared Content-Length over the limit is refused before the body is read; a body
    sent without one (chunked) is counted as it arrives and refused (``Refusal`` 413) once past it."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.max_bytes)
        said = _said(scope["path"], self.max_bytes)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await too_large(Request(scope), said)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise Refusal(413, said)
            return message

        await self.app(scope, counted, send)


def too_large(request: Request, said: Said) -> Response:
    """The 413 as the API says it (JSON with code and message) or as a page (the error page)."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": str(said), **said_fields(said, request_lang(request))}, status_code=413,
                            headers={"Connection": "close"})
    from ..web.base import lang_of, render
    from ..web.words import word

    message = word("too_large", lang_of(request)).format(said.params["limit"])
    response = render(request, "error.html", status=413, message=message)
    response.headers["Connection"] = "close"
    return response
