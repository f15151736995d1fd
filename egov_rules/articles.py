"""The 47 articles of the Measures (data/articles.yaml) and which rules encode each."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from .i18n import citation
from .rulebook import Rulebook


@cache
def catalogue() -> dict[str, Any]:
    text = resources.files("egov_rules").joinpath("data/articles.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def article_info(number: int) -> dict[str, Any] | None:
    for a in catalogue().get("articles", []):
        if a.get("article") == number:
            return dict(a)
    return None


def articles_report(rulebook: Rulebook, lang: str = "en") -> dict[str, Any]:
    by_article: dict[int, list[str]] = {}
    for r in rulebook.rules:
        by_article.setdefault(r.spec.article, []).append(r.id)
    out = []
    for a in catalogue().get("articles", []):
        n = a["article"]
        checkable = a.get("checkable")
        checkable = {True: "yes", False: "no"}.get(checkable, checkable)
        reason = a.get(f"reason_not_checkable_{lang}") or a.get("reason_not_checkable_en")
        rules = sorted(by_article.get(n, []))
        if not rules and checkable != "no" and not reason:
            reason = ("尚未编码为规则" if lang == "zh" else "not yet encoded as rules")
        out.append({
            "article": n,
            "chapter": a.get("chapter"),
            "citation": citation(n, None, None, lang),
            "summary": a.get(f"summary_{lang}") or a.get("summary_en"),
            "checkable": checkable,
            "rules": rules,
            "reason": None if rules else reason,
        })
    return {"articles": out}
