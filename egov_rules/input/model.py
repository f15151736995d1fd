"""The fact model: pydantic v2 models mirroring ``submission.schema.json`` (JSON Schema 2020-12, normative).

Field names, types, enums, nullability, required keys, bounds, patterns and the schema's ``allOf`` if/then
rules are all reproduced here; ``tests/test_model.py`` checks the models against the bundled schema field by
field and with a differential property test.  The schema has three kinds of optional field, kept apart here:

* required but nullable (``implementation_start: date | null``): annotated ``X | None`` with no default;
* optional and nullable: ``X | None = None``;
* optional but *not* nullable (``in_apps_services_directory: boolean``):
  ``Annotated[X | None, NotNull(...)] = None`` (left out reads as None, as the spec says; null is an error).

Validation is strict (no coercion): ``"true"`` is not a bool, ``1`` is not a bool, ``"5"`` is not an int,
``5`` is not a string; but ``3.0`` *is* an integer, as in JSON Schema, and becomes ``3``.  Dates arrive as
``YYYY-MM-DD`` strings and become ``datetime.date``.  Reference fields keep their string ids; ``REFERENCES``
(built from the bundled schema's ``x-ref`` marks) says which collections each may point into, and ``validate``
resolves them.

This module is the root (``Submission``) and the tables from models to schema nodes; the field types and the
model base are in ``model_fields.py``, the entity models in ``model_projects.py`` and
``model_data_services.py``, the schema read as data (``COLLECTIONS``, ``REFERENCES``, ``schema_node``) in
``schema_nodes.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, Field

from .model_data_services import (
    AccessAudit,
    AdminServiceCentre,
    AppsServicesDirectoryEntry,
    CatalogueEntry,
    CollectionCatalogue,
    CollectionItem,
    Consent,
    Contract,
    InfoResource,
    InformationSystem,
    Inspection,
    InspectionFinding,
    OpenDirectoryEntry,
    PaperOutput,
    Service,
    SharingRequest,
    TsuEvaluation,
    UnitRegistration,
)
from .model_fields import _Strict
from .model_projects import (
    Approval,
    Authority,
    Budget,
    BusinessSoftware,
    CentralVertical,
    Component,
    EmergencyPlan,
    Filing,
    Hosting,
    Impact,
    Modification,
    Plan,
    Platform,
    Project,
    Region,
    SensingResource,
    SubmissionInfo,
    TechnicalServiceUnit,
    Unit,
)
from .schema_nodes import COLLECTIONS

__all__ = ["ENTITY_MODELS", "MODEL_NODES", "Submission"]


# --------------------------------------------------------------------------------------------- root


class Submission(_Strict):
    """egov-rules submission (Fujian Decree No. 156 fact model)"""

    submission: SubmissionInfo
    authorities: list[Authority] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    technical_service_units: list[TechnicalServiceUnit] = Field(default_factory=list)
    plans: list[Plan] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    platforms: list[Platform] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    information_systems: list[InformationSystem] = Field(default_factory=list)
    collection_catalogues: list[CollectionCatalogue] = Field(default_factory=list)
    collection_items: list[CollectionItem] = Field(default_factory=list)
    info_resources: list[InfoResource] = Field(default_factory=list)
    sharing_requests: list[SharingRequest] = Field(default_factory=list)
    apps_services_directory: list[AppsServicesDirectoryEntry] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    open_directory: list[OpenDirectoryEntry] = Field(default_factory=list)
    sensing_resources: list[SensingResource] = Field(default_factory=list)
    contracts: list[Contract] = Field(default_factory=list)
    tsu_evaluations: list[TsuEvaluation] = Field(default_factory=list)
    inspections: list[Inspection] = Field(default_factory=list)
    admin_service_centres: list[AdminServiceCentre] = Field(default_factory=list)

    def entities(self) -> Iterator[tuple[str, int, BaseModel]]:
        """Every entity as ``(collection, index, model)``, in collection order."""
        for collection in COLLECTIONS:
            for i, entity in enumerate(getattr(self, collection)):
                yield collection, i, entity


# ----------------------------------------------------------------------------------- derived tables

# Entity def name (as in the schema's $defs) -> model; "submission" is the identity block, not a collection.
ENTITY_MODELS: dict[str, type[BaseModel]] = {
    "submission": SubmissionInfo,
    "authority": Authority,
    "unit": Unit,
    "technical_service_unit": TechnicalServiceUnit,
    "plan": Plan,
    "approval": Approval,
    "platform": Platform,
    "project": Project,
    "information_system": InformationSystem,
    "collection_catalogue": CollectionCatalogue,
    "collection_item": CollectionItem,
    "info_resource": InfoResource,
    "sharing_request": SharingRequest,
    "apps_services_directory_entry": AppsServicesDirectoryEntry,
    "service": Service,
    "open_directory_entry": OpenDirectoryEntry,
    "sensing_resource": SensingResource,
    "contract": Contract,
    "tsu_evaluation": TsuEvaluation,
    "inspection": Inspection,
    "admin_service_centre": AdminServiceCentre,
}

# Every model -> the schema node it mirrors: (def name, dotted path inside it; "" = the def itself).
MODEL_NODES: dict[type[BaseModel], tuple[str, str]] = {
    **{model: (name, "") for name, model in ENTITY_MODELS.items()},
    Region: ("region", ""),
    Filing: ("plan", "filing"),
    Modification: ("plan", "modifications[]"),
    Budget: ("project", "budget"),
    Hosting: ("project", "hosting"),
    Component: ("project", "components[]"),
    BusinessSoftware: ("project", "business_software[]"),
    CentralVertical: ("project", "central_vertical"),
    EmergencyPlan: ("project", "emergency_plan"),
    Impact: ("project", "impact"),
    CatalogueEntry: ("collection_catalogue", "entries[]"),
    Consent: ("collection_item", "consent"),
    UnitRegistration: ("apps_services_directory_entry", "unit_registrations[]"),
    PaperOutput: ("service", "paper_outputs[]"),
    AccessAudit: ("information_system", "access_audit"),
    InspectionFinding: ("inspection", "findings[]"),
}

if set(COLLECTIONS) != set(Submission.model_fields) - {"submission"} or not set(COLLECTIONS.values()) <= set(
    ENTITY_MODELS
):  # a schema/model drift is a packaging bug, caught at import rather than as wrong validation
    raise ImportError("egov_rules.input.model is out of step with the bundled submission.schema.json")
