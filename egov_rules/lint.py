"""Static checks of a loaded rulebook beyond what loading enforces (which already covers schema, names,
types, enum values, unique ids, citations 1-47, both languages and examples present)."""

from __future__ import annotations

import re

from .articles import article_info
from .errors import RuleFileError
from .rulebook import Rulebook

CJK = re.compile(r"[\u4e00-\u9fff]")


def lint_rulebook(rb: Rulebook) -> list[RuleFileError]:
    problems: list[RuleFileError] = []

    def problem(rule_file: str, line: int, col: int, message: str) -> None:
        problems.append(RuleFileError(message, file=rule_file, line=line, column=col))

    for r in rb.rules:
        s = r.spec
        for kind in ("title", "message", "remediation"):
            text = getattr(s, kind)
            if not CJK.search(text.zh):
                problem(r.file, r.line, r.column, f"{r.id}: {kind}.zh has no Chinese text")
            if CJK.search(text.en):
                problem(r.file, r.line, r.column, f"{r.id}: {kind}.en contains Chinese text; keep it English")
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
