"""Reviews, versions, waivers, funding actions and the audit trail: pure functions over a SQLAlchemy session,
shared by the API and the web pages.  Every function takes the ``User`` asking and applies unit scope; a
review outside the user's units is reported as not found, so ids do not reveal other units' work."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ..errors import Local, Said, Wording
from .auth import User, audit
from .models import (
    AuditEntry,
    FundingAction,
    Review,
    ReviewUnit,
    ReviewVersion,
    RulebookSnapshot,
    Waiver,
    stored_int,
)
from .refusals import E_ONE_OF

FUNDING_ACTIONS = ("approve", "fund", "withhold", "suspend", "resume", "continue", "accept", "reject",
                   "recover_funds", "other")
FUNDING_ACTION_WORDS = {"approve": "批准", "fund": "拨付资金", "withhold": "不予拨付", "suspend": "暂停",
                        "resume": "恢复", "continue": "继续", "accept": "验收通过", "reject": "不予通过",
                        "recover_funds": "追回资金", "other": "其他"}


class StoreError(Exception):
    """A request the store refuses; ``message`` is the API's (English) text, ``text(lang)`` the page's."""

    status = 422

    def __init__(self, message: str | Said, field: str | None = None, expected: str | Said | None = None) -> None:
        super().__init__(str(message))
        self.message, self.field = str(message), field
        self.expected = None if expected is None else str(expected)
        self.said = message if isinstance(message, Said) else None
        self.expected_said = expected if isinstance(expected, Said) else None

    def text(self, lang: str) -> str:
        return self.said.text(lang) if self.said is not None else self.message


# what the store refuses, in both languages, with the code the API sends (the workbench says the reader's words)
OUTSIDE_SCOPE = Wording("the submission concerns units outside your scope: {units}",
                        "报送材料涉及您权限范围以外的单位：{units}", "outside_scope")
UNDER_OTHERS = Wording("submission '{id}' is already under review by other units", "报送材料“{id}”已由其他单位审查",
                       "under_review_elsewhere")
NO_REVIEW = Wording("no review {id}", "没有编号为 {id} 的审查记录", "review_not_found")
NO_VERSION = Wording("review {id} has no version {n}", "审查记录 {id} 没有第 {n} 版", "version_not_found")
EMPTY = Wording("must not be empty", "不能为空", "empty")
TOO_LONG = Wording("longer than {limit} characters", "超过 {limit} 个字符", "too_long")
NO_FINDING = Wording("no finding with fingerprint '{fingerprint}' in the latest version",
                     "最新版本中没有指纹为“{fingerprint}”的检查结果", "finding_not_found")
EXPIRED = Wording("the expiry date has passed", "有效期已过", "expiry_passed")
UNKNOWN_ACTION = Wording("unknown action '{action}'", "未知的资金处理“{action}”", "unknown_funding_action")
STALE_VERSION = Wording("review {id} has a newer version ({latest}) than the one the action was taken on ({seen})",
                        "审查记录 {id} 已有更新的版本（第 {latest} 版），处理所依据的是第 {seen} 版", "version_stale")
E_LATEST = Wording("the latest version's decision: reload the review", "依据最新版本的处理决定：请重新打开审查记录")
NO_DECISION = Wording("no Art 44 decision for project '{project}' in the latest version",
                      "最新版本中没有项目“{project}”的第四十四条处理决定", "decision_not_found")
BAD_AMOUNT = Wording("not an amount in yuan: '{amount}'", "不是以元为单位的金额：“{amount}”", "bad_amount")
E_TEXT = Wording("a non-empty text", "非空文本")
E_AMOUNT = Wording("yuan as a decimal, at most two places (1250000.00)", "以元计的金额，最多两位小数（如 1250000.00）")
E_FINGERPRINT = Wording("a fingerprint from the review's latest report", "该审查记录最新报告中某条检查结果的指纹")
E_FUTURE = Wording("a date after today", "今天之后的日期")
E_A_PROJECT = Wording("a project of the review", "该审查记录中的项目")


class NotFound(StoreError):
    status = 404


OFFSET_MAX = 2**62  # past every row, and within the 64-bit OFFSET of both databases


def page_offset(page: int, per_page: int) -> int:
    """The rows before ``page``: a page far past the end is empty, never an overflow."""
    return min((page - 1) * per_page, OFFSET_MAX)


class Forbidden(StoreError):
    status = 403


# ------------------------------------------------------------------------------------------- rulebooks
@dataclass(frozen=True)
class RulebookFiles:
    """Every file a rulebook was loaded from, as the bytes ``rulebook_digest`` hashes."""

    sha256: str
    version: str
    files: dict[str, str]  # "<dir index>/<relative path>" -> text

    @classmethod
    def of(cls, rulebook: Any) -> RulebookFiles:
        files: dict[str, str] = {}
        for i, d in enumerate(rulebook.directories):
            d = Path(d)
            if not d.is_dir():
                continue
            for path in sorted(d.rglob("*.y*ml")):
                files[f"{i}/{path.relative_to(d).as_posix()}"] = path.read_text("utf-8")
        return cls(rulebook.sha256, rulebook.version, files)

    def packed(self) -> bytes:
        return zlib.compress(json.dumps(self.files, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    @staticmethod
    def unpack(data: bytes) -> dict[str, str]:
        files: dict[str, str] = json.loads(zlib.decompress(data))
        return files

    def write_to(self, root: Path) -> list[Path]:
        """Recreate the rule directories under ``root``; returns them in load order."""
        dirs: dict[int, Path] = {}
        for name, content in self.files.items():
            index, _, rel = name.partition("/")
            base = dirs.setdefault(int(index), root / f"rules{index}")
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, "utf-8")
        return [dirs[i] for i in sorted(dirs)]


def ensure_rulebook(session: Session, rb: RulebookFiles) -> None:
    if session.get(RulebookSnapshot, rb.sha256) is None:
        session.add(RulebookSnapshot(sha256=rb.sha256, version=rb.version, files=rb.packed()))
        session.flush()


def stored_rulebook(session: Session, sha256: str) -> RulebookFiles | None:
    row = session.get(RulebookSnapshot, sha256)
    return None if row is None else RulebookFiles(row.sha256, row.version, RulebookFiles.unpack(row.files))


# ------------------------------------------------------------------------------------------- saving
@dataclass
class CheckedSubmission:
    """What a saved check keeps: enough to repeat it byte for byte."""

    submission: bytes
    source_name: str
    content_format: str | None
    stage: str | None
    lang: str
    tool_version: str
    rulebook: RulebookFiles
    report: dict[str, Any]  # the JSON report (one submission)
    report_text: str  # ... exactly as rendered: what a re-check must reproduce byte for byte
    submission_id: str
    units: set[str]
    waivers: list[dict[str, Any]]  # the review's waivers this check applied (``active_waivers``)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.submission).hexdigest()


def _listed(values: set[str] | list[str]) -> str:
    return "," + "".join(f"{v}," for v in sorted(set(values)))


def _like_member(column: Any, value: str) -> ColumnElement[bool]:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%,{escaped},%", escape="\\")


def _units_of(session: Session, review_id: int) -> set[str]:
    return set(session.scalars(select(ReviewUnit.unit_id).where(ReviewUnit.review_id == review_id)))


def save_review(session: Session, user: User, checked: CheckedSubmission) -> tuple[int, int]:
    """Store a checked submission as a new review or the next version of the review with its submission id.
    The caller's ``Database.write()`` commits before the id is acknowledged."""
    if not user.can_see_units(checked.units):
        raise Forbidden(OUTSIDE_SCOPE(units=Local(", ".join(sorted(checked.units)), "、".join(sorted(checked.units)))))
    ensure_rulebook(session, checked.rulebook)
    review = session.scalar(select(Review).where(Review.submission_id == checked.submission_id).with_for_update())
    if review is None:
        review = Review(submission_id=checked.submission_id, created_by=user.name, latest_version=0)
        session.add(review)
        session.flush()
    elif not user.can_see_units(_units_of(session, review.id)):
        raise Forbidden(UNDER_OTHERS(id=checked.submission_id))
    number = review.latest_version + 1
    review.latest_version = number
    sub = checked.report["submissions"][0]
    findings = [{"fingerprint": f["fingerprint"], "rule": f["rule"], "article": f["article"],
                 "severity": f["severity"], "subject": f["subject"], "title": f["title"]}
                for f in sub["findings"]]
    session.add(ReviewVersion(
        review_id=review.id, number=number, created_by=user.name, source_name=checked.source_name,
        content_format=checked.content_format, submission=checked.submission, submission_sha256=checked.sha256,
        stage=checked.stage, lang=checked.lang, tool_version=checked.tool_version,
        rulebook_version=checked.rulebook.version, rulebook_sha256=checked.rulebook.sha256,
        report=checked.report_text, findings_index=json.dumps(findings),
        projects=_listed([d["project"] for d in project_decisions(sub)]),
        articles=_listed([str(f["article"]) for f in sub["findings"]]),
        outcomes=_listed([d["outcome"] for d in project_decisions(sub)]),
        waivers=json.dumps(checked.waivers, ensure_ascii=False, sort_keys=True)))
    for unit in checked.units - _units_of(session, review.id):
        session.add(ReviewUnit(review_id=review.id, unit_id=unit))
    audit(session, user.name, "review.save", review.id, number, submission_id=checked.submission_id,
          sha256=checked.sha256, findings=len(findings))
    session.flush()
    return review.id, number


