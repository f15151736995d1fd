"""The fact models of actors, plans, approvals, platforms and projects (and the shared region and submission
blocks), mirroring their ``$defs`` in ``submission.schema.json``; the root model is in ``model.py``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import model_validator

from .model_fields import (
    Date,
    Id,
    Level,
    Mode,
    NonEmptyStr,
    NonNegNumber,
    NotNull,
    OptBool,
    OptStr,
    PlatformKind,
    Ref,
    Stage,
    Unique,
    _raise,
    _RegionMatchesLevel,
    _require_keys,
    _Strict,
)

# ------------------------------------------------------------------------------------- shared objects


class Region(_Strict):
    """jurisdiction or coverage"""

    province: NonEmptyStr
    city: NonEmptyStr | None = None
    county: NonEmptyStr | None = None


class SubmissionInfo(_Strict):
    """identity of the submission"""

    id: Id
    as_of: Date
    units_under_review: Annotated[list[Ref] | None, Unique(), NotNull("a list of unit ids")] = None
    kind: Literal["project_proposal", "unit_review", "mixed"]
    name: OptStr = None
    notes: OptStr = None


# --------------------------------------------------------------------------------------------- actors


class Authority(_RegionMatchesLevel):
    """a government or department (Arts 6, 12, 13, 17, 18, 44, 46)"""

    id: Id
    kind: Literal[
        "provincial_gov",
        "city_gov",
        "county_gov",
        "egov_dept",
        "gov_general_office",
        "approval_dept",
        "finance_dept",
        "supervision_organ",
        "standards_dept",
        "public_security",
        "secrecy_bureau",
    ]
    level: Level
    region: Region
    name: OptStr = None
    notes: OptStr = None


class Unit(_RegionMatchesLevel):
    """application unit 应用单位 (Art 7)"""

    id: Id
    type: Literal["state_organ", "public_institution", "social_group", "authorized_org"]
    level: Level
    region: Region
    parent_unit: Ref | None = None
    urban_rural_mgmt_role: OptBool = None
    separate_grid_team: OptBool = None
    power_list_published: bool | None = None
    public_service_list_published: bool | None = None
    data_return_to_lower: bool | None = None
    name: OptStr = None
    notes: OptStr = None


class TechnicalServiceUnit(_Strict):
    """技术服务单位 (Arts 8, 21, 41, 43)"""

    id: Id
    basis: Literal["duty", "agreement"]
    contract: Ref | None = None
    commissioned_by: Ref | None = None
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _contract_key(self) -> TechnicalServiceUnit:
        if self.basis == "agreement":
            _raise(_require_keys(self, ("contract",), "basis is 'agreement' (null if there is none)"))
        return self


# ---------------------------------------------------------------------------- plans, filings, approvals


class Filing(_Strict):
    """备案 with the provincial e-gov dept (Arts 12, 13, 44A)"""

    filed_with: Ref | None
    filed_date: Date | None
    record_no: str | None = None


class Modification(_Strict):
    date: Date
    procedure_followed: bool


class Plan(_Strict):
    """plan or programme (Arts 12, 13, 14, 23)"""

    id: Id
    kind: Literal[
        "overall_framework",
        "provincial_development_plan",
        "city_development_plan",
        "unit_construction_programme",
        "business_software_plan",
        "digital_fujian_annual_points",
    ]
    owner: Ref
    approved_by: Ref | None = None
    approved_date: Date | None = None
    filing: Annotated[Filing | None, NotNull("a mapping")] = None
    published_date: Date | None = None
    expert_review: bool | None = None
    public_comment: Annotated[
        Literal["done", "not_required", "missing"] | None, NotNull("one of: done, not_required, missing")
    ] = None
    modifications: Annotated[list[Modification] | None, NotNull("a list")] = None
    implementation_reports: Annotated[list[Date] | None, NotNull("a list of dates")] = None
    includes_projects: Annotated[list[Ref] | None, NotNull("a list of project ids")] = None
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _filed_kinds(self) -> Plan:
        if self.kind in ("city_development_plan", "unit_construction_programme"):
            keys = ("approved_by", "published_date", "filing")
            _raise(_require_keys(self, keys, f"kind is '{self.kind}'"))
        return self


class Approval(_Strict):
    """approval (Arts 17, 18, 44)"""

    id: Id
    kind: Literal[
        "data_centre",
        "directory_exchange_system",
        "project_initiation",
        "construction_funds",
        "acceptance",
        "om_funds",
    ]
    subject: Ref
    scope: Literal["new", "expand", "rebuild"] | None = None
    issuer: Ref
    decision: Literal["approved", "rejected", "pending"]
    date: Date | None
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _scope_key(self) -> Approval:
        if self.kind in ("data_centre", "directory_exchange_system"):
            _raise(_require_keys(self, ("scope",), f"kind is '{self.kind}'"))
        return self


# --------------------------------------------------------------------------- infrastructure, projects


class Platform(_RegionMatchesLevel):
    """platform, network, data centre, channel or grid facility (Arts 16-18, 21-26, 28-30)"""

    id: Id
    kind: PlatformKind
    subtype: str | None = None
    unified: bool
    owner: Ref
    level: Level
    region: Region
    status: Literal["planned", "under_construction", "in_service", "decommissioned"]
    integration_status: Literal["n/a", "none", "planned", "in_progress", "integrated"] | None = None
    in_apps_services_directory: OptBool = None
    cloud_backup_compliant: bool | None = None
    operator_tsu: Ref | None = None
    commissioned_date: Date | None = None
    name: OptStr = None
    notes: OptStr = None


class Budget(_Strict):
    construction_cny: NonNegNumber
    om_cny_per_year: NonNegNumber


class Hosting(_Strict):
    data_centre: Ref
    backup_centre: Ref | None


class Component(_Strict):
    """platform usage: everything the project uses or builds"""

    kind: PlatformKind
    mode: Mode
    platform: Ref
    justification: str | None = None


class BusinessSoftware(_Strict):
    function: str
    covers_lower_levels: bool
    industry_wide_platform: bool


class CentralVertical(_Strict):
    """国家垂直系统 (Art 32)"""

    uses: bool
    docked_with_provincial_dc: OptBool = None
    local_data_storage: OptBool = None
    sharing_mechanism: OptBool = None

    @model_validator(mode="after")
    def _uses_keys(self) -> CentralVertical:
        if self.uses is True:
            keys = ("docked_with_provincial_dc", "local_data_storage", "sharing_mechanism")
            _raise(_require_keys(self, keys, "uses is true"))
        return self


class EmergencyPlan(_Strict):
    tsu_cooperation: bool | None


class Impact(_Strict):
    """assessor-stated impact (Art 46 thresholds)"""

    waste_cny: NonNegNumber | None = None
    major_waste: bool | None = None
    major_errors: bool | None = None
    public_service_affected: bool | None = None
    adverse_social_impact: bool | None = None


class Project(_Strict):
    """e-gov project under review"""

    id: Id
    unit: Ref
    stage: Stage
    implementation_start: Date | None
    delivery_model: Literal["self_build", "purchase_of_services", "franchise", "mixed"]
    contract: Ref | None
    budget: Budget
    plan_refs: list[Ref]
    programme_ref: Ref | None
    in_annual_points: bool | None = None
    central_deployed: bool
    incorporated_in_digital_fujian: OptBool = None
    conforms_overall_framework: bool | None
    declared_standards: list[str]
    standards_deviations: list[str]
    network: Ref
    hosting: Hosting
    components: list[Component]
    inter_unit_sharing: bool
    sharing_via: Ref | None
    business_software: list[BusinessSoftware]
    central_vertical: CentralVertical
    grid_connected: bool | None
    security_system_per_plan: bool | None
    correction_deletion_channel: bool | None
    emergency_plan: EmergencyPlan
    backup_recovery_drill: bool | None
    information_systems: list[Ref]
    collection_items: list[Ref]
    services: list[Ref]
    impact: Impact
    severity: Literal["normal", "serious"] | None
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _central_keys(self) -> Project:
        if self.central_deployed is True:
            _raise(_require_keys(self, ("incorporated_in_digital_fujian",), "central_deployed is true"))
        return self


class SensingResource(_Strict):
    """感知资源 (Art 17, N2)"""

    id: Id
    unit: Ref
    kind: Literal["video", "iot_sensor", "other"]
    status: Literal["existing", "new"]
    reported_to_egov_dept: bool
    integrated: bool
    name: OptStr = None
    notes: OptStr = None
