"""The guided interview in the browser.  Its whole state (a base submission and the answers so far) travels in
a hidden form field, so the pages need no server-side session, work without JavaScript (each answer posts the
form and gets the next page) and, with htmx, swap only the interview panel."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import EgovError
from ..input.load import load_bytes
from ..interview import ADD, DONE, NEW_PREFIX, UNKNOWN, AnswerError, Interview, Question
from ..interview.draft import split_new
from ..service.store import StoreError
from .base import PageError, check_csrf, is_htmx, lang_of, need_user, redirect, render
from .pages_review import ALL, save_checked
from .reviews import group_by_article, load_review_async
from .words import word

router = APIRouter(include_in_schema=False)


def _state(interview: Interview) -> str:
    return json.dumps({"base": interview.base, "answers": interview.answers}, ensure_ascii=False)


def _from_state(request: Request, text: str, lang: str) -> Interview:
    try:
        state = json.loads(text or "{}")
        base = state.get("base") or {}
        answers = [(str(p), v) for p, v in state.get("answers") or []]
        if not isinstance(base, dict) or not isinstance(base.get("submission", {}), dict):
            raise ValueError
        # the state comes back from the browser: one it could not have written is refused, not replayed
        interview = Interview(request.app.state.checks.checker, base, answers, lang)
        for pointer, _ in answers:
            interview.question(pointer, "format")  # AnswerError (a ValueError) when no question has it
        return interview
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):  # (JSON nested too deep)
        raise PageError(422, "bad_input", word("bad_state", lang)) from None


def _show(request: Request, interview: Interview, error: str | None = None, focus: str | None = None,
          status: int = 200) -> Response:
    lang = interview.lang
    try:
        questions = [interview.question(focus, "format")] if focus else interview.next_questions()
    except AnswerError:
        questions = interview.next_questions()
    except EgovError as exc:
        questions, error = [], exc.render(lang)
    _completed, result, check_error = interview.check()
    sub = None
    if result is not None:
        from ..check import Report
        from ..reports import RenderOptions
        from ..reports import render as render_report

        report = Report([result], interview.checker.rulebook, interview.checker.engine.name)
        sub = json.loads(render_report(report, "json", RenderOptions(lang=lang)))["submissions"][0]
    answered = [(p, shown_answer(q, v, lang), q.label) for p, v in interview.answers if v not in (ADD, DONE)
                for q in [interview.question(p, "format")]]
    template = "interview_panel.html" if is_htmx(request) else "interview.html"
    return render(request, template, status=status, questions=questions, state=_state(interview), error=error,
                  result=sub, groups=group_by_article(sub["findings"], lang) if sub else [], answered=answered,
                  done=not questions and check_error is None, check_error=check_error.render(lang) if check_error
                  else None, asked=len(interview.answers), UNKNOWN=UNKNOWN, ADD=ADD, DONE=DONE, NEW=NEW_PREFIX)


@router.get("/interview", response_class=HTMLResponse)
async def start(request: Request, review: int | None = None, focus: str | None = None) -> Response:
    user = need_user(request, *ALL)
    lang = lang_of(request)
    base: dict[str, Any] = {}
    if review is not None:  # continue from a saved review's submission, at the fact its to-do list named
        checked = await load_review_async(request, user, review, None, lang)
        try:
            base = load_bytes(checked.data, checked.review["version"]["source_name"], fmt=checked.fmt).data
        except EgovError as exc:
            raise PageError(422, "bad_input", exc.render(lang)) from None
    interview = Interview(request.app.state.checks.checker, base, [], lang)
    request.state.page_user = user
    return await run_in_threadpool(_show, request, interview, None, focus)


@router.post("/interview", response_class=HTMLResponse)
async def step(request: Request) -> Response:
    user = need_user(request, *ALL)
    request.state.page_user = user
    form = await check_csrf(request)
    lang = lang_of(request)
    interview = _from_state(request, str(form.get("state", "")), lang)
    action = str(form.get("action", "answer"))
    if action == "back":
        return await run_in_threadpool(_show, request, interview.back())
    if action.startswith("change:"):
        pointer = action[len("change:"):]
        return await run_in_threadpool(_show, request, interview.without(pointer), None, pointer)
    if action == "download":
        body = interview.yaml()
        name = str(interview.draft["submission"].get("id") or "submission")
        safe = "".join(c for c in name if c.isalnum() or c in "._-") or "submission"
        return Response(body, media_type="application/yaml",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'})
    if action == "save":
        if user.role != "reviewer":
            raise PageError(403, "forbidden")
        try:
            review_id, _ = await run_in_threadpool(save_checked, request, user, interview.yaml().encode("utf-8"),
                                                   "interview.yaml", None, lang)
        except EgovError as exc:
            return await run_in_threadpool(_show, request, interview, exc.render(lang), None, 422)
        except StoreError as exc:  # units outside the reviewer's scope: shown, nothing saved
            return await run_in_threadpool(_show, request, interview, exc.text(lang), None, exc.status)
        return redirect(f"/reviews/{review_id}")
    for pointer in [str(p) for p in _as_list(form.get("pointer"))]:
        try:
            kind = interview.question(pointer, "format").kind
        except AnswerError:
            kind = ""
        raw = form.get(f"v:{pointer}")
        if isinstance(raw, list) and kind != "refs":  # a text box and its "unknown" box: the one filled in
            raw = next((x for x in reversed(raw) if x), "")
        new_ids = [x for x in re.split(r"[\s,，]+", str(form.get(f"new:{pointer}") or "")) if x]
        if new_ids:
            kept = [x for x in _as_list(raw) if x and x != UNKNOWN]
            home = str(form.get(f"newcoll:{pointer}") or "")
            prefix = NEW_PREFIX + (home + "/" if home else "")
            raw = [*kept, *(prefix + x for x in new_ids)] if kind == "refs" else prefix + new_ids[0]
        try:
            interview = interview.with_answer(pointer, raw if raw is not None else "")
        except AnswerError as exc:
            return await run_in_threadpool(_show, request, interview, exc.message["zh" if lang == "zh" else "en"],
                                           pointer, 422)
    return await run_in_threadpool(_show, request, interview)


def shown_answer(q: Question, value: Any, lang: str) -> str:
    """An answer as the page lists it: a choice by its label, yes or no in words, a new entity's id marked new
    (never the codes the state holds: ``False``, ``project_proposal``, ``__new__:units/u1``)."""
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(shown_answer(q, v, lang) for v in value)
    if value is None or value == UNKNOWN:
        return word("unknown", lang)
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if q.kind == "enum":
        return dict(q.choices).get(str(value), str(value))
    if isinstance(value, str) and value.startswith(NEW_PREFIX):
        _home, new_id = split_new(value, q.new_collections)
        return f"{new_id}（{word('new_f', lang)}）" if lang == "zh" else f"{new_id} ({word('new_f', lang).lower()})"
    return str(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
