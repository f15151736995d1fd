"""Static checks of a loaded rulebook beyond what loading enforces (which already covers schema, names,
types, enum values, unique ids, citations 1-47, both languages and examples present)."""

from __future__ import annotations

import re

from ..errors import RuleFileError
from .articles import article_info
from .rulebook import Rulebook

CJK = re.compile(r"[\u4e00-\u9fff]")


def lint_rulebook(rb: Rulebook) -> list[RuleFileError]:
    problems: list[RuleFileError] = []

    def problem(rule_file: str, line: int, col: int, message: str) -> None:
        problems.append(RuleFileError(message, file=rule_file, line=line, column=col))

    for r in rb.rules:
        s = r.spec
        for kind in ("title", "message", "remediation", "question"):
            text = getattr(s, kind)
            if text is None:
                continue
            if not CJK.search(text.zh):
                problem(r.file, r.line, r.column, f"{r.id}: {kind}.zh has no Chinese text")
            if CJK.search(text.en):
                problem(r.file, r.line, r.column, f"{r.id}: {kind}.en contains Chinese text; keep it English")
        if any(e.expect == "insufficient" for e in s.examples):
            if s.question is None:  # its unknown-facts finding would fall back to a derived title
                problem(r.file, r.line, r.column, f"{r.id}: has an 'insufficient' example but no question "
                        "(the open question a reviewer reads when the facts are missing)")
            elif not s.question.en.startswith("Cannot decide whether") or not s.question.zh.startswith("无法判定"):
                problem(r.file, r.line, r.column, f"{r.id}: question should read 'Cannot decide whether ...' / "
                        "'无法判定…'")
        info = article_info(s.article)
        if info is not None and info.get("checkable") in ("no", False):
            problem(r.file, r.line, r.column,
                    f"{r.id}: article {s.article} is marked not machine-checkable in the article catalogue")
        if s.severity == "warning" and s.downgrade is not None:
            problem(r.file, r.line, r.column, f"{r.id}: a warning rule cannot be downgraded further")
        if s.sanctions.art44 != "none" and r.project is None:
            problem(r.file, r.line, r.column,
                    f"{r.id}: Art 44 class {s.sanctions.art44} needs a project, but no binding leads to one")
    return problems
