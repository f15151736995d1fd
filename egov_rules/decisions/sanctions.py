"""Art 44 (project consequences by stage) and Art 46 (discipline items): articles.md §3.

Art 44 attaches to the project under review: class A (unfiled plan/programme) → not implemented; class B
(not meeting coordinated construction or not supporting sharing) → by stage; B-review → the same, as a
reviewer's call; A-review (a programme filed only after implementation began) → "not implemented" as a
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
    if cls in ("A", "A-review"):
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


# Why a finding leaves the decision to a reviewer (spec/report.md, exit 3); {cls} is the Art 44 class.
REVIEW_REASONS: dict[str, tuple[str, str]] = {
    "b_review": (
        "the Art 44 link of this check is arguable (articles.md §3: 44B-review); the reviewer decides "
        "whether it counts as not meeting coordinated construction or not supporting sharing",
        "该项检查与第四十四条的关联存在争议（需审查的B类），由审核人员认定是否属于不符合统筹建设要求或不支持信息共享",
    ),
    "a_review": (
        "the programme or plan was filed only after implementation began: the bar on implementing unfiled "
        "plans and programmes (Art 44, class A) cannot apply as written to work already done; the reviewer "
        "decides what follows for it",
        "建设方案或规划在开始实施后才备案：第四十四条关于未经备案不得组织实施的规定（A类），无法照文适用于已经完成的工作；"
        "对已实施部分如何处理，由审核人员决定",
    ),
    "unknown_facts": (
        "facts this check needs are not given, and the check could trigger Art 44 class {cls}",
        "该项检查所需事实未填写，而该检查可能触发第四十四条{cls}类处理",
    ),
    "unconfirmed": (
        "a likely breach that a person must confirm (warning) on a check that could trigger Art 44 class {cls}",
        "属于需人工确认的疑似违规，该检查可能触发第四十四条{cls}类处理",
    ),
    "stage_unknown": (
        "the project's stage is unknown, so the Art 44 consequence cannot be chosen",
        "项目所处阶段未知，无法确定第四十四条的处理措施",
    ),
}

# Remarks a decision carries beside its consequences (articles.md §3.1 and N3).
DECISION_NOTES: dict[str, tuple[str, str]] = {
    "a_started": (
        "if implementation has already started it is unlawful; suspending it until the plan or programme is "
        "filed is an interpretive recommendation, not a consequence the Measures state",
        "已组织实施的属违法实施；在备案前暂停实施系解释性建议，并非本办法明文规定的后果",
    ),
    "severity_unknown": (
        "whether the circumstances are serious (termination) is not stated: project.severity is unknown; "
        "terminating the project is a reviewer's decision",
        "是否属于情节严重（终止项目建设）未说明：project.severity 未知；终止项目由审核人员决定",
    ),
    "planning_stage": (
        "the Measures set no planning-stage consequence; the proposal-stage consequences are shown, as they "
        "will apply when the project is proposed",
        "本办法未规定规划阶段的处理措施；此处列出立项申报阶段的措施，项目申报时即适用",
    ),
}


def review_reason(code: str, cls: str, lang: str) -> str:
    en, zh = REVIEW_REASONS[code]
    return (zh if lang == "zh" else en).format(cls=cls)


def decision_note(code: str, lang: str) -> str:
    en, zh = DECISION_NOTES[code]
    return zh if lang == "zh" else en


@dataclass
class Decision:
    """The Art 44 decision for one project at one stage."""

    project: str | None
    stage: str | None
    outcome: str  # allow, needs_review, not_implemented, refuse_approval, withhold_funds, suspend, ...
    consequences: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # fingerprints of findings that block
    review: list[str] = field(default_factory=list)  # fingerprints of findings that need judgement
    conditional: list[str] = field(default_factory=list)  # consequences if the reviewer confirms them
    reasons: dict[str, str] = field(default_factory=dict)  # review fingerprint -> REVIEW_REASONS code
    notes: list[str] = field(default_factory=list)  # DECISION_NOTES codes

    @property
    def blocks(self) -> bool:
        return self.outcome not in ("allow", "needs_review", "not_applicable")


def _review_reason(f: Any, stage: str | None) -> str:
    if f.severity == "insufficient":
        return "unknown_facts"
    if f.art44_class == "B-review":
        return "b_review"
    if f.art44_class == "A-review":
        return "a_review"
    if f.severity == "violation" and stage is None:
        return "stage_unknown"
    return "unconfirmed"


def decide(project: str | None, stage: str | None, severity: str | None, findings: list[Any]) -> Decision:
    """Art 44 for one project (articles.md §3.1).

    Confirmed class A or B violations block: A → not implemented (any stage); B → by stage, terminate when
    under construction and serious.  B-review findings, warnings and unknown facts on a check that could
    trigger class A or B leave the decision to a reviewer: their consequences are listed as conditional.
    Waived findings and findings with no class never block.
    """
    if not findings:  # most projects of most checks: allowed, nothing conditional, no note
        return Decision(project, stage, "allow")
    blocking_a, blocking_b, review = [], [], []
    for f in findings:
        if f.waived or f.art44_class in ("none", None):
            continue
        if f.severity == "violation" and f.art44_class == "A":
            blocking_a.append(f)
        elif f.severity == "violation" and f.art44_class == "B" and stage is not None:
            blocking_b.append(f)
        else:  # B-review, warnings, insufficient facts, or no stage to map class B by
            review.append(f)
    codes: list[str] = []
    outcome = "allow"
    if blocking_a:
        outcome = "not_implemented"
        codes.append("not_implemented")
    if blocking_b and stage is not None:
        codes.extend(c for c in art44_consequences("B", stage, severity) if c not in codes)
        if not blocking_a:
            outcome = BLOCKED_OUTCOME[stage]
            if stage == "under_construction" and severity == "serious":
                outcome = "terminate"
    if not codes and review:
        outcome = "needs_review"
    conditional: list[str] = []
    for f in review:
        cls = "A" if f.art44_class in ("A", "A-review") else "B"
        for c in art44_consequences(cls, stage, severity):
            if c not in codes and c not in conditional:
                conditional.append(c)
    notes = []
    if "not_implemented" in codes + conditional and stage in ("under_construction", "completed", "in_operation"):
        notes.append("a_started")
    if stage == "under_construction" and severity is None and (blocking_b or review):
        notes.append("severity_unknown")
    if stage == "planning" and (blocking_b or review):
        notes.append("planning_stage")
    return Decision(
        project, stage, outcome, codes,
        [f.fingerprint for f in blocking_a + blocking_b], [f.fingerprint for f in review],
        conditional, {f.fingerprint: _review_reason(f, stage) for f in review}, notes,
    )
