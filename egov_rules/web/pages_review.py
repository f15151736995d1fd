"""Pages: log in and out, language, the list of reviews, a new review (upload or paste), the review page
(decisions, findings by article, to-do list, explain), waivers, funding actions, versions and what-if."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ..decisions.sanctions import STAGES
from ..errors import EgovError
from ..input.load import load_bytes
from ..service import store
from ..service.auth import (
    SESSION_COOKIE,
    LoginOutcome,
    clear_session_cookie,
    client_address,
    destroy_session,
    log_in,
    set_session_cookie,
)
from ..service.store import StoreError
from .base import LANG_COOKIE, PageError, check_csrf, lang_of, need_user, redirect, render, store_message
from .reviews import checks, diff_findings, group_by_article, is_workbook, load_review_async, snippet, todo
from .words import LANGS, word

router = APIRouter(include_in_schema=False)
ALL = ("reviewer", "finance", "supervisor", "admin")
MAX_FORM_TEXT = 200_000


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //other.site or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ------------------------------------------------------------------------------------------- access
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await check_csrf(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    next_page = _safe_next(str(form.get("next", "/")))
    settings = request.app.state.settings

    def attempt() -> LoginOutcome:
        with request.app.state.db.write() as session:
            return log_in(session, name, password, settings, client_address(request))

    outcome = await run_in_threadpool(attempt)
    if outcome.retry_after:
        minutes = math.ceil(outcome.retry_after / 60)
        message = word("throttled_1" if minutes == 1 else "throttled", lang_of(request)).format(minutes)
        page = render(request, "login.html", status=429, next=next_page, failed=False, throttled=message)
        page.headers["Retry-After"] = str(outcome.retry_after)
        return page
    if outcome.cookie is None:
        return render(request, "login.html", status=401, next=next_page, failed=True)
    response = redirect(next_page)
    set_session_cookie(response, outcome.cookie, settings)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        with request.app.state.db.write() as session:
            destroy_session(session, value)
    response = redirect("/login")
    clear_session_cookie(response)
    return response


@router.get("/lang/{lang}")
def set_lang(request: Request, lang: str, next: str = "/") -> Response:
    """A plain link (no form): the language is not a state change worth a CSRF token."""
    response = redirect(_safe_next(next))
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


# ------------------------------------------------------------------------------------------- list, new
@router.get("/", response_class=HTMLResponse)
def home(request: Request, page: int = 1) -> Response:
    user = need_user(request, *ALL)
    with request.app.state.db.read() as session:
        listing = store.list_reviews(session, user, page=max(1, page), per_page=50)
    return render(request, "home.html", user=user, listing=listing)


@router.get("/reviews/new", response_class=HTMLResponse)
def new_page(request: Request) -> Response:
    user = need_user(request, "reviewer", "supervisor", "admin", "finance")
    return render(request, "new.html", user=user, stages=STAGES, error=None, text="", result=None)


async def _submission_of(form: dict[str, Any]) -> tuple[bytes, str]:
    upload: Any = form.get("file")
    if isinstance(upload, list):  # the page's form sends one file; a hand-made post may send several
        raise PageError(422, "one_file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        data = await upload.read()
        name = "".join(c for c in (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
        return data, name[:200] or "submission.yaml"
    text = str(form.get("text") or "")
    return text.encode("utf-8"), "submission.yaml"


@router.post("/reviews/new", response_class=HTMLResponse)
async def new_check(request: Request) -> Response:
    user = need_user(request, *ALL)
    form = await check_csrf(request)
    lang = lang_of(request)
    data, source = await _submission_of(form)
    stage = str(form.get("stage") or "") or None
    save = form.get("save") == "1"
    if save and user.role != "reviewer":
        raise PageError(403, "forbidden")
    service = checks(request)
    # a workbook (a zip) is checked like YAML but never echoed as text; its findings name sheet!cell
    workbook = is_workbook(data, source)
    text = data.decode("utf-8", "replace") if len(data) <= MAX_FORM_TEXT and not workbook else ""
    if len(data) > service.limits.max_bytes:
        return render(request, "new.html", status=413, user=user, stages=STAGES, text="", result=None,
                      error=f"> {service.limits.max_bytes} bytes")
    try:
        outcome = await run_in_threadpool(service.check, data, source, None, stage, lang)
    except EgovError as exc:
        return render(request, "new.html", status=422, user=user, stages=STAGES, text=text, result=None,
                      error=_error_text(exc, lang))
    if not save:
        sub = outcome.report["submissions"][0]
        return render(request, "new.html", user=user, stages=STAGES, text=text, error=None, result=sub,
                      groups=group_by_article(sub["findings"], lang), todo=todo(sub), source_text=text,
                      snippet=snippet, review_id=None)
    try:
        review_id, _version = await run_in_threadpool(save_checked, request, user, data, source, stage, lang)
    except EgovError as exc:
        return render(request, "new.html", status=422, user=user, stages=STAGES, text=text, result=None,
                      error=_error_text(exc, lang))
    except StoreError as exc:
        raise PageError(exc.status, "forbidden", exc.text(lang)) from None
    return redirect(f"/reviews/{review_id}")


def save_checked(request: Request, user: Any, data: bytes, source: str, stage: str | None,
                 lang: str, fmt: str | None = None) -> tuple[int, int]:
    """Check and save as the API's save does (the review's waivers applied), committed before returning."""
    service, db = checks(request), request.app.state.db
    outcome = service.check(data, source, fmt, stage, lang)
    with db.read() as session:
        waivers = store.active_waivers(session, outcome.submission_id) if outcome.submission_id else []
    if waivers:
        outcome = service.check(data, source, fmt, stage, lang, waivers=waivers)
    with db.write() as session:
        return store.save_review(session, user, service.to_save(outcome, data, source, fmt, stage, lang, waivers))


def _error_text(exc: EgovError, lang: str) -> str:
    """The CLI's message (file:line:column, field, expected), in the reader's language."""
    text = exc.render(lang)
    return ("申报材料有误（文件:行:列，字段，应为）：\n" + text) if lang == "zh" else text


# ------------------------------------------------------------------------------------------- review page
@router.get("/reviews/{review_id}", response_class=HTMLResponse)
async def review_page(request: Request, review_id: int, version: int | None = None) -> Response:
    user = need_user(request, *ALL)
    lang = lang_of(request)
    checked = await load_review_async(request, user, review_id, version, lang)
    sub = checked.report["submissions"][0]
    with request.app.state.db.read() as session:
        versions = store.list_versions(session, user, review_id)
    return render(request, "review.html", user=user, review=checked.review, result=sub,
                  groups=group_by_article(sub["findings"], lang), todo=todo(sub), source_text=checked.text,
                  snippet=snippet, versions=versions, actions=store.FUNDING_ACTIONS, review_id=review_id,
                  today=dt.date.today().isoformat())


@router.get("/reviews/{review_id}/explain", response_class=HTMLResponse)
async def explain_page(request: Request, review_id: int, rule: str, entity: str | None = None) -> Response:
    from ..explain import explain, render_table

    user = need_user(request, *ALL)
    lang = lang_of(request)
    checked = await load_review_async(request, user, review_id, None, lang)
    service = checks(request)
    try:
        doc = load_bytes(checked.data, checked.review["version"]["source_name"], fmt=checked.fmt,
                         limits=service.limits)
        text = await run_in_threadpool(lambda: render_table(explain(service.checker, doc, rule, entity), lang))
    except EgovError as exc:
        raise PageError(422, "not_found", exc.render(lang)) from None
    return render(request, "explain.html", user=user, review_id=review_id, rule=rule, text=text)


@router.post("/reviews/{review_id}/waivers")
async def add_waiver(request: Request, review_id: int) -> Response:
    user = need_user(request, "reviewer")
    form = await check_csrf(request)
    lang = lang_of(request)
    try:
        expires = dt.date.fromisoformat(str(form.get("expires", "")))
    except ValueError:
        raise PageError(422, "expires", word("bad_expiry", lang)) from None
    try:
        with request.app.state.db.write() as session:
            store.add_waiver(session, user, review_id, str(form.get("fingerprint", "")),
                             str(form.get("justification", "")), str(form.get("approver", "")), expires)
    except StoreError as exc:
        raise PageError(exc.status, "not_found", store_message(exc, lang_of(request))) from None
    return redirect(f"/reviews/{review_id}#waivers")


@router.post("/reviews/{review_id}/recheck")
async def recheck(request: Request, review_id: int) -> Response:
    """Save the latest submission again as a new version: its waivers now apply."""
    user = need_user(request, "reviewer")
    await check_csrf(request)
    lang = lang_of(request)
    checked = await load_review_async(request, user, review_id, None, lang)
    v = checked.review["version"]
    try:
        await run_in_threadpool(save_checked, request, user, checked.data, v["source_name"], v["stage"], lang,
                                checked.fmt)
    except StoreError as exc:  # the latest version concerns none of the reviewer's units: not theirs to save
        raise PageError(exc.status, "forbidden", exc.text(lang)) from None
    except EgovError as exc:
        raise PageError(422, "bad_input", _error_text(exc, lang)) from None
    return redirect(f"/reviews/{review_id}")


@router.post("/reviews/{review_id}/funding")
async def add_funding(request: Request, review_id: int) -> Response:
    user = need_user(request, "finance")
    form = await check_csrf(request)
    seen = str(form.get("version") or "")
    try:
        with request.app.state.db.write() as session:
            store.add_funding(session, user, review_id, str(form.get("project", "")), str(form.get("action", "")),
                              str(form.get("amount") or "") or None, str(form.get("reference") or "") or None,
                              str(form.get("note") or "") or None, int(seen) if seen.isdigit() else None)
    except StoreError as exc:
        raise PageError(exc.status, "not_found", store_message(exc, lang_of(request))) from None
    return redirect(f"/reviews/{review_id}#funding")


@router.get("/reviews/{review_id}/compare", response_class=HTMLResponse)
async def compare(request: Request, review_id: int, a: int, b: int) -> Response:
    user = need_user(request, *ALL)
    lang = lang_of(request)
    old = await load_review_async(request, user, review_id, a, lang)
    new = await load_review_async(request, user, review_id, b, lang)
    diff = diff_findings(old.report["submissions"][0], new.report["submissions"][0])
    return render(request, "compare.html", user=user, review_id=review_id, a=a, b=b, diff=diff,
                  title_key="versions")


@router.post("/reviews/{review_id}/whatif", response_class=HTMLResponse)
async def whatif(request: Request, review_id: int) -> Response:
    """Change one fact of the latest version and show what changes; nothing is saved."""
    from ..interview.draft import set_at

    user = need_user(request, *ALL)
    form = await check_csrf(request)
    lang = lang_of(request)
    checked = await load_review_async(request, user, review_id, None, lang)
    service = checks(request)
    pointer = str(form.get("pointer", "")).strip()
    try:
        doc = load_bytes(checked.data, checked.review["version"]["source_name"], fmt=checked.fmt,
                         limits=service.limits)
        value = yaml.safe_load(str(form.get("value", "")))
        data = doc.data
        if not pointer.startswith("/") or not isinstance(data, dict):
            raise PageError(422, "field_pointer", word("bad_pointer", lang).format(pointer))
        set_at(data, pointer, value)
        changed = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
        v = checked.review["version"]
        outcome = await run_in_threadpool(service.check, changed, "what-if.yaml", "yaml", v["stage"], lang)
    except EgovError as exc:
        raise PageError(422, "bad_input", exc.render(lang)) from None
    except (yaml.YAMLError, KeyError, IndexError, ValueError, TypeError, RecursionError) as exc:
        # a value nested thousands deep exhausts PyYAML's recursive composer (or the dump): said, not a 500
        said = word("too_deep", lang) if isinstance(exc, RecursionError) else type(exc).__name__ if lang != "zh" \
            else word("bad_yaml" if isinstance(exc, yaml.YAMLError) else "no_such_fact", "zh")
        raise PageError(422, "bad_input", word("bad_whatif", lang).format(pointer, said)) from None
    diff = diff_findings(checked.report["submissions"][0], outcome.report["submissions"][0])
    return render(request, "compare.html", user=user, review_id=review_id, a=None, b=None, diff=diff,
                  title_key="whatif", pointer=pointer)
