"""The library API: load the rulebook once, check many submissions.

    from egov_rules import Checker
    checker = Checker()                       # loads and compiles the rulebook once
    result = checker.check_path("x.yaml")     # or check_data(dict), check_bytes(bytes, name)
    result.findings, result.summary, result.decisions

A ``Checker`` is safe to share between threads with the native engine: each check builds its own
``FactBase`` and keeps no state.  Input errors are returned in ``result.error`` (never raised) so a
batch goes on; ``check_*(..., raise_errors=True)`` raises them instead.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, cast

from . import __version__
from .deadline import time_limit
from .decisions.findings import SEVERITY_ORDER, Finding, FindingBuilder
from .decisions.review_scope import mark_context
from .decisions.sanctions import STAGES, Decision, decide
from .derived import Derived
from .engine.evaluate import Engine, NativeEngine, RuleRun
from .errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_REVIEW, EgovError, UsageError
from .input.facts import POINTER, FactBase
from .input.fast_facts import fast_facts
from .input.load import Document, Limits, load_bytes, load_document
from .rules.rulebook import Rulebook, load_rulebook

if TYPE_CHECKING:
    from .decisions.waivers import Waivers
    from .input.registry import Registry

# --fail-on: a finding severity, or an Art 44 decision level (docs/ci.md): ``decision`` stops the pipeline when a
# project's decision blocks its stage, ``needs-review`` also when a decision needs a reviewer's judgement
FINDING_LEVELS = ("violation", "warning", "insufficient")
DECISION_LEVELS = ("decision", "needs-review")
FAIL_ON = FINDING_LEVELS + DECISION_LEVELS


def finding_threshold(fail_on: str) -> str:
    """The severity from which a finding counts as failing: decision levels judge projects, not findings, so
    per-finding displays (JUnit failures) keep the default."""
    return fail_on if fail_on in FINDING_LEVELS else "violation"


_FROM_FACTS = ("_names", "_info")  # SubmissionResult's fields derived from its facts


@dataclass
class SubmissionResult:
    """One submission's result: its findings, rule outcomes and Art 44 decisions, or the input error."""
    file: str
    id: str | None = None
    findings: list[Finding] = field(default_factory=list)
    passed: int = 0
    not_applicable: int = 0
    decisions: list[Decision] = field(default_factory=list)
    error: EgovError | None = None
    engine_notes: list[str] = field(default_factory=list)
    runs: list[RuleRun] = field(default_factory=list, repr=False)
    # rule id -> "findings" | "passed" | "not_applicable": per-rule test cases (JUnit) without ``runs``
    outcomes: dict[str, str] = field(default_factory=dict)
    baselined: int | None = None  # findings dropped because a --baseline had them; None: no baseline
    # report-level remarks that are not findings (an expired or unused waiver): {kind, level, message{en,zh}, ...}
    notices: list[dict[str, Any]] = field(default_factory=list)
    # project id -> (line, column) of the project in the file: where a format puts its Art 44 decision
    project_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def reviewed(self) -> list[Finding]:
        """Findings about what the submission puts under review (the others are context: review_scope.py)."""
        return [f for f in self.findings if not f.context]

    @property
    def context(self) -> list[Finding]:
        return [f for f in self.findings if f.context]

    @property
    def unit_review(self) -> bool:
        """Checked, with no project to take an Art 44 decision on (a unit's standing duties only)."""
        return self.error is None and not self.decisions

    # for human reports: entity id -> its name (where the submission gives one), and the submission's own facts;
    # worked out from ``facts`` when first read (derived.py): most checks never print them
    names: dict[str, str] = field(default=cast(Any, Derived("_names", "facts", lambda f: entity_names(f), dict,
                                                            _FROM_FACTS)), repr=False)
    info: dict[str, Any] = field(default=cast(Any, Derived("_info", "facts", lambda f: submission_info(f), dict,
                                                           _FROM_FACTS)), repr=False)
    # the facts checked, kept until ``names`` and ``info`` are worked out (then let go); not an init field, so
    # ``dataclasses.replace`` (the report sanitizer) hands the worked-out values on and leaves the facts
    facts: FactBase | None = field(default=None, init=False, repr=False, compare=False)

    def settle(self) -> SubmissionResult:
        """Work out now what is otherwise worked out when first read (names, info, the findings' texts), so
        that the result no longer holds its check's facts: for a result kept long after its check (a batch
        keeps every file's until the report).  Until then an unread result of a 44-entity check holds about
        80 KB instead of 28 KB."""
        _ = self.names, self.info  # the facts are let go once both are worked out
        for f in self.findings:
            f.word()
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Pickled settled: names, info and texts worked out, no facts (as before they were lazy)."""
        self.settle()
        return dict(self.__dict__)

    def named(self, entity_id: str | None) -> str:
        """``永春县城市管理局 (unit.yc.cgj)``, or the id alone when the submission names no name."""
        if not entity_id:
            return "-"
        name = self.names.get(entity_id)
        return f"{name} ({entity_id})" if name else entity_id

    def summary(self) -> dict[str, int]:
        counts = {"violation": 0, "warning": 0, "insufficient": 0}
        waived = context = 0
        for f in self.findings:
            if f.waived:
                waived += 1
            elif f.context:
                context += 1
            else:
                counts[f.severity] += 1
        out = {**counts, "passed": self.passed, "not_applicable": self.not_applicable, "waived": waived}
        if context:  # only when there are some, so reports without context keep their bytes
            out["context"] = context
        if self.baselined is not None:
            out["baselined"] = self.baselined
        return out

    def failing(self, fail_on: str, include_context: bool = False) -> list[Finding]:
        """Findings at or above ``fail_on`` that count toward the exit code (context ones only if included)."""
        threshold = SEVERITY_ORDER[finding_threshold(fail_on)]
        return [f for f in self.findings if not f.waived and SEVERITY_ORDER[f.severity] >= threshold
                and (include_context or not f.context)]

    def fails(self, fail_on: str, include_context: bool = False) -> bool:
        """Does this result stop a pipeline at ``fail_on``?  The one place the check exit code is decided."""
        if fail_on == "decision":
            return any(d.blocks for d in self.decisions)
        if fail_on == "needs-review":
            return any(d.blocks or d.outcome == "needs_review" for d in self.decisions)
        return bool(self.failing(fail_on, include_context))


@dataclass
class Report:
    """The results of one run over one or more submissions, with the rulebook and engine that made them."""
    submissions: list[SubmissionResult]
    rulebook: Rulebook
    engine: str = "native"
    stage: str | None = None  # gate: the stage decided for
    baseline: str | None = None  # the --baseline file whose findings were left out

    def tool(self) -> dict[str, Any]:
        return {
            "name": "egov-rules",
            "version": __version__,
            "engine": self.engine,
            # policy: the policy parameters in force (defaults or --policy / policy:), e.g. the Art 31 days
            "rulebook": {"version": self.rulebook.version, "sha256": self.rulebook.sha256,
                         "rules": len(self.rulebook.rules), "policy": dict(sorted(self.rulebook.parameters.items()))},
        }

    def exit_code(self, fail_on: str = "violation", include_context: bool = False) -> int:
        if any(s.error for s in self.submissions):
            return EXIT_INPUT
        if any(s.fails(fail_on, include_context) for s in self.submissions):
            return EXIT_FINDINGS
        return EXIT_OK

    def gate_exit_code(self) -> int:
        """Worst decision of every project of every submission; a unit review has none to decide (0)."""
        if any(s.error for s in self.submissions):
            return EXIT_INPUT
        decisions = [d for s in self.submissions for d in s.decisions]
        if any(d.blocks for d in decisions):
            return EXIT_FINDINGS
        if any(d.outcome == "needs_review" for d in decisions):
            return EXIT_REVIEW
        return EXIT_OK


def entity_names(facts: FactBase) -> dict[str, str]:
    names = {}
    for eid, entity in facts.by_id.items():
        name = entity.get("name")
        if isinstance(name, str):
            words = name.split()  # blanks are no name; runs of white space read as one space
            if words:
                names[eid] = " ".join(words)
    return names


def submission_info(facts: FactBase) -> dict[str, Any]:
    """What a report heading names: the submission, its as-of date, the units under review and the projects."""
    sub = facts.submission
    as_of = sub.get("as_of")
    return {
        "name": " ".join(str(sub["name"]).split()) if isinstance(sub.get("name"), str) else None,
        "as_of": str(as_of) if as_of is not None else None, "kind": sub.get("kind"),
        "units": [str(u.get("id")) for u in facts.collection("units_under_review") if isinstance(u, dict)],
        "projects": [str(p["id"]) for p in facts.collection("projects")],
    }


class collector_paused:  # lower case: used like the function it was, ``with collector_paused():``
    """The cyclic garbage collector off while one submission is checked: a check makes objects that live until
    it ends and hold no cycles (facts, indexes, verdicts, findings), and each full collection meanwhile walks
    all of them again (a third of a 40,000-entity check).  Cycles made meanwhile are collected afterwards;
    a collector that was off stays off.  A class: a ``@contextmanager`` generator cost as much again."""

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *_exc: object) -> None:
        if self._was_enabled:
            gc.enable()


def _require_something_to_check(facts: FactBase, doc: Document) -> None:
    """A submission with no project and no unit under review has nothing the Measures could be applied to."""
    if facts.collection("projects") or facts.collection("units_under_review"):
        return
    from .errors import InputError

    line, col = doc.locate("/submission")
    raise InputError("nothing to check: the submission has no projects and names no units_under_review",
                     file=doc.source, line=line, column=col, field="/submission/units_under_review",
                     expected="projects[] or submission.units_under_review")


def _locate_cells(doc: Document, exc: EgovError) -> None:
    """A workbook's errors name the sheet and cell (``WorkbookDocument.annotate_error``); YAML's need nothing."""
    annotate = getattr(doc, "annotate_error", None)
    if annotate is not None:
        annotate(exc)


def _dump(submission: Any) -> dict[str, Any]:
    data: dict[str, Any] = submission.model_dump(mode="python", by_alias=True)
    return data


class Checker:
    """Loads the rulebook once; checks submissions one at a time, each in isolation."""

    def __init__(
        self,
        rules: Iterable[str | os.PathLike[str]] | None = None,
        *,
        include_default_rules: bool = True,
        engine: str = "native",
        limits: Limits | None = None,
        rulebook: Rulebook | None = None,
        registry: Registry | None = None,
        waivers: Waivers | None = None,
    ) -> None:
        self.rulebook = rulebook or load_rulebook(
            [FsPath(r) for r in rules or []], include_default=include_default_rules
        )
        self.registry = registry  # trusted registry facts, merged into every submission (they win)
        self.waivers = waivers
        self.limits = limits or Limits()
        self.native = NativeEngine(self.rulebook)  # the reference closures: traces for findings and explain
        self.engine: Engine
        if engine == "native":
            from .engine.generated import GeneratedEngine

            self.engine = GeneratedEngine(self.rulebook)
        elif engine == "reference":
            self.engine = self.native
        elif engine == "durable":
            from .engine.durable import DurableEngine

            self.engine = DurableEngine(self.rulebook, self.native)
        else:
            raise UsageError(f"unknown engine '{engine}'", expected="native, reference or durable")
        self.builder = FindingBuilder(self.native)

    # -- inputs --------------------------------------------------------------------------------
    def check_path(self, path: str | os.PathLike[str], *, stage: str | None = None,
                   raise_errors: bool = False) -> SubmissionResult:
        source = str(path)
        try:
            doc = load_document(path, limits=self.limits)
        except EgovError as exc:
            if raise_errors:
                raise
            return SubmissionResult(file=source, error=exc)
        return self.check_document(doc, stage=stage, raise_errors=raise_errors)

    def check_bytes(self, data: bytes, source: str = "<stdin>", *, stage: str | None = None,
                    raise_errors: bool = False) -> SubmissionResult:
        try:
            doc = load_bytes(data, source, limits=self.limits)
        except EgovError as exc:
            if raise_errors:
                raise
            return SubmissionResult(file=source, error=exc)
        return self.check_document(doc, stage=stage, raise_errors=raise_errors)

    def check_data(self, data: dict[str, Any], source: str = "<data>", *, stage: str | None = None,
                   raise_errors: bool = False) -> SubmissionResult:
        doc = Document(source=source, data=data, positions={}, key_positions={}, format="data")
        return self.check_document(doc, stage=stage, raise_errors=raise_errors)

    # -- the pipeline ----------------------------------------------------------------------------
    def validate(self, doc: Document) -> FactBase:
        try:
            return self.prepare(doc)[0]
        except EgovError as exc:
            _locate_cells(doc, exc)
            raise

    def prepare(self, doc: Document) -> tuple[FactBase, list[Finding]]:
        """Validated facts, with the trusted registry merged in before validation (so references to
        registry entities resolve) and its values put over inline copies after it; plus the findings the
        merge gives (inline copies that disagree with the registry).  Rules never see the difference.

        Valid data becomes facts in one generated pass; pydantic runs only when that pass has a doubt (it
        words the errors, or accepts and gives the same facts)."""
        merged = doc if self.registry is None else self.registry.augment(doc)
        fast = fast_facts(merged.data, doc.source)
        if fast is not None:
            mismatches = [] if self.registry is None else self.registry.override_facts(fast, merged)
            _require_something_to_check(fast, doc)
            return fast, mismatches
        from .input.validate import validate_document

        data = _dump(validate_document(merged))
        mismatches = [] if self.registry is None else self.registry.override(data, merged)
        facts = FactBase.from_data(data, doc.source)
        _require_something_to_check(facts, doc)
        return facts, mismatches

    def check_document(self, doc: Document, *, stage: str | None = None,
                       raise_errors: bool = False) -> SubmissionResult:
        if stage is not None and stage not in STAGES:
            raise UsageError(f"unknown stage '{stage}'", expected="one of " + ", ".join(STAGES))
        started = time.monotonic()
        try:
            with collector_paused(), time_limit(self.limits.max_seconds, doc.source):  # also stops one runaway rule
                facts, extra = self.prepare(doc)
                return self.check_facts(facts, doc, stage=stage, deadline=started + self.limits.max_seconds,
                                        extra=extra)
        except EgovError as exc:
            _locate_cells(doc, exc)
            if raise_errors:
                raise
            return SubmissionResult(file=doc.source, error=exc)

    def check_facts(self, facts: FactBase, doc: Document, *, stage: str | None = None,
                    deadline: float | None = None, extra: Iterable[Finding] = ()) -> SubmissionResult:
        runs = self.engine.run(facts, deadline)
        build = self.builder.build
        findings: list[Finding] = []
        outcomes: dict[str, str] = {}
        passed = not_applicable = 0
        for run in runs:  # one pass over every rule's run, in locals: 100+ runs per check, most without verdicts
            if run.verdicts:
                findings.extend([build(v, facts, doc) for v in run.verdicts])
                outcomes[run.rule.spec.id] = "findings"
            elif run.applied:
                outcomes[run.rule.spec.id] = "passed"
                passed += 1
            else:
                outcomes[run.rule.spec.id] = "not_applicable"
                not_applicable += 1
        if findings:  # before the registry mismatches: those are about the submission's own text
            mark_context(findings, facts)
        findings.extend(extra)  # registry mismatches
        findings.sort(key=Finding.sort_key)
        result = SubmissionResult(file=doc.source, id=facts.submission.get("id"), findings=findings,
                                  passed=passed, not_applicable=not_applicable, runs=runs, outcomes=outcomes)
        result.facts = facts  # names and info are worked out from them when first read
        if self.waivers is not None:  # before the decisions: waived findings never block
            result.notices.extend(self.waivers.apply(findings, facts))
        result.engine_notes = list(getattr(self.engine, "notes", []))
        result.decisions = self.decisions(facts, findings, stage)
        result.project_positions = {p["id"]: doc.locate(p[POINTER]) for p in facts.collection("projects")}
        return result

    @staticmethod
    def decisions(facts: FactBase, findings: list[Finding], stage: str | None) -> list[Decision]:
        by_project: dict[str, list[Finding]] = {}  # one pass, not one per project
        for f in findings:
            if f.project is not None:
                by_project.setdefault(f.project, []).append(f)
        out = []
        for project in facts.collection("projects"):
            pid = project["id"]
            out.append(decide(pid, stage or project.get("stage"), project.get("severity"), by_project.get(pid, [])))
        return out

    def redecide(self, result: SubmissionResult, facts: FactBase, stage: str | None) -> None:
        result.decisions = self.decisions(facts, result.findings, stage)
