"""The rulebook over HTTP: every rule, and one article with its text and rules, in English and Chinese."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request

from ..rules.articles import ENGINE_ENCODED, article_info
from ..text.i18n import citation
from .auth import CurrentUser
from .refusals import NO_ARTICLE, Refusal

router = APIRouter(prefix="/api/v1")


def _rule_dict(rule: Any) -> dict[str, Any]:
    s = rule.spec
    return {
        "id": rule.id, "article": s.article, "paragraph": s.paragraph, "item": s.item,
        "citation": {"en": citation(s.article, s.paragraph, None, "en"),
                     "zh": citation(s.article, s.paragraph, None, "zh")},
        "severity": s.severity, "art44": s.sanctions.art44, "art46": [a.item for a in s.sanctions.art46],
        "title": {"en": s.title.en, "zh": s.title.zh},
        "message": {"en": s.message.en, "zh": s.message.zh},
        "remediation": {"en": s.remediation.en, "zh": s.remediation.zh},
    }


@router.get("/rules", summary="Every rule of the rulebook the service checks with")
def rules(request: Request, _user: CurrentUser) -> dict[str, Any]:
    rb = request.app.state.checks.checker.rulebook
    return {"rulebook": {"version": rb.version, "sha256": rb.sha256},
            "rules": [_rule_dict(r) for r in rb.rules]}


@router.get("/articles/{number}", summary="One article of the Measures, its text and the rules that encode it")
def article(request: Request, _user: CurrentUser, number: int = Path(ge=1, le=47)) -> dict[str, Any]:
    info = article_info(number)
    if info is None:
        raise Refusal(404, NO_ARTICLE(number=number))
    rb = request.app.state.checks.checker.rulebook
    encoded = ENGINE_ENCODED.get(number)
    return {
        "article": number, "chapter": info.get("chapter"),
        "citation": {"en": citation(number, None, None, "en"), "zh": citation(number, None, None, "zh")},
        "summary": {"en": info.get("summary_en"), "zh": info.get("summary_zh")},
        "text": {"en": info.get("text_en"), "zh": info.get("text_zh")},
        "checkable": info.get("checkable"),
        "engine": {"en": encoded[0], "zh": encoded[1]} if encoded else None,
        "rules": [_rule_dict(r) for r in rb.rules if r.spec.article == number],
        "co_cited_by": [r.id for r in rb.rules if number in r.spec.also_cites],
    }
