"""The portfolio pages for supervisors: filters, charts, top lists, pending decisions, CSV and HTML export."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from ..rules.articles import article_info
from ..text.i18n import citation
from ..text.labels import enum_label
from .base import PageError, lang_of, need_user, render
from .portfolio import bar_chart, build, to_csv
from .words import outcome_word, word

router = APIRouter(include_in_schema=False)


def _date(value: str | None, lang: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PageError(422, "period", word("bad_period", lang).format(value)) from None


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio(request: Request, since: str | None = None, until: str | None = None,
              export: str | None = None) -> Response:
    user = need_user(request, "supervisor", "admin")
    lang = lang_of(request)
    with request.app.state.db.read() as session:
        p = build(session, user, _date(since, lang), _date(until, lang))
    if export == "csv":
        return Response("\ufeff" + to_csv(p), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="portfolio.csv"'})

    def top(counter: object, label: object, n: int = 10) -> list[tuple[str, int]]:
        return [(label(k), v) for k, v in counter.most_common(n)]  # type: ignore[attr-defined,operator]

    def art(n: int) -> str:
        info = article_info(n) or {}
        return f"{citation(n, None, None, lang)} {info.get('summary_zh' if lang == 'zh' else 'summary_en') or ''}"

    charts = [
        (word("by_decision", lang), top(p.by_decision, lambda k: outcome_word(k, lang))),
        (word("by_stage", lang), top(p.by_stage, lambda k: enum_label("project", "stage", k, lang))),
        (word("by_level", lang), top(p.by_level, lambda k: enum_label("unit", "level", k, lang))),
        (word("by_unit", lang), top(p.by_unit, str)),
        (word("top_units", lang), top(p.violations_by_unit, str)),
        (word("top_articles", lang), top(p.by_article, art)),
    ]
    svgs = [(title, Markup(bar_chart(counts, title)) if counts else None) for title, counts in charts]
    template = "portfolio_report.html" if export == "html" else "portfolio.html"
    return render(request, template, user=user, p=p, charts=svgs, since=since or "", until=until or "",
                  generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
