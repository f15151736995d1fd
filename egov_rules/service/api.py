"""The JSON API under /api/v1 (OpenAPI at /openapi.json).  Thin: parse the request, call ``checking`` and
``store``, map their errors to 413/422/403/404.  Write endpoints commit before they answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError
from . import store
from .auth import CurrentUser, User, require_role
from .body_limit import MULTIPART_SLACK
from .checking import CheckOutcome, CheckService
from .db import Database
from .refusals import SAVE_REFUSED, TOO_LARGE, UNSUPPORTED_TYPE, Refusal, role_said

router = APIRouter(prefix="/api/v1")
Reviewer = Annotated[User, Depends(require_role("reviewer"))]
Finance = Annotated[User, Depends(require_role("finance"))]
Overseer = Annotated[User, Depends(require_role("supervisor", "admin"))]
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
JSON_TYPES = {"application/json", "text/json"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _checks(request: Request) -> CheckService:
    service: CheckService = request.app.state.checks
    return service


# ------------------------------------------------------------------------------------------- bodies
async def read_body(request: Request, limit: int, slack: int = 0) -> bytes:
    """The request body, refused with 413 as soon as it is longer than ``limit`` + ``slack`` (a multipart form's
    boundaries around a file of at most ``limit``; the refusal names ``limit``), never read whole first."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + slack:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + slack:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HTTPException:
    return Refusal(413, TOO_LARGE(limit=limit))


def _clean_name(name: str | None) -> str | None:
    """A source name as reports quote it: printable characters only, no directories from a client."""
    if name is None:
        return None
    kept = "".join(ch for ch in name if ch.isprintable()).strip()
    return kept[:200] or None


async def submission_from(request: Request, name: str | None) -> tuple[bytes, str, str | None]:
    """(bytes, source name, format) from a YAML or JSON body or a multipart ``file`` field."""
    name = _clean_name(name)
    limit = _checks(request).limits.max_bytes
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        body = await read_body(request, limit, MULTIPART_SLACK)
        request._body = body  # starlette parses the form from the body already read
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=limit + MULTIPART_SLACK)
        except StarletteHTTPException as exc:  # starlette's bare 400: two files, too many fields, no boundary
            if exc.status_code != 400:
                raise
            raise InputError("the multipart body cannot be read", file=name or "<upload>", field="file",
                             expected="multipart/form-data with one file, in the field 'file', and at most 10 "
                                      "fields") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("the multipart body has no file", file=name or "<upload>", field="file",
                             expected="a form field 'file' holding the submission")
        data = await upload.read()
        if len(data) > limit:
            raise _too_large(limit)
        source = name or _clean_name((upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]) or "submission"
        return data, source, _format_of(upload.content_type or "", source)
    data = await read_body(request, limit)
    if ctype in JSON_TYPES:
        return data, name or "submission.json", "json"
    if ctype == XLSX_TYPE:  # a workbook: the loader knows it by its zip signature
        return data, name or "submission.xlsx", None
    if ctype in YAML_TYPES or ctype in ("", "text/plain", "application/octet-stream"):
        return data, name or "submission.yaml", None if ctype != "" and ctype not in YAML_TYPES else "yaml"
    raise Refusal(415, UNSUPPORTED_TYPE(ctype=ctype))


def _format_of(ctype: str, source: str) -> str | None:
    ctype = ctype.split(";")[0].strip().lower()
    if ctype in JSON_TYPES or source.lower().endswith(".json"):
        return "json"
    if ctype in YAML_TYPES or source.lower().endswith((".yaml", ".yml")):
        return "yaml"
    return None  # sniffed, as the CLI does for stdin


# ------------------------------------------------------------------------------------------- checks
CHECK_BODY = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}}}},
}}}


@router.post("/checks", openapi_extra=CHECK_BODY, summary="Check a submission; optionally save it as a review",
             responses={413: {"description": "body over the size limit"},
                        415: {"description": "not JSON, YAML, an xlsx workbook or a multipart form"},
                        422: {"description": "invalid submission: file, line, column, field, expected"}})
