"""The 47 articles of the Measures (data/articles.yaml) and which rules encode each."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..text.i18n import citation
from .rulebook import Rulebook


@cache
def catalogue() -> dict[str, Any]:
    text = resources.files("egov_rules").joinpath("data/articles.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


# Articles applied by the engine itself rather than by rules of their own.
ENGINE_ENCODED = {
    44: ("the Art 44 decision: every finding carries its class; `gate` decides per project and stage (sanctions.py)",
         "第四十四条处理意见：每项问题标注其类别，由准入判定命令按项目所处阶段作出决定"),
    46: ("the Art 46 item and whether it applies or is only potential are given on every finding (sanctions.py)",
         "每项问题均标注第四十六条对应项，以及该项适用或可能适用"),
    47: ("temporal gate: a rule judges acts dated on or after 2015-04-01 (applies_from tested against the act's "
         "date: implementation start, filing); continuing duties cover older assets",
         "时间效力：规则只评判2015年4月1日及以后发生的行为（以实施开始、备案等行为发生之日为准）；此前已有资产按持续性义务检查"),
}


def article_info(number: int) -> dict[str, Any] | None:
    for a in catalogue().get("articles", []):
        if a.get("article") == number:
            return dict(a)
    return None


def articles_report(rulebook: Rulebook, lang: str = "en") -> dict[str, Any]:
    by_article: dict[int, list[str]] = {}
    co_cited: dict[int, list[str]] = {}
    for r in rulebook.rules:
        by_article.setdefault(r.spec.article, []).append(r.id)
        for a in r.spec.also_cites:
            co_cited.setdefault(a, []).append(r.id)
    out = []
    for a in catalogue().get("articles", []):
        n = a["article"]
        checkable = a.get("checkable")
        checkable = {True: "yes", False: "no"}.get(checkable, checkable)
        reason = a.get(f"reason_not_checkable_{lang}") or a.get("reason_not_checkable_en")
        rules = sorted(by_article.get(n, []))
        also = sorted(co_cited.get(n, []))
        engine = ENGINE_ENCODED.get(n)
        if engine and not rules:
            reason = engine[1] if lang == "zh" else engine[0]
        if not rules and checkable != "no" and not reason:
            reason = ("尚未编码为规则" if lang == "zh" else "not yet encoded as rules")
        out.append({
            "article": n,
            "chapter": a.get("chapter"),
            "citation": citation(n, None, None, lang),
            "summary": a.get(f"summary_{lang}") or a.get("summary_en"),
            "checkable": checkable,
            "rules": rules,
            "co_cited_by": also,
            "encoded_by": "rules" if rules else ("engine" if engine else ("co-citation" if also else None)),
            "reason": None if rules else (reason if not also else (
                f"co-cited by {', '.join(also)}" if lang != "zh" else f"由规则 {'、'.join(also)} 同时引用")),
        })
    return {"articles": out}
