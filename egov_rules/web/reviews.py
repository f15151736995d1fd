"""Checking and re-checking for the pages: a stored version re-checked in the reader's language with the
rulebook it was saved with (the same findings, worded in zh or en), findings grouped by article with the
article's summary, submission snippets with the finding's line marked, and a version diff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..rules.articles import article_info
from ..service import store
from ..service.auth import User
from ..service.checking import CheckOutcome, CheckService
from ..service.store import StoreError
from ..text.i18n import citation
from .base import PageError

SNIPPET_CONTEXT = 2


@dataclass
class Checked:
    """A review with its report and text, as a page shows it."""
    review: dict[str, Any]  # store.get_review (summary, version, waivers, funding)
    report: dict[str, Any]  # the JSON report in the reader's language
    text: str  # the submission as text for its snippets ("" for a workbook: its findings name cells, not lines)
    data: bytes  # the submission as stored: what a re-check, an explanation or a what-if reads again
    fmt: str | None  # ... and the format it was read in (a YAML body saved as name=x.json is still YAML)


def checks(request: Request) -> CheckService:
    service: CheckService = request.app.state.checks
    return service


def load_review(request: Request, user: User, review_id: int, version: int | None, lang: str) -> Checked:
    db = request.app.state.db
    try:
        with db.read() as session:
            review = store.get_review(session, user, review_id, version)
            row = store.get_version_row(session, user, review_id, version)
            rulebook = store.stored_rulebook(session, row.rulebook_sha256)
            waivers = json.loads(row.waivers)
            data, source, fmt, stage = row.submission, row.source_name, row.content_format, row.stage
    except StoreError as exc:
        raise PageError(exc.status, "not_found", exc.text(lang)) from None
    service = checks(request)
    checker = service.checker_for(rulebook) if rulebook is not None else None
    outcome: CheckOutcome = service.check(data, source, fmt, stage, lang, checker=checker, waivers=waivers or None)
    return Checked(review, outcome.report, "" if is_workbook(data, source) else data.decode("utf-8", "replace"), data,
                   fmt)


def is_workbook(data: bytes, source: str) -> bool:
    """An xlsx workbook (a zip), never shown or re-read as text."""
    return data[:2] == b"PK" or source.lower().endswith((".xlsx", ".xlsm"))


async def load_review_async(request: Request, user: User, review_id: int, version: int | None,
                            lang: str) -> Checked:
    return await run_in_threadpool(load_review, request, user, review_id, version, lang)


def group_by_article(findings: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    groups: dict[int, dict[str, Any]] = {}
    for f in findings:
        n = int(f["article"])
        if n not in groups:
            info = article_info(n) or {}
            groups[n] = {"article": n, "citation": citation(n, None, None, lang),
                         "summary": info.get("summary_zh" if lang == "zh" else "summary_en") or "",
                         "text": info.get("text_zh" if lang == "zh" else "text_en") or "", "findings": []}
        groups[n]["findings"].append(f)
    return [groups[n] for n in sorted(groups)]


def snippet(text: str, line: int | None) -> list[tuple[int, str, bool]]:
    """The lines around ``line`` as (number, text, is_the_line)."""
    if not line:
        return []
    lines = text.splitlines()
    lo, hi = max(1, line - SNIPPET_CONTEXT), min(len(lines), line + SNIPPET_CONTEXT)
    return [(n, lines[n - 1], n == line) for n in range(lo, hi + 1)]


def todo(report_sub: dict[str, Any]) -> list[dict[str, Any]]:
    """Insufficient facts as a to-do list: each fact once, with the rules that need it."""
    items: dict[str, dict[str, Any]] = {}
    for f in report_sub["findings"]:
        for m in f.get("missing_facts") or []:
            entry = items.setdefault(m["pointer"], {"pointer": m["pointer"], "path": m["path"], "line": m.get("line"),
                                                    "citations": []})
            if f["citation"] not in entry["citations"]:
                entry["citations"].append(f["citation"])
    return list(items.values())


def diff_findings(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changes between two reports of the same submission: findings by fingerprint, decisions by project."""
    old = {f["fingerprint"]: f for f in before["findings"]}
    new = {f["fingerprint"]: f for f in after["findings"]}
    old_d = {d["project"]: d for d in store.project_decisions(before)}
    new_d = {d["project"]: d for d in store.project_decisions(after)}
    return {"new": [new[k] for k in new if k not in old], "fixed": [old[k] for k in old if k not in new],
            "unchanged": [new[k] for k in new if k in old],
            "decisions": [(p, old_d.get(p, {}).get("outcome"), new_d.get(p, {}).get("outcome"),
                           new_d.get(p, old_d.get(p, {})).get("outcome_text", ""))
                          for p in sorted(set(old_d) | set(new_d))
                          if old_d.get(p, {}).get("outcome") != new_d.get(p, {}).get("outcome")]}
