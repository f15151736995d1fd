"""The supervisor's portfolio (Arts 42-43): the latest version of every review in scope over a period, counted
by unit, unit level, stage, Art 44 decision and article; top units and articles; decisions pending review;
bar charts as inline SVG built here (no script, no external library)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..errors import EgovError
from ..input.load import load_bytes
from ..service.auth import User
from ..service.models import Review, ReviewUnit, ReviewVersion
from ..service.store import project_decisions


@dataclass
class Portfolio:
    """The reviews a user may see, counted by unit, level, stage, decision and article."""
    reviews: int = 0
    by_unit: Counter[str] = field(default_factory=Counter)
    by_level: Counter[str] = field(default_factory=Counter)
    by_stage: Counter[str] = field(default_factory=Counter)
    by_decision: Counter[str] = field(default_factory=Counter)
    by_article: Counter[int] = field(default_factory=Counter)
    violations_by_unit: Counter[str] = field(default_factory=Counter)
    pending: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def build(session: Session, user: User, since: dt.date | None, until: dt.date | None) -> Portfolio:
    latest = and_(ReviewVersion.review_id == Review.id, ReviewVersion.number == Review.latest_version)
    query = select(Review, ReviewVersion).join(ReviewVersion, latest).order_by(Review.id)
    if since:
        query = query.where(ReviewVersion.created_at >= dt.datetime.combine(since, dt.time()))
    if until and until < dt.date.max:  # the last day a date can name has no next day: no upper bound then
        query = query.where(ReviewVersion.created_at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    out = Portfolio()
    for review, version in session.execute(query):
        units = set(session.scalars(select(ReviewUnit.unit_id).where(ReviewUnit.review_id == review.id)))
        if not user.can_see_units(units):
            continue
        sub = json.loads(version.report)["submissions"][0]
        levels = _unit_levels(version.submission, units)
        out.reviews += 1
        for unit in units:
            out.by_unit[unit] += 1
        for level in set(levels.values()):
            out.by_level[level] += 1
        for d in project_decisions(sub):
            out.by_stage[d["stage"] or "?"] += 1
            out.by_decision[d["outcome"]] += 1
            if d["outcome"] == "needs_review":
                out.pending.append({"review": review.id, "submission": review.submission_id, "project": d["project"]})
            out.rows.append({"review": review.id, "submission": review.submission_id, "version": version.number,
                             "saved": version.created_at.date().isoformat(), "units": " ".join(sorted(units)),
                             "project": d["project"], "stage": d["stage"], "decision": d["outcome"],
                             "violations": sum(1 for f in sub["findings"] if f["severity"] == "violation")})
        for f in sub["findings"]:
            if f["severity"] == "violation":
                out.by_article[int(f["article"])] += 1
                for unit in units:
                    out.violations_by_unit[unit] += 1
    return out


def _unit_levels(data: bytes, units: set[str]) -> dict[str, str]:
    try:
        doc = load_bytes(data, "stored")
    except EgovError:
        return {}
    items = doc.data.get("units") or [] if isinstance(doc.data, dict) else []
    return {u["id"]: str(u.get("level")) for u in items if isinstance(u, dict) and u.get("id") in units}


def bar_chart(counts: list[tuple[str, int]], title: str) -> str:
    """A horizontal bar chart as SVG markup; every text is escaped here since the caller marks it safe."""
    from markupsafe import escape

    width, bar_h, label_w = 560, 22, 200
    biggest = max((n for _, n in counts), default=1) or 1
    height = bar_h * len(counts) + 10
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for i, (label, n) in enumerate(counts):
        y = 5 + i * bar_h
        w = int((width - label_w - 50) * n / biggest)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{bar_h - 6}" fill="#3a6ea5"/>'
                     f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_csv(p: Portfolio) -> str:
    buf = io.StringIO()
    cols = ["review", "submission", "version", "saved", "units", "project", "stage", "decision", "violations"]
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for row in p.rows:
        # a cell starting with = + - @ would be a formula in a spreadsheet: quote it as text
        writer.writerow({k: ("'" + str(v) if str(v)[:1] in "=+-@" else v) for k, v in row.items()})
    return buf.getvalue()