async def post_check(request: Request, user: CurrentUser, lang: str = Query("en", pattern="^(en|zh)$"),
                     stage: str | None = None, save: bool = False,
                     name: str | None = Query(None, max_length=200)) -> Response:
    if save and user.role != "reviewer":
        raise Refusal(403, role_said(SAVE_REFUSED, user.role))
    data, source, fmt = await submission_from(request, name)
    checks = _checks(request)
    outcome = await run_in_threadpool(checks.check, data, source, fmt, stage, lang)
    if not save:  # the CLI's bytes, not re-encoded
        return Response(outcome.text, media_type="application/json")
    saved = await run_in_threadpool(_check_and_save, request, user, outcome, data, source, fmt, stage, lang)
    return Response(json.dumps(saved, ensure_ascii=False, indent=2) + "\n", media_type="application/json")


def _check_and_save(request: Request, user: User, outcome: CheckOutcome, data: bytes, source: str, fmt: str | None,
                    stage: str | None, lang: str) -> dict[str, Any]:
    """Save a checked submission; when its review has waivers, the saved check applies them."""
    checks, db = _checks(request), _db(request)
    with db.read() as session:
        waivers = store.active_waivers(session, outcome.submission_id) if outcome.submission_id else []
    if waivers:
        outcome = checks.check(data, source, fmt, stage, lang, waivers=waivers)
    review_id, version = _save(db, user, checks.to_save(outcome, data, source, fmt, stage, lang, waivers))
    return {**outcome.report, "review": {"id": review_id, "version": version,
                                         "url": f"/api/v1/reviews/{review_id}?version={version}"}}


def _save(db: Database, user: User, checked: store.CheckedSubmission) -> tuple[int, int]:
    for attempt in range(5):  # two first saves of one submission id at once: the loser retries as version 2
        try:
            with db.write() as session:
                return store.save_review(session, user, checked)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------- reviews
@router.get("/reviews", summary="Reviews in your scope, newest first, filtered and paged")
def reviews(request: Request, user: CurrentUser, unit: str | None = None, project: str | None = None,
            decision: str | None = Query(None, description="an Art 44 outcome of the latest version"),
            article: int | None = Query(None, ge=1, le=47), since: dt.date | None = None, until: dt.date | None = None,
            page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200)) -> dict[str, Any]:
    day = dt.timedelta(days=1)
    with _db(request).read() as session:
        return store.list_reviews(
            session, user, unit=unit, project=project, decision=decision, article=article,
            since=dt.datetime.combine(since, dt.time()) if since else None,
            # the last day a date can name ends after every saved review: no upper bound (its next day overflows)
            until=dt.datetime.combine(until, dt.time()) + day if until and until < dt.date.max else None,
            page=page, per_page=per_page)


@router.get("/reviews/{review_id}", summary="A review: stored submission, sha256, rulebook, report, who and when")
def review(request: Request, user: CurrentUser, review_id: int,
           version: int | None = Query(None, ge=1)) -> dict[str, Any]:
    with _db(request).read() as session:
        return store.get_review(session, user, review_id, version)


@router.get("/reviews/{review_id}/versions", summary="Every version of a review")
def versions(request: Request, user: CurrentUser, review_id: int) -> list[dict[str, Any]]:
    with _db(request).read() as session:
        return store.list_versions(session, user, review_id)


@router.get("/reviews/{review_id}/diff", summary="Findings of two versions by fingerprint: new, fixed, unchanged")
def diff(request: Request, user: CurrentUser, review_id: int, old: int = Query(..., alias="from", ge=1),
         new: int = Query(..., alias="to", ge=1)) -> dict[str, Any]:
    with _db(request).read() as session:
        return store.diff_versions(session, user, review_id, old, new)


@router.post("/reviews/{review_id}/recheck",
             summary="Check a stored version again with the rulebook it was checked with; compare the reports")