# ------------------------------------------------------------------------------------------- reading
def project_decisions(sub: dict[str, Any]) -> list[dict[str, Any]]:
    """Each project's Art 44 decision of a JSON report's submission: ``decision.projects`` (one ``decision``
    field, docs/report-contract.md); reports stored before that change had a ``decisions`` list."""
    decision = sub.get("decision")
    if isinstance(decision, dict) and "projects" in decision:
        return list(decision["projects"])
    return list(sub.get("decisions") or [])


def _visible(user: User) -> ColumnElement[bool] | None:
    if user.units is None:
        return None
    return exists().where(and_(ReviewUnit.review_id == Review.id, ReviewUnit.unit_id.in_(sorted(user.units))))


def _review(session: Session, user: User, review_id: int) -> Review:
    review = session.get(Review, review_id) if stored_int(review_id) else None
    if review is None or not user.can_see_units(_units_of(session, review.id)):
        raise NotFound(NO_REVIEW(id=review_id))
    return review


def _version(session: Session, review: Review, number: int | None = None) -> ReviewVersion:
    n = review.latest_version if number is None else number
    row = session.scalar(select(ReviewVersion).where(ReviewVersion.review_id == review.id,
                                                     ReviewVersion.number == n)) if stored_int(n) else None
    if row is None:
        raise NotFound(NO_VERSION(id=review.id, n=n))
    return row


