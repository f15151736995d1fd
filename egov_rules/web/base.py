"""What every page shares: the Jinja2 environment (autoescaped), the chosen language (cookie), the signed-in
user (the service's browser session), CSRF tokens (double-submit cookie, checked on every POST) and the
security headers (CSP: scripts, styles and images from this service only, no inline script)."""

from __future__ import annotations

import hmac
import secrets
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..service.auth import SESSION_COOKIE, User, user_for_session
from ..service.refusals import ROLE_WORDS
from ..service.store import FUNDING_ACTION_WORDS, StoreError, project_decisions
from .words import DEFAULT_LANG, LANGS, WORDS, outcome_word, word

LANG_COOKIE = "egov_lang"
CSRF_COOKIE = "egov_csrf"
CSRF_FIELD = "csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class PageError(Exception):
    """A page that cannot be shown: status and a message key of ``words.py`` (or a ready text)."""

    def __init__(self, status: int, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail


def store_message(exc: StoreError, lang: str) -> str:
    """A request the store refused, in the reader's language, after the form field it is about (its label)."""
    text = exc.text(lang)
    if not exc.field:
        return text
    if lang == "zh":
        return f"{word(exc.field, lang) if exc.field in WORDS else exc.field}：{text}"
    return f"{exc.field}: {text}"


# the parameters of the pages' links (path and query), by the word that names them
LINK_PARAMS = {"review_id": "link_review", "review": "link_review", "a": "link_version", "b": "link_version",
               "version": "link_version", "number": "link_number", "rule": "link_rule", "page": "link_page",
               "lang": "link_lang"}
_WHOLE = ("int_parsing", "int_type", "int_from_float")


def bad_link_page(request: Request, errors: list[dict[str, Any]]) -> HTMLResponse:
    """A page asked for with a parameter that does not fit (``/reviews/abc``): the error page in the reader's
    language, not the API's JSON."""
    lang = lang_of(request)
    lines = []
    for error in errors:
        name = str(error.get("field") or "").rsplit(".", 1)[-1]
        kind = error.get("type")
        what = "link_whole" if kind in _WHOLE else "link_missing" if kind == "missing" else "link_invalid"
        param = word(LINK_PARAMS[name], lang) if name in LINK_PARAMS else word("link_param", lang) if lang == "zh" \
            else name
        lines.append(word("bad_link", lang).format(param, word(what, lang)))
    return render(request, "error.html", status=422, message="\n".join(lines))


NOT_PAGES = ("/api/", "/healthz", "/openapi.json", "/docs")  # answered in JSON (or Swagger's own page)


def is_page(request: Request) -> bool:
    """A request a browser makes of the workbench (every path but the API's): its refusals are pages."""
    return not request.url.path.startswith(NOT_PAGES)


def refusal_page(request: Request, status: int, said: Any, headers: Any = None) -> HTMLResponse:
    """A refusal made outside the pages' own code (no route, a method the route does not take, a body too
    large, a bug) as the error page in the reader's language, not the API's JSON."""
    response = render(request, "error.html", status=status, message=said.text(lang_of(request)))
    for name, value in (headers or {}).items():
        response.headers.setdefault(name, value)
    return response


def _environment() -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader(str(resources.files("egov_rules.web").joinpath("templates")))
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.ChainableUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    from ..text.labels import collection_label

    env.globals.update(outcome_word=outcome_word, collection_label=collection_label,
                       project_decisions=project_decisions, **CODE_WORDS)
    return env


def _in_zh(words: Any) -> Any:
    """A code shown as typed in English and by its label in Chinese (``reviewer`` / 审查人员)."""
    return lambda code, lang: words(code) if lang == "zh" else code


def _entity_zh(entity: str) -> str:
    from ..text.labels import entity_label

    return entity_label(entity, "zh")


def _stage_zh(stage: str) -> str:
    from ..text.i18n import stage_label

    return stage_label(stage, "zh")


# the codes pages show (roles, stages, entity types, funding actions), each by its label in Chinese
CODE_WORDS = {"role_word": _in_zh(lambda r: ROLE_WORDS.get(r, r)), "stage_word": _in_zh(_stage_zh),
              "entity_word": _in_zh(_entity_zh), "action_word": _in_zh(lambda a: FUNDING_ACTION_WORDS.get(a, a))}


_ENV: Any = None


def env() -> Any:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def lang_of(request: Request) -> str:
    value = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def check_csrf(request: Request) -> dict[str, Any]:
    """The form of a POST, after checking its CSRF token against the cookie (403 otherwise)."""
    from starlette.exceptions import HTTPException

    from ..service.body_limit import body_limit

    try:  # a field may be as long as the body may be (a pasted submission up to --max-bytes, not 1 MB)
        form = await request.form(max_part_size=body_limit(request.url.path, request.app.state.settings.max_body))
    except HTTPException as exc:  # starlette's 400 for a form it cannot parse (too many fields, a broken part)
        if exc.status_code != 400:
            raise
        raise PageError(400, "bad_form") from None
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise PageError(403, "csrf")
    return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k)) for k in form}


def page_user(request: Request) -> User | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    with request.app.state.db.read() as session:
        return user_for_session(session, value)


def need_user(request: Request, *roles: str) -> User:
    user = page_user(request)
    if user is None:
        raise PageError(401, "login")
    if roles and user.role not in roles:
        raise PageError(403, "forbidden")
    return user


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    user = context.pop("user", None) or getattr(request.state, "page_user", None)
    html = env().get_template(template).render(
        lang=lang, w=lambda key: word(key, lang), user=user, csrf=csrf_token(request), path=request.url.path,
        colon="：" if lang == "zh" else ": ", sep="、" if lang == "zh" else ", ",
        paren=(lambda n: f"（{n}）") if lang == "zh" else (lambda n: f" ({n})"),
        query=str(request.url.query), **context)
    response = HTMLResponse(html, status_code=status)
    remember_csrf(request, response)
    return response


def remember_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/",
                            secure=request.app.state.settings.cookie_secure)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
