"""Human text of ``rules show`` and ``articles`` in English or Chinese (the article summary labelled as a
summary, never the machine translation quoted as if it were the article)."""

from __future__ import annotations

from typing import Any

from ..rules.articles import article_info
from .i18n import SEVERITY, art46_citation, citation, cn_number, t
from .zh import tidy_zh, zh_terms

CLASS = {"A": ("A (shall not be implemented)", "A类（不得组织实施）"),
         "B": ("B (consequence by stage)", "B类（按阶段处理）"),
         "B-review": ("B, for a reviewer to confirm", "B类，待审核确认"),
         "A-review": ("A, for a reviewer to confirm", "A类，待审核确认"), "none": ("none", "无")}
CHECKABLE = {"yes": ("checkable", "可核查"), "partly": ("partly checkable", "部分可核查"),
             "no": ("not checkable", "不可核查")}
CONFIDENCE = {"high": "高", "medium-high": "中高", "medium": "中", "medium-low": "中低", "low": "低"}
SUMMARY_LABEL = ("Summary of the article (not the official text)", "条文要点（非原文）")


def _text(value: Any, lang: str) -> str:
    raw = str(getattr(value, lang))
    return tidy_zh(zh_terms(raw)) if lang == "zh" else " ".join(raw.split())


def _item_number(item: str) -> str:
    """Check (a), (b) ... of an article as 一, 二 ...; anything else as given."""
    if len(item) == 1 and "a" <= item <= "z":
        return cn_number(ord(item) - ord("a") + 1)
    return item


def rule_lines(rule: Any, lang: str) -> list[str]:
    s = rule.spec
    zh = lang == "zh"
    cite = citation(s.article, s.paragraph, None, lang)
    sev = t(SEVERITY[s.severity], lang)
    cls = t(CLASS.get(s.sanctions.art44, (s.sanctions.art44, s.sanctions.art44)), lang)
    items = ("、" if zh else ", ").join(art46_citation(a.item, lang) for a in s.sanctions.art46) or (
        "无" if zh else "none")
    if zh:
        head = [f"{rule.id}（{rule.file}:{rule.line}）",
                f"{cite}" + (f"（第{_item_number(s.item)}项检查）" if s.item else "")
                + f"  级别：{sev}  第四十四条：{cls}  第四十六条：{items}",
                f"自 {s.applies_from} 起适用" + (f"，至 {s.applies_until} 止" if s.applies_until else "")
                + (f"，以{tidy_zh(zh_terms(s.conduct_date))}为行为发生之日（第四十七条）" if s.conduct_date else "")]
    else:
        head = [f"{rule.id}  ({rule.file}:{rule.line})",
                f"{cite}" + (f" check ({s.item})" if s.item else "") + f"  severity: {sev}  Art 44: {cls}  "
                f"Art 46: {items}",
                f"applies from {s.applies_from}" + (f" until {s.applies_until}" if s.applies_until else "")
                + (f" to the act dated by {s.conduct_date} (Art 47)" if s.conduct_date else "")]
    colon = "：" if zh else ": "
    lines = [*head, "", _text(s.title, lang), "", _text(s.message, lang), "",
             ("整改建议" if zh else "Remediation") + colon + _text(s.remediation, lang)]
    if s.question is not None:
        label = "材料不全时的问题" if zh else "Question when facts are missing"
        lines += ["", label + colon + _text(s.question, lang)]
    if s.interpretation:
        it = s.interpretation
        conf = CONFIDENCE.get(it.confidence, it.confidence) if zh else it.confidence
        lines += ["", (f"解释说明 {it.note}（可信度{conf}）：" if zh else
                       f"Interpretation {it.note} (confidence {conf}): ") + _text(it.text, lang)]
    info = article_info(s.article)
    if info:
        summary = " ".join(str(info.get(f"summary_{lang}") or info.get("summary_en") or "").split())
        lines += ["", f"{t(SUMMARY_LABEL, lang)}，{citation(s.article, None, None, lang)}{colon}{summary}" if zh else
                  f"{t(SUMMARY_LABEL, lang)}, {citation(s.article, None, None, lang)}: {summary}"]
    return lines


def article_lines(data: dict[str, Any], lang: str) -> list[str]:
    zh = lang == "zh"
    out = []
    for a in data["articles"]:
        chapter = f"第{cn_number(int(a['chapter']))}章" if zh and a.get("chapter") else f"ch {a['chapter']}"
        state = t(CHECKABLE.get(str(a["checkable"]), (str(a["checkable"]), str(a["checkable"]))), lang)
        if a["rules"]:
            rules_text = ", ".join(a["rules"])
        else:
            reason = a["reason"] or ("尚无规则" if zh else "no rule yet")
            rules_text = "—  " + (tidy_zh(zh_terms(reason)) if zh else reason)
        width = 10 if zh else 12
        out.append(f"{a['citation']:<{width}} {chapter}  {state}  {a['summary']}")
        out.append(f"{'':<{width}} {rules_text}")
    return out
