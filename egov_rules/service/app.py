"""The application factory: ``create_app(settings)`` builds the FastAPI app over one database and one
``Checker``.  Errors become JSON with a status (422 with the CLI's message for bad input), never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import EgovError
from .checking import CheckService, error_body
from .db import Database, schema_status
from .refusals import INTERNAL, ROUTING, Refusal, error_fields, request_lang, request_message, said_fields
from .settings import Settings
from .store import StoreError

log = logging.getLogger("egov_rules.service")


def create_app(settings: Settings, *, checks: CheckService | None = None, upgrade: bool = False) -> FastAPI:
    """The application over ``settings.db_url``.  The schema must be current (``egov-rules db upgrade``), or
    ``upgrade=True`` brings it there first (for tests and embedding)."""
    from . import api, api_admin, api_rules
    from .db import upgrade as run_migrations

    db = Database(settings.db_url)
    if upgrade and schema_status(db) in ("empty", "behind"):
        run_migrations(db)
    status = schema_status(db)
    if status != "current":
        db.dispose()
        raise SchemaNotCurrent(status, settings.display_db())
    # docs_url/redoc_url off: FastAPI's pages load from a CDN; api_docs serves /docs from the package
    app = FastAPI(title="egov-rules review service", version=__version__, docs_url=None, redoc_url=None,
                  description="Checks e-government submissions against Fujian's Decree No. 156 and keeps every "
                              "review, decision, waiver and funding action.  Authenticate with "
                              "`Authorization: Bearer <token>` (`egov-rules tokens create NAME`).")
    app.state.settings = settings
    app.state.db = db
    app.state.checks = checks or CheckService(settings.limits)

    @app.exception_handler(EgovError)
    async def _input_error(request: Request, exc: EgovError) -> JSONResponse:
        return JSONResponse(error_body(exc, request_lang(request)), status_code=422)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        said = said_fields(exc.said, request_lang(request), exc.expected_said or exc.expected)
        return JSONResponse({"detail": exc.message, "field": exc.field, "expected": exc.expected, **said},
                            status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _refused(request: Request, exc: StarletteHTTPException) -> Response:
        """FastAPI's ``{"detail": …}``; a refusal said by a Wording adds its code and the reader's words."""
        from .api_admin import AccountRefused

        lang = request_lang(request)
        routing = ROUTING.get(exc.status_code)
        extra = (error_fields(exc.error, lang) if isinstance(exc, AccountRefused)
                 else said_fields(exc.said, lang) if isinstance(exc, Refusal)
                 else said_fields(routing(), lang) if routing is not None and exc.detail == routing.en else {})
        if not is_body_allowed_for_status_code(exc.status_code):
            return Response(status_code=exc.status_code, headers=exc.headers)
        said = exc.said if isinstance(exc, Refusal) else routing() if routing is not None else None
        if said is not None and _is_page(request):  # a stale link or a reloaded form's address: the error page
            from ..web.base import refusal_page

            return refusal_page(request, exc.status_code, said, exc.headers)
        return JSONResponse({"detail": exc.detail, **extra}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        """A bad query parameter or JSON body: which field, what is wrong (no echo of the input)."""
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "invalid"),
                   "type": e.get("type")} for e in exc.errors()]
        if not request.url.path.startswith("/api/"):  # a workbench page's link: its error page, not JSON
            from ..web.base import bad_link_page

            return bad_link_page(request, errors)
        return JSONResponse({"detail": request_message(errors, "en"), "field": errors[0]["field"] if errors else None,
                             "errors": errors, "code": "invalid_request",
                             "message": request_message(errors, request_lang(request))}, status_code=422)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.error("internal error: %s", type(exc).__name__, exc_info=exc)  # the traceback stays in the log
        if _is_page(request):
            from ..web.base import refusal_page

            return refusal_page(request, 500, INTERNAL())
        return JSONResponse({"detail": INTERNAL.en, **said_fields(INTERNAL(), request_lang(request))},
                            status_code=500)

    @app.get("/healthz", summary="Liveness: the service runs and its database answers")
    def healthz() -> dict[str, Any]:
        from sqlalchemy import text

        with db.read() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    app.include_router(api.router)
    app.include_router(api_rules.router)
    app.include_router(api_admin.router)
    from .. import web
    from . import api_docs

    api_docs.install(app)

    from .body_limit import BodyLimit

    app.add_middleware(BodyLimit, max_bytes=settings.max_body)  # inside the pages' security headers (added next)
    web.install(app, settings)  # the reviewer workbench's pages (issue 13)
    from . import api_errors

    api_errors.install(app)  # the error bodies the handlers above send, in the OpenAPI document
    app.router.on_shutdown.append(db.dispose)
    return app


def _is_page(request: Request) -> bool:
    from ..web.base import is_page

    return is_page(request)


class SchemaNotCurrent(EgovError):
    kind = "database"

    def __init__(self, status: str, where: str) -> None:
        how = {"empty": f"the database {where} has no schema yet",
               "behind": f"the database {where} has an older schema",
               "ahead": f"the database {where} was written by a newer egov-rules"}[status]
        fix = ("run `egov-rules db upgrade --db URL` (serve does it by itself unless --no-upgrade)"
               if status != "ahead" else "run the egov-rules version that wrote it, or a newer one")
        super().__init__(how, file=where, expected=fix)
        self.status = status
