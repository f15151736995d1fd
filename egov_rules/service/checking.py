"""Checking a submission for the service: the library's ``Checker`` and JSON report, nothing beside them.

The same bytes and rulebook give the same report as ``egov-rules check --format json`` (the source name,
which the report quotes as ``file``, is the upload's file name or the ``name`` query parameter).  A stored
version is re-checked with the rulebook it was checked with, recreated from its stored files when the
service now runs a different one.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..check import Checker, Report
from ..decisions.sanctions import STAGES
from ..decisions.waivers import Waiver, Waivers
from ..errors import EgovError, InputError, UsageError
from ..input.load import Limits, load_bytes
from ..reports import RenderOptions, render
from .store import CheckedSubmission, RulebookFiles

LANGS = ("en", "zh")


@dataclass
class CheckOutcome:
    """A check made by the service: the report, its text and what it names."""
    report: dict[str, Any]
    text: str  # the report exactly as `egov-rules check --format json` prints it
    submission_id: str
    units: set[str]


def subject_units(data: dict[str, Any]) -> set[str]:
    """The units a submission is about: its projects' units and the units under review."""
    units = {p.get("unit") for p in data.get("projects") or [] if isinstance(p, dict)}
    units.update((data.get("submission") or {}).get("units_under_review") or [])
    return {u for u in units if isinstance(u, str)}


class CheckService:
    def __init__(self, limits: Limits, checker: Checker | None = None) -> None:
        self.checker = checker or Checker(limits=limits)
        self.limits = limits
        self.rulebook = RulebookFiles.of(self.checker.rulebook)
        self._old: dict[str, Checker] = {}
        self._lock = threading.Lock()

    def check(self, data: bytes, source: str, fmt: str | None, stage: str | None, lang: str,
              checker: Checker | None = None, waivers: list[dict[str, Any]] | None = None) -> CheckOutcome:
        """Raises ``EgovError`` for bad input (the same error the CLI prints).  ``waivers``: a review's
        waivers (``store.active_waivers``), applied as the CLI applies a --waivers file."""
        if stage is not None and stage not in STAGES:
            raise UsageError(f"unknown stage '{stage}'", field="stage", expected="one of " + ", ".join(STAGES))
        if lang not in LANGS:
            raise UsageError(f"unknown language '{lang}'", field="lang", expected="en or zh")
        checker = checker or self.checker
        if waivers:
            checker = copy.copy(checker)  # shares the compiled rulebook; only the waivers differ
            checker.waivers = review_waivers(waivers)
        doc = load_bytes(data, source, fmt=fmt, limits=self.limits)
        result = checker.check_document(doc, stage=stage, raise_errors=True)
        report = Report([result], checker.rulebook, checker.engine.name, stage=stage)
        text = render(report, "json", RenderOptions(lang=lang))
        return CheckOutcome(json.loads(text), text, result.id or "", subject_units(doc.data))

    def to_save(self, outcome: CheckOutcome, data: bytes, source: str, fmt: str | None, stage: str | None,
                lang: str, waivers: list[dict[str, Any]]) -> CheckedSubmission:
        if not outcome.submission_id:
            raise InputError("a saved review needs the submission's id", file=source, field="/submission/id",
                             expected="submission.id")
        return CheckedSubmission(submission=data, source_name=source, content_format=fmt, stage=stage, lang=lang,
                                 tool_version=__version__, rulebook=self.rulebook, report=outcome.report,
                                 report_text=outcome.text,
                                 submission_id=outcome.submission_id, units=outcome.units, waivers=waivers)

    def checker_for(self, rulebook: RulebookFiles) -> Checker:
        """A checker with exactly this stored rulebook (the current one, or one rebuilt from its files)."""
        if rulebook.sha256 == self.rulebook.sha256:
            return self.checker
        with self._lock:
            cached = self._old.get(rulebook.sha256)
            if cached is None:
                with tempfile.TemporaryDirectory(prefix="egov-rulebook-") as tmp:
                    dirs = rulebook.write_to(Path(tmp))
                    cached = Checker(dirs, include_default_rules=False, limits=self.limits)
                self._old[rulebook.sha256] = cached
            return cached


def review_waivers(items: list[dict[str, Any]]) -> Waivers:
    """A review's waivers as the library's ``Waivers`` (one rule on one entity each, expiry against as_of)."""
    return Waivers("review waivers", [
        Waiver(rule=w["rule"], entity=w["entity"], justification=w["justification"], approved_by=w["approver"],
               approval_ref=f"review {w['review']} waiver {w['id']}", expires=dt.date.fromisoformat(w["expires"]),
               submission=None, file=f"review {w['review']} waivers", line=int(w["id"]), column=0)
        for w in items])


def error_body(exc: EgovError, lang: str = "en") -> dict[str, Any]:
    """The 422 body: the CLI's message in ``lang`` (``?lang=zh``) and the same problem list as the JSON report's
    ``error`` (its fields stay English: they are for programs)."""
    errors = getattr(exc, "errors", [exc])
    return {"detail": exc.render(lang if lang in LANGS else "en"),
            "error": {"exit_code": 2, "problems": [e.to_dict() for e in errors]}}
