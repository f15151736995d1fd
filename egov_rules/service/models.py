"""The tables (SQLAlchemy 2).  The schema itself is made by the migrations in ``migrations/``, never by
``create_all``: these classes only map it, and ``tests/test_service_db.py`` checks they agree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROLES = ("reviewer", "finance", "supervisor", "admin")
# ids and version numbers beyond what either database's INTEGER column holds (PostgreSQL's is 32-bit) name
# nothing: looked up as they are they would make the driver fail (a 500), so they are simply not found
DB_INT_MAX = 2**31 - 1


def stored_int(n: int) -> bool:
    """Whether ``n`` can be an id or version number stored in the database."""
    return 0 < n <= DB_INT_MAX


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # stored as naive UTC in both databases


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    units: Mapped[str | None] = mapped_column(Text)  # JSON list of unit ids; NULL: every unit
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings so a token can be told apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class BrowserSession(Base):
    __tablename__ = "browser_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RulebookSnapshot(Base):
    """Every rule file of a rulebook a review was checked with, so the check can be repeated later."""

    __tablename__ = "rulebooks"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    files: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON {relative path: text}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Review(Base):
    """One submission (by its ``submission.id``) under review; every save adds a version."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class ReviewUnit(Base):
    """The units a review concerns (its projects' units and units under review): the scope of access."""

    __tablename__ = "review_units"
    __table_args__ = (Index("ix_review_units_unit", "unit_id"),)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(500), primary_key=True)


class ReviewVersion(Base):
    __tablename__ = "review_versions"
    __table_args__ = (UniqueConstraint("review_id", "number", name="uq_review_versions_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(500))
    content_format: Mapped[str | None] = mapped_column(String(10))  # yaml, json or NULL (sniffed)
    submission: Mapped[bytes] = mapped_column(LargeBinary)
    submission_sha256: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    tool_version: Mapped[str] = mapped_column(String(40))
    rulebook_version: Mapped[str] = mapped_column(String(100))
    rulebook_sha256: Mapped[str] = mapped_column(ForeignKey("rulebooks.sha256"))
    report: Mapped[str] = mapped_column(Text)  # the JSON report exactly as returned
    findings_index: Mapped[str] = mapped_column(Text)  # JSON [{fingerprint, rule, article, severity, subject}]
    # filter columns, ",a,b," so one LIKE finds a member in SQLite and PostgreSQL alike
    projects: Mapped[str] = mapped_column(Text, default=",")
    articles: Mapped[str] = mapped_column(Text, default=",")
    outcomes: Mapped[str] = mapped_column(Text, default=",")
    waivers: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # JSON: applied in this check


class Waiver(Base):
    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[str | None] = mapped_column(String(500))
    justification: Mapped[str] = mapped_column(Text)
    approver: Mapped[str] = mapped_column(String(500))
    expires: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FundingAction(Base):
    __tablename__ = "funding_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[str] = mapped_column(String(500))
    stage: Mapped[str | None] = mapped_column(String(40))
    decision_outcome: Mapped[str | None] = mapped_column(String(40))  # the Art 44 outcome acted upon
    action: Mapped[str] = mapped_column(String(40))
    amount: Mapped[str | None] = mapped_column(String(40))  # decimal as text: no float rounding of money
    reference: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only: the application never updates or deletes a row (guarded here and by database triggers)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_actor_at", "actor", "at"),  # the login throttle's look-ups
                      Index("ix_audit_entries_client_at", "client", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    client: Mapped[str | None] = mapped_column(String(100))  # the address of a login attempt


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _ctx: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit trail is append-only: entries are never changed or deleted")
