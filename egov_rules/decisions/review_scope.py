"""What a submission puts under review, and which findings are only context.

spec/submission.md ("Units under review"): the units in ``submission.units_under_review`` or, when it is left
out, the owners of ``projects[]``; "other units are context".  Here that is applied to every entity:

- every project of the submission is under review (it is what the submission asks about);
- a unit is under review when it is one of the units under review;
- an authority never is (the duties checked here are the units' and their projects');
- any other entity (plan, platform, approval, system, resource, request, contract, technical service unit...)
  belongs to whoever it names first among ``project, unit, owner_unit, provider_unit, owner, subject,
  contract`` and is under review when that owner is (a TSU through its contract with a unit); an entity
  naming none of them is under review (nothing says it is not).

A finding is *context* when the entity it is about is not under review and it does not attach to a project
of the submission (a finding a project inherits, such as an unfiled plan it rests on, decides that project
and is never context).  Context findings keep their severity, are reported apart, and count toward the
exit code only with ``--include-context``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..input.facts import COLLECTION, FactBase

OWNER_KEYS = ("project", "unit", "owner_unit", "provider_unit", "owner", "subject", "contract")
NEVER_UNDER_REVIEW = frozenset({"authorities"})


class ReviewScope:
    def __init__(self, facts: FactBase) -> None:
        self.facts = facts
        self.units = {u["id"] for u in facts.collection("units_under_review")}
        self._memo: dict[str, bool] = {}

    def under_review(self, entity: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
        eid = str(entity.get("id"))
        known = self._memo.get(eid)
        if known is not None:
            return known
        collection = entity.get(COLLECTION)
        if collection == "projects":
            result = True
        elif collection == "units":
            result = eid in self.units
        elif collection in NEVER_UNDER_REVIEW:
            result = False
        else:
            result = True
            for key in OWNER_KEYS:
                owner = self.facts.by_id.get(entity[key]) if isinstance(entity.get(key), str) else None
                if owner is not None and owner.get("id") not in seen and owner is not entity:
                    result = self.under_review(owner, seen | {eid})
                    break
        self._memo[eid] = result
        return result

    def is_context(self, subject_id: str, project: str | None) -> bool:
        if project is not None:
            return False
        entity = self.facts.by_id.get(subject_id)
        return entity is not None and not self.under_review(entity)


def mark_context(findings: Iterable[Any], facts: FactBase) -> None:
    scope = ReviewScope(facts)
    for f in findings:
        f.context = scope.is_context(f.subject_id, f.project)
