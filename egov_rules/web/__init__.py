"""The reviewer workbench: server-rendered pages (Jinja2, autoescaped) over the review service, with htmx
(vendored) as a progressive enhancement; every page works without JavaScript.

``install(app, settings)`` adds the pages, the static files and the security headers to the service's app."""

from __future__ import annotations

from typing import Any


def install(app: Any, settings: Any) -> None:
    from importlib import resources

    from fastapi import Request
    from fastapi.responses import RedirectResponse, Response
    from fastapi.staticfiles import StaticFiles

    from . import pages_admin, pages_interview, pages_review, pages_rulebook
    from .base import CSP, PageError, lang_of, render
    from .words import word

    static = str(resources.files("egov_rules.web").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    for module in (pages_review, pages_interview, pages_admin, pages_rulebook):
        app.include_router(module.router)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        if exc.status == 401:
            return RedirectResponse("/login?next=" + request.url.path, status_code=303)
        message = exc.detail or word(exc.key, lang_of(request))
        return render(request, "error.html", status=exc.status, message=message)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