def recheck(request: Request, user: CurrentUser, review_id: int,
            version: int | None = Query(None, ge=1)) -> dict[str, Any]:
    with _db(request).read() as session:
        row = store.get_version_row(session, user, review_id, version)
        rulebook = store.stored_rulebook(session, row.rulebook_sha256)
    assert rulebook is not None  # a foreign key: every version has its rulebook
    checks = _checks(request)
    outcome = checks.check(row.submission, row.source_name, row.content_format, row.stage, row.lang,
                           checker=checks.checker_for(rulebook), waivers=json.loads(row.waivers))
    return {"review": review_id, "version": row.number, "identical": outcome.text == row.report,  # byte for byte
            "report": outcome.report}


class Body(BaseModel):
    """A request body: a field it does not know is refused (422 naming it), never dropped.  A finance system's
    ``"ammount"`` would otherwise record a funding action without its amount, in an append-only trail."""

    model_config = ConfigDict(extra="forbid")


class WaiverIn(Body):
    fingerprint: str = Field(min_length=1, max_length=100)
    justification: str = Field(min_length=1, max_length=4000)
    approver: str = Field(min_length=1, max_length=500)
    expires: dt.date


@router.post("/reviews/{review_id}/waivers", status_code=201, summary="Waive one finding, with justification")
def post_waiver(request: Request, user: Reviewer, review_id: int, body: WaiverIn) -> dict[str, Any]:
    checks = _checks(request)
    # the waiver takes effect at once: the latest submission is checked again with it and saved as a new version,
    # in the waiver's own transaction, so that a check or a save refused (403, 422) leaves no waiver behind
    with _db(request).write() as session:
        waiver = store.add_waiver(session, user, review_id, body.fingerprint, body.justification, body.approver,
                                  body.expires)
        row = store.get_version_row(session, user, review_id)
        waivers = store.active_waivers(session, store.get_review(session, user, review_id)["submission_id"])
        outcome = checks.check(row.submission, row.source_name, row.content_format, row.stage, row.lang,
                               waivers=waivers)
        saved, version = store.save_review(session, user, checks.to_save(
            outcome, row.submission, row.source_name, row.content_format, row.stage, row.lang, waivers))
    return {**waiver, "applied_in": {"id": saved, "version": version,
                                     "url": f"/api/v1/reviews/{saved}?version={version}"}}


@router.get("/reviews/{review_id}/waivers", summary="The waivers of a review")
def get_waivers(request: Request, user: CurrentUser, review_id: int) -> list[dict[str, Any]]:
    with _db(request).read() as session:
        return store.list_waivers(session, user, review_id)


class FundingIn(Body):
    project: str = Field(min_length=1, max_length=500)
    action: str = Field(description="one of " + ", ".join(store.FUNDING_ACTIONS))
    amount: str | None = Field(None, pattern=r"^[0-9]{1,15}(\.[0-9]{1,2})?$", description="yuan, as a decimal")
    reference: str | None = Field(None, max_length=500)
    note: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, ge=1, description="the version whose decision this acts on: 409 if the review "
                                                        "has a newer one by now")


@router.post("/reviews/{review_id}/funding", status_code=201,
             summary="Record the funding action taken on a project's Art 44 decision",
             responses={409: {"description": "the review has a newer version than the body's `version`"}})
def post_funding(request: Request, user: Finance, review_id: int, body: FundingIn) -> dict[str, Any]:
    with _db(request).write() as session:
        return store.add_funding(session, user, review_id, body.project, body.action, body.amount, body.reference,
                                 body.note, body.version)


@router.get("/reviews/{review_id}/funding", summary="The funding actions recorded on a review")
def get_funding(request: Request, user: CurrentUser, review_id: int) -> list[dict[str, Any]]:
    with _db(request).read() as session:
        return store.list_funding(session, user, review_id)


@router.get("/audit", summary="The audit trail, newest first")
def audit(request: Request, user: Overseer, review: int | None = None, page: int = Query(1, ge=1),
          per_page: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    with _db(request).read() as session:
        return store.audit_entries(session, user, review, page, per_page)


@router.get("/me", summary="Who you are: name, role, units")
def me(user: CurrentUser) -> dict[str, Any]:
    return user.as_dict()
