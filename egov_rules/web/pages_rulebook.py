"""The rulebook browser: articles 1-47 with their text, the rules that encode each (or why none), every rule's
conditions as written in its file and its own passing and failing examples."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..rules.articles import ENGINE_ENCODED, article_info
from ..rules.rule_data import Record
from ..text.i18n import citation
from .base import PageError, lang_of, need_user, render
from .pages_review import ALL

router = APIRouter(include_in_schema=False)


def _rules(request: Request) -> list[Any]:
    return list(request.app.state.checks.checker.rulebook.rules)


@router.get("/rulebook", response_class=HTMLResponse)
def rulebook(request: Request) -> Response:
    user = need_user(request, *ALL)
    lang = lang_of(request)
    rules = _rules(request)
    articles = []
    for n in range(1, 48):
        info = article_info(n) or {}
        articles.append({"n": n, "citation": citation(n, None, None, lang),
                         "summary": info.get("summary_zh" if lang == "zh" else "summary_en") or "",
                         "rules": sum(1 for r in rules if r.spec.article == n), "checkable": info.get("checkable")})
    return render(request, "rulebook.html", user=user, articles=articles)


@router.get("/rulebook/{number}", response_class=HTMLResponse)
def article(request: Request, number: int) -> Response:
    user = need_user(request, *ALL)
    lang = lang_of(request)
    info = article_info(number)
    if info is None or not 1 <= number <= 47:
        raise PageError(404, "not_found")
    zh = lang == "zh"
    rules = []
    for r in _rules(request):
        if r.spec.article != number:
            continue
        s = r.spec
        rules.append({"id": r.id, "citation": citation(s.article, s.paragraph, s.item, lang),
                      "title": s.title.zh if zh else s.title.en, "severity": s.severity,
                      "message": s.message.zh if zh else s.message.en,
                      "remediation": s.remediation.zh if zh else s.remediation.en,
                      "conditions": _conditions(r), "examples": _examples(r)})
    encoded = ENGINE_ENCODED.get(number)
    why_none = (encoded[1] if zh else encoded[0]) if encoded else (info.get("why_zh" if zh else "why_en")
                                                                   or info.get("notes") or "")
    return render(request, "article.html", user=user, n=number, citation=citation(number, None, None, lang),
                  summary=info.get("summary_zh" if zh else "summary_en") or "",
                  text=info.get("text_zh" if zh else "text_en") or "", rules=rules, why_none=why_none,
                  checkable=info.get("checkable"))


def _conditions(rule: Any) -> str:
    """The rule's for_each / when / require / downgrade as written in its file (the condition language is
    made to be read)."""
    s = rule.spec
    parts = {"for_each": s.for_each, "when": s.when, "require": s.require, "downgrade": s.downgrade}
    return yaml.safe_dump(_plain({k: v for k, v in parts.items() if v is not None}), allow_unicode=True,
                          sort_keys=False, width=100)


def _examples(rule: Any) -> list[dict[str, Any]]:
    return [{"name": e.name, "expect": e.expect, "base": e.base,
             "patch": yaml.safe_dump(_plain(e.patch), allow_unicode=True, sort_keys=False, width=100)}
            for e in rule.spec.examples]


def _plain(value: Any) -> Any:
    if isinstance(value, Record):  # a rule's checked data (rule_data): its fields that are set
        return _plain({name: v for name, v in zip(value.fields, value.values(), strict=True) if v is not None})
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