def _summary(review: Review, version: ReviewVersion, units: set[str]) -> dict[str, Any]:
    sub = json.loads(version.report)["submissions"][0]
    return {
        "id": review.id, "submission_id": review.submission_id, "units": sorted(units),
        "latest_version": review.latest_version, "created_at": review.created_at.isoformat() + "Z",
        "created_by": review.created_by, "updated_at": version.created_at.isoformat() + "Z",
        "updated_by": version.created_by, "summary": sub["summary"],
        "decisions": [{"project": d["project"], "stage": d["stage"], "outcome": d["outcome"]}
                      for d in project_decisions(sub)],
    }


def list_reviews(session: Session, user: User, *, unit: str | None = None, project: str | None = None,
                 decision: str | None = None, article: int | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    conditions: list[ColumnElement[bool]] = [ReviewVersion.review_id == Review.id,
                                             ReviewVersion.number == Review.latest_version]
    scope = _visible(user)
    if scope is not None:
        conditions.append(scope)
    if unit:
        conditions.append(exists().where(and_(ReviewUnit.review_id == Review.id, ReviewUnit.unit_id == unit)))
    if project:
        conditions.append(_like_member(ReviewVersion.projects, project))
    if decision:
        conditions.append(_like_member(ReviewVersion.outcomes, decision))
    if article is not None:
        conditions.append(_like_member(ReviewVersion.articles, str(article)))
    if since:
        conditions.append(ReviewVersion.created_at >= since)
    if until:
        conditions.append(ReviewVersion.created_at < until)
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Review).join(ReviewVersion, where)) or 0
    rows = session.execute(select(Review, ReviewVersion).join(ReviewVersion, where).order_by(Review.id.desc())
                           .offset(page_offset(page, per_page)).limit(per_page)).all()
    return {"total": total, "page": page, "per_page": per_page,
            "items": [_summary(r, v, _units_of(session, r.id)) for r, v in rows]}


