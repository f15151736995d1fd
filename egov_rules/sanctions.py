"""Art 44 (project consequences by stage) and Art 46 (discipline items): articles.md §3.

Art 44 attaches to the project under review: class A (unfiled plan/programme) → not implemented; class B
(not meeting coordinated construction or not supporting sharing) → by stage; B-review → the same, as a
reviewer's call.  Findings with no class never block.  Art 46 items 1, 2, 4 and 6 need an impact fact
before they apply; without it they are only "potential".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STAGES = ("planning", "proposal", "approved", "under_construction", "completed", "in_operation")
THRESHOLD_ITEMS = frozenset({1, 2, 4, 6})

# consequence code -> (en, zh)
CONSEQUENCES: dict[str, tuple[str, str]] = {
    "not_implemented": (
        "the plan or programme shall not be implemented until it is filed",
        "规划或建设方案未经备案，不得组织实施",
    ),
    "not_approved": ("the approval department shall not approve construction", "审批部门不予审批建设"),
    "no_construction_funds": (
        "the finance department shall not arrange construction funds",
        "财政部门不予安排建设资金",
    ),
    "approval_review": ("the approval already given is flagged for review", "已作出的审批应予复核"),
    "suspend_funds": ("suspend disbursement of construction funds", "暂停拨付建设资金"),
    "suspend_construction": ("suspend construction", "暂停项目建设"),
    "terminate": ("terminate the project (circumstances serious)", "情节严重的，终止项目建设"),
    "not_accepted": ("the project shall not be accepted", "不予验收"),
    "suspend_om_funds": ("suspend disbursement of operation and maintenance funds", "暂停拨付运行维护经费"),
}

BY_STAGE: dict[str, tuple[str, ...]] = {
    "planning": ("not_approved", "no_construction_funds"),
    "proposal": ("not_approved", "no_construction_funds"),
    "approved": ("no_construction_funds", "approval_review"),
    "under_construction": ("suspend_funds", "suspend_construction"),
    "completed": ("not_accepted", "suspend_om_funds"),
    "in_operation": ("not_accepted", "suspend_om_funds"),
}

# what the decision is called when the stage is blocked (the user's words: approve, withhold funds, ...)
BLOCKED_OUTCOME = {
    "planning": "refuse_approval",
    "proposal": "refuse_approval",
    "approved": "withhold_funds",
    "under_construction": "suspend",
    "completed": "refuse_acceptance",
    "in_operation": "refuse_acceptance",
}
ALLOW_LABEL = {
    "planning": ("may proceed to proposal", "可进入立项申报"),
    "proposal": ("may be approved and funded", "可予审批并安排建设资金"),
    "approved": ("construction funds may be arranged", "可安排建设资金"),
    "under_construction": ("construction and funding may continue", "可继续建设和拨付资金"),
    "completed": ("may be accepted", "可予验收"),
    "in_operation": ("acceptance and O&M funding may continue", "可予验收并拨付运行维护经费"),
}
OUTCOME_TEXT = {
    "allow": ("allowed", "准予"),
    "needs_review": ("needs a reviewer's judgement", "需审核人员判断"),
    "not_implemented": ("shall not be implemented", "不得组织实施"),
    "refuse_approval": ("not approved, no construction funds", "不予审批、不安排建设资金"),
    "withhold_funds": ("construction funds withheld", "不安排建设资金"),
    "suspend": ("funds and construction suspended", "暂停拨付资金并暂停建设"),
    "terminate": ("terminate the project", "终止项目建设"),
    "refuse_acceptance": ("not accepted, O&M funds suspended", "不予验收、暂停拨付运行维护经费"),
    "not_applicable": ("no project under review", "无受审项目"),
}


def art44_consequences(cls: str, stage: str | None, severity: str | None) -> list[str]:
    """Consequence codes for one finding of Art 44 class ``cls`` at ``stage``."""
    if cls == "A":
        return ["not_implemented"]
    if cls not in ("B", "B-review") or stage is None:
        return []
    codes = list(BY_STAGE[stage])
    if stage == "under_construction" and severity == "serious":
        codes.append("terminate")
    return codes


def consequence_text(code: str, lang: str, review: bool = False) -> str:
    en, zh = CONSEQUENCES[code]
    text = zh if lang == "zh" else en
    if review:
        return ("（待审核）" if lang == "zh" else "(review) ") + text
    return text


def art46_status(item: int, impact: Any, severity: str) -> str:
    """'applicable' or 'potential' (items 1, 2, 4, 6 need an impact fact; unconfirmed findings are potential)."""
    if severity != "violation":
        return "potential"
    if item not in THRESHOLD_ITEMS:
        return "applicable"
    if impact is True or (isinstance(impact, int | float) and not isinstance(impact, bool) and impact > 0):
        return "applicable"
    return "potential"


@dataclass
class Decision:
    """The Art 44 decision for one project at one stage."""

    project: str | None
    stage: str | None
    outcome: str  # allow, needs_review, not_implemented, refuse_approval, withhold_funds, suspend, ...
    consequences: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # fingerprints of findings that block
    review: list[str] = field(default_factory=list)  # fingerprints of findings that need judgement

    @property
    def blocks(self) -> bool:
        return self.outcome not in ("allow", "needs_review", "not_applicable")


def decide(project: str | None, stage: str | None, severity: str | None, findings: list[Any]) -> Decision:
    """Art 44 for one project: class A/B violations block; B-review, unconfirmed or unknown ones need review."""
    blocking_a, blocking_b, review = [], [], []
    for f in findings:
        if f.waived or f.art44_class in ("none", None):
            continue
        if f.severity == "violation" and f.art44_class == "A":
            blocking_a.append(f)
        elif f.severity == "violation" and f.art44_class == "B":
            blocking_b.append(f)
        else:  # B-review violations, warnings and insufficient facts on a rule that could trigger Art 44
            review.append(f)
    codes: list[str] = []
    if blocking_a:
        outcome = "not_implemented"
        codes.append("not_implemented")
    if blocking_b and stage is not None:
        codes.extend(c for c in art44_consequences("B", stage, severity) if c not in codes)
        if not blocking_a:
            outcome = BLOCKED_OUTCOME[stage]
            if stage == "under_construction" and severity == "serious":
                outcome = "terminate"
    if not codes:
        outcome = "needs_review" if review else "allow"
    return Decision(
        project, stage, outcome, codes,
        [f.fingerprint for f in blocking_a + blocking_b], [f.fingerprint for f in review],
    )