def _version_dict(v: ReviewVersion, with_report: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": v.number, "created_at": v.created_at.isoformat() + "Z", "created_by": v.created_by,
        "source_name": v.source_name, "submission_sha256": v.submission_sha256, "stage": v.stage, "lang": v.lang,
        "tool_version": v.tool_version, "rulebook": {"version": v.rulebook_version, "sha256": v.rulebook_sha256},
    }
    out["waivers_applied"] = [w["id"] for w in json.loads(v.waivers)]
    if with_report:
        try:
            out["submission"] = v.submission.decode("utf-8")
        except UnicodeDecodeError:  # a workbook: its bytes, not a lossy text no one could check the sha256 of
            out["submission"] = None
            out["submission_base64"] = base64.b64encode(v.submission).decode("ascii")
        out["report"] = json.loads(v.report)
    return out


def get_review(session: Session, user: User, review_id: int, version: int | None = None) -> dict[str, Any]:
    review = _review(session, user, review_id)
    v = _version(session, review, version)
    out = _summary(review, v, _units_of(session, review.id))
    out["version"] = _version_dict(v)
    out["waivers"] = list_waivers(session, user, review_id)
    out["funding"] = list_funding(session, user, review_id)
    return out


def get_version_row(session: Session, user: User, review_id: int, version: int | None = None) -> ReviewVersion:
    """The stored version itself (submission bytes, rulebook sha): what a re-check needs."""
    return _version(session, _review(session, user, review_id), version)


def list_versions(session: Session, user: User, review_id: int) -> list[dict[str, Any]]:
    review = _review(session, user, review_id)
    rows = session.scalars(select(ReviewVersion).where(ReviewVersion.review_id == review.id)
                           .order_by(ReviewVersion.number))
    return [{**_version_dict(v, with_report=False), "summary": json.loads(v.report)["submissions"][0]["summary"]}
            for v in rows]


def diff_versions(session: Session, user: User, review_id: int, old: int, new: int) -> dict[str, Any]:
    """Findings of two versions matched by fingerprint: new in ``new``, fixed since ``old``, unchanged."""
    review = _review(session, user, review_id)
    before = {f["fingerprint"]: f for f in json.loads(_version(session, review, old).findings_index)}
    after = {f["fingerprint"]: f for f in json.loads(_version(session, review, new).findings_index)}
    return {"review": review_id, "from": old, "to": new,
            "new": [after[k] for k in after if k not in before],
            "fixed": [before[k] for k in before if k not in after],
            "unchanged": [after[k] for k in after if k in before]}


# ------------------------------------------------------------------------------------------- waivers, funding
def _text(value: str, field: str, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise StoreError(EMPTY(), field=field, expected=E_TEXT())
    if len(value) > limit:
        raise StoreError(TOO_LONG(limit=limit), field=field)
    return value


def add_waiver(session: Session, user: User, review_id: int, fingerprint: str, justification: str,
               approver: str, expires: dt.date) -> dict[str, Any]:
    review = _review(session, user, review_id)
    findings = {f["fingerprint"]: f for f in json.loads(_version(session, review).findings_index)}
    finding = findings.get(fingerprint)
    if finding is None:
        raise StoreError(NO_FINDING(fingerprint=fingerprint), field="fingerprint",
                         expected=E_FINGERPRINT())
    if expires <= dt.date.today():
        raise StoreError(EXPIRED(), field="expires", expected=E_FUTURE())
    row = Waiver(review_id=review.id, version=review.latest_version, fingerprint=fingerprint, rule=finding["rule"],
                 subject_id=(finding.get("subject") or {}).get("id"),
                 justification=_text(justification, "justification"), approver=_text(approver, "approver", 500),
                 expires=expires, created_by=user.name)
    session.add(row)
    session.flush()
    audit(session, user.name, "waiver.add", review.id, review.latest_version, fingerprint=fingerprint,
          approver=row.approver, expires=expires.isoformat())
    return _waiver_dict(row)


def _waiver_dict(w: Waiver) -> dict[str, Any]:
    return {"id": w.id, "version": w.version, "fingerprint": w.fingerprint, "rule": w.rule,
            "subject_id": w.subject_id, "justification": w.justification, "approver": w.approver,
            "expires": w.expires.isoformat(), "active": w.expires > dt.date.today(),
            "created_by": w.created_by, "created_at": w.created_at.isoformat() + "Z"}


def active_waivers(session: Session, submission_id: str) -> list[dict[str, Any]]:
    """The unexpired waivers of the review of this submission id: applied to its next check."""
    review = session.scalar(select(Review).where(Review.submission_id == submission_id))
    if review is None:
        return []
    rows = session.scalars(select(Waiver).where(Waiver.review_id == review.id, Waiver.expires > dt.date.today())
                           .order_by(Waiver.id))
    return [{"id": w.id, "review": review.id, "rule": w.rule, "entity": w.subject_id, "fingerprint": w.fingerprint,
             "justification": w.justification, "approver": w.approver, "expires": w.expires.isoformat()}
            for w in rows if w.subject_id]


def list_waivers(session: Session, user: User, review_id: int) -> list[dict[str, Any]]:
    review = _review(session, user, review_id)
    return [_waiver_dict(w) for w in session.scalars(select(Waiver).where(Waiver.review_id == review.id)
                                                     .order_by(Waiver.id))]


def _projects(ids: list[str]) -> Said:
    return E_ONE_OF(values=Local(", ".join(ids), "、".join(ids))) if ids else E_A_PROJECT()


class Stale(StoreError):
    status = 409


def add_funding(session: Session, user: User, review_id: int, project_id: str, action: str,
                amount: str | None = None, reference: str | None = None, note: str | None = None,
                seen_version: int | None = None) -> dict[str, Any]:
    """Record a funding action on the latest version's Art 44 decision of a project; ``seen_version``, the version
    whose decision the user acted on, must still be the latest (409 otherwise: a newer check may have changed it)."""
    review = _review(session, user, review_id)
    if seen_version is not None and seen_version != review.latest_version:
        raise Stale(STALE_VERSION(id=review.id, latest=review.latest_version, seen=seen_version), field="version",
                    expected=E_LATEST())
    if action not in FUNDING_ACTIONS:
        raise StoreError(UNKNOWN_ACTION(action=action), field="action",
                         expected=E_ONE_OF(values=Local(", ".join(FUNDING_ACTIONS), "、".join(
                             f"{a}（{FUNDING_ACTION_WORDS[a]}）" for a in FUNDING_ACTIONS))))
    _funding_fields(amount, reference, note)
    sub = json.loads(_version(session, review).report)["submissions"][0]
    decision = next((d for d in project_decisions(sub) if d["project"] == project_id), None)
    if decision is None:
        raise StoreError(NO_DECISION(project=project_id), field="project",
                         expected=_projects([d["project"] for d in project_decisions(sub)]))
    row = FundingAction(review_id=review.id, version=review.latest_version, project_id=project_id,
                        stage=decision["stage"], decision_outcome=decision["outcome"], action=action, amount=amount,
                        reference=reference, note=note, created_by=user.name)
    session.add(row)
    session.flush()
    audit(session, user.name, "funding.add", review.id, review.latest_version, project=project_id, action=action,
          decision=decision["outcome"])
    return _funding_dict(row)


AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")  # as the API's FundingIn declares it


def _funding_fields(amount: str | None, reference: str | None, note: str | None) -> None:
    """What the API's body model refuses, refused here too: the workbench's form posts come straight here."""
    if amount is not None and not AMOUNT.fullmatch(amount):
        raise StoreError(BAD_AMOUNT(amount=amount[:40]), field="amount", expected=E_AMOUNT())
    for field, value, limit in (("reference", reference, 500), ("note", note, 4000)):
        if value is not None and len(value) > limit:
            raise StoreError(TOO_LONG(limit=limit), field=field)


def _funding_dict(f: FundingAction) -> dict[str, Any]:
    return {"id": f.id, "version": f.version, "project": f.project_id, "stage": f.stage,
            "decision_outcome": f.decision_outcome, "action": f.action, "amount": f.amount,
            "reference": f.reference, "note": f.note, "created_by": f.created_by,
            "created_at": f.created_at.isoformat() + "Z"}


def list_funding(session: Session, user: User, review_id: int) -> list[dict[str, Any]]:
    review = _review(session, user, review_id)
    return [_funding_dict(f) for f in session.scalars(select(FundingAction)
                                                      .where(FundingAction.review_id == review.id)
                                                      .order_by(FundingAction.id))]


# ------------------------------------------------------------------------------------------- audit
def audit_entries(session: Session, user: User, review_id: int | None = None, page: int = 1,
                  per_page: int = 100) -> dict[str, Any]:
    """The trail, newest first.  Scoped users see only entries about reviews they can see."""
    query = select(AuditEntry)
    if review_id is not None:
        _review(session, user, review_id)
        query = query.where(AuditEntry.review_id == review_id)
    elif user.units is not None:
        visible = select(ReviewUnit.review_id).where(ReviewUnit.unit_id.in_(sorted(user.units)))
        query = query.where(or_(AuditEntry.review_id.in_(visible), AuditEntry.actor == user.name))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(page_offset(page, per_page)).limit(per_page))
    return {"total": total, "page": page, "per_page": per_page,
            "items": [{"id": a.id, "at": a.at.isoformat() + "Z", "actor": a.actor, "action": a.action,
                       "review": a.review_id, "version": a.version, "detail": json.loads(a.detail),
                       "client": a.client} for a in rows]}


# ------------------------------------------------------------------------------------------- portfolio
def portfolio(session: Session, user: User) -> dict[str, Any]:
    """Per unit in scope: how many reviews, and the Art 44 outcomes of their latest versions."""
    query = (select(ReviewUnit.unit_id, ReviewVersion.outcomes)
             .join(Review, Review.id == ReviewUnit.review_id)
             .join(ReviewVersion, and_(ReviewVersion.review_id == Review.id,
                                       ReviewVersion.number == Review.latest_version)))
    if user.units is not None:
        query = query.where(ReviewUnit.unit_id.in_(sorted(user.units)))
    units: dict[str, dict[str, Any]] = {}
    for unit_id, outcomes in session.execute(query):
        entry = units.setdefault(unit_id, {"unit": unit_id, "reviews": 0, "outcomes": {}})
        entry["reviews"] += 1
        for outcome in filter(None, outcomes.split(",")):
            entry["outcomes"][outcome] = entry["outcomes"].get(outcome, 0) + 1
    return {"units": [units[k] for k in sorted(units)]}
