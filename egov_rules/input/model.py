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
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

__all__ = [
    "COLLECTIONS",
    "DATA_ELEMENT_PATTERN",
    "DATE_PATTERN",
    "ENTITY_MODELS",
    "ID_PATTERN",
    "MODEL_NODES",
    "REFERENCES",
    "NotNull",
    "Problem",
    "Submission",
    "SubmissionInfo",
    "Unique",
    "entity_label",
    "normative_schema",
    "schema_node",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
DATA_ELEMENT_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
YEAR_PATTERN = r"^[0-9]{4}$"

# Error types this module raises (``validate`` turns each into a plain-words InputError).
ERR_DATE = "egov_date"  # ctx: reason = "type" | "format" | "calendar"
ERR_PERIOD = "egov_period"
ERR_NOT_NULL = "egov_not_null"  # ctx: expected
ERR_UNIQUE = "egov_unique"  # ctx: index, first
ERR_RULE = "egov_rule"  # ctx: problems = tuple[Problem, ...]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fullmatch: "$" in re would accept a trailing newline
_YEAR_RE = re.compile(r"[0-9]{4}")


@cache
def normative_schema() -> dict[str, Any]:
    """The bundled ``submission.schema.json`` (cached; callers must not mutate it)."""
    text = resources.files("egov_rules").joinpath("data/submission.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# ---------------------------------------------------------------------------------------- field types


def _parse_date(value: object) -> dt.date:
    if not isinstance(value, str):  # strict: a YAML/JSON date is always a string here (load keeps it so)
        raise PydanticCustomError(ERR_DATE, "expected a date written YYYY-MM-DD", {"reason": "type"})
    if not _DATE_RE.fullmatch(value):
        raise PydanticCustomError(ERR_DATE, "expected a date written YYYY-MM-DD", {"reason": "format"})
    try:
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        raise PydanticCustomError(ERR_DATE, "not a real calendar date", {"reason": "calendar"}) from None


def _integral(value: Any) -> Any:
    # JSON Schema (draft 6 on) counts 2.0 as an integer: a number with zero fractional part.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _parse_year(value: object) -> int:
    # The schema's anyOf: a 4-digit string, or an integer 1000..9999 (bool is not an integer).
    if isinstance(value, str) and _YEAR_RE.fullmatch(value):
        return int(value)
    value = _integral(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value
    raise PydanticCustomError(ERR_PERIOD, "expected a year: 4 digits as a string, or a whole number 1000-9999")


_DATE_JSON = {"type": "string", "format": "date", "pattern": DATE_PATTERN}

Date = Annotated[dt.date, PlainValidator(_parse_date), WithJsonSchema(_DATE_JSON)]
Year = Annotated[
    int,
    PlainValidator(_parse_year),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": YEAR_PATTERN},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ]
        }
    ),
]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = Annotated[str, StringConstraints(pattern=ID_PATTERN)]  # an id of another entity; see REFERENCES
DataElement = Annotated[str, StringConstraints(pattern=DATA_ELEMENT_PATTERN)]
NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
Number = Annotated[float, Field(allow_inf_nan=False)]  # strict float accepts ints, rejects bools and strings
NonNegNumber = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# Bounds go before the validator so they stay on the int schema (and reach the JSON Schema as minimum/maximum).
NonNegInt = Annotated[int, Field(ge=0), BeforeValidator(_integral)]
MlpsLevel = Annotated[int, Field(ge=1, le=5), BeforeValidator(_integral)]
Article = Annotated[int, Field(ge=1, le=47), BeforeValidator(_integral)]


@dataclass(frozen=True)
class NotNull:
    """An optional field the schema does not let be null: left out reads as None; null is an error."""

    expected: str  # plain words for the error message, e.g. "true or false"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return _drop_null(handler(schema))

    def _check(self, value: Any) -> Any:
        if value is None:  # only an explicit null gets here: pydantic never validates the default
            raise PydanticCustomError(
                ERR_NOT_NULL, "null is not allowed; leave the field out instead", {"expected": self.expected}
            )
        return value


def _drop_null(schema: JsonSchemaValue) -> JsonSchemaValue:
    alternatives = schema.get("anyOf")
    if not alternatives:
        return schema
    rest = [a for a in alternatives if a != {"type": "null"}]
    if len(rest) == 1:
        out = {k: v for k, v in schema.items() if k != "anyOf"}
        out.update(rest[0])
        return out
    return {**schema, "anyOf": rest}


@dataclass(frozen=True)
class Unique:
    """JSON Schema ``uniqueItems`` for a list (of strings or enum values)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        out = handler(schema)
        out["uniqueItems"] = True
        return out

    @staticmethod
    def _check(value: Any) -> Any:
        if isinstance(value, list):
            seen: dict[Any, int] = {}
            for i, item in enumerate(value):
                if item in seen:
                    raise PydanticCustomError(
                        ERR_UNIQUE, "items must be unique", {"index": i, "first": seen[item], "value": item}
                    )
                seen[item] = i
        return value


OptStr = Annotated[str | None, NotNull("a string")]
OptBool = Annotated[bool | None, NotNull("true or false")]

Level = Literal["provincial", "municipal", "county"]
PlatformKind = Literal[
    "egov_network",
    "dedicated_network",
    "data_centre",
    "backup_centre",
    "gov_cloud_platform",
    "basic_database",
    "directory_exchange_system",
    "info_sharing_platform",
    "open_data_portal",
    "online_service_platform",
    "gbs_admin_approval",
    "gbs_law_enforcement",
    "gbs_performance_evaluation",
    "gbs_financial_management",
    "cross_dept_common_software",
    "business_application",
    "grid_platform",
    "community_terminal",
    "call_centre",
    "push_platform",
    "mobile_app",
    "portal_website",
    "other_service_channel",
    "security_monitoring_platform",
    "identity_auth",
]
Mode = Literal["use_unified", "build_own", "expand_own", "rebuild_own", "purchase_service", "integrate_existing"]
Stage = Literal["planning", "proposal", "approved", "under_construction", "completed", "in_operation"]
SecrecyBasis = Literal["state_secret", "trade_secret", "personal_privacy", "law", "none"]


# ---------------------------------------------------------------------------------- conditional rules


@dataclass(frozen=True)
class Problem:
    """One violated if/then rule, relative to the model that found it."""

    loc: tuple[str, ...]  # path below the model, e.g. ("region", "city")
    message: str
    missing: bool  # True: a key is left out (points at the parent mapping); False: the value is wrong


def _raise(problems: list[Problem]) -> None:
    # One pydantic error can carry several problems; ``validate`` reports each at its own place.
    if problems:
        raise PydanticCustomError(ERR_RULE, "{summary}", {"summary": problems[0].message, "problems": tuple(problems)})


def _require_keys(model: BaseModel, keys: tuple[str, ...], condition: str) -> list[Problem]:
    present = model.model_fields_set
    return [Problem((k,), f"missing field '{k}', required when {condition}", True) for k in keys if k not in present]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=False)


class _RegionMatchesLevel(_Strict):
    """``$defs/region_matches_level``: a municipal region names its city, a county one city and county."""

    @model_validator(mode="after")
    def _region_matches_level(self) -> Any:
        level = getattr(self, "level", None)
        region: Region | None = getattr(self, "region", None)
        needed = {"municipal": ("city",), "county": ("city", "county")}.get(level or "", ())
        problems = []
        if region is not None:
            for key in needed:
                if getattr(region, key) is None:
                    missing = key not in region.model_fields_set
                    what = "missing field" if missing else "null is not allowed for"
                    problems.append(
                        Problem(
                            ("region", key),
                            f"{what} '{key}' in region: {_label_of(self)} at {level} level must name its {key}",
                            missing,
                        )
                    )
        _raise(problems)
        return self


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


# -------------------------------------------------------------------------------- information resources


class CatalogueEntry(_Strict):
    element: DataElement
    scope: str
    content: str


class CollectionCatalogue(_Strict):
    """采集目录 (Art 19)"""

    id: Id
    unit: Ref
    issuer: Ref
    version: str
    effective_date: Date
    entries: list[CatalogueEntry]
    name: OptStr = None
    notes: OptStr = None


class Consent(_Strict):
    """needed only if the unit is not a state organ (Art 20)"""

    obtained: bool
    purpose_stated: bool
    scope_stated: bool


class CollectionItem(_Strict):
    """one data element a project collects (Arts 19, 20)"""

    id: Id
    unit: Ref
    project: Ref
    element: DataElement
    source: Literal["from_subject", "via_sharing", "self_generated", "lookup_key"]
    subject_type: Literal["natural_person", "legal_person", "other_org", "object"]
    personal: bool
    sensitive: bool
    consent: Annotated[Consent | None, NotNull("a mapping")] = None
    use_beyond_agreement: bool | None = None
    recollection_justification: str | None = None
    in_catalogue: OptBool = None
    available_via_sharing: Ref | None = None
    name: OptStr = None
    notes: OptStr = None


class InfoResource(_Strict):
    """entry in the information resource directory 政务信息资源目录 (Arts 18, 19, 21, 27, 31, 36, 40)"""

    id: Id
    owner_unit: Ref
    title: str
    elements: Annotated[list[DataElement], Field(min_length=1)]
    available: bool
    sharing_type: Literal["unconditional", "conditional", "not_shared"]
    not_shared_basis: SecrecyBasis | None = None
    sharing_conditions: str | None = None
    published_on_exchange: bool
    published_on_platform: bool
    sensitive: bool
    open_type: Literal["open", "conditional_open", "not_open"]
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _basis_key(self) -> InfoResource:
        if self.sharing_type == "not_shared":
            _raise(_require_keys(self, ("not_shared_basis",), "sharing_type is 'not_shared'"))
        return self


class SharingRequest(_Strict):
    """another unit's request to share (Arts 27, 31, 46(4))"""

    id: Id
    requester_unit: Ref
    provider_unit: Ref
    resource: Ref
    duty_basis: str
    requested_date: Date
    deadline_days: NonNegInt
    response: Literal["granted", "refused", "pending"]
    response_date: Date | None = None
    refusal_basis: SecrecyBasis | None = None
    impact_public_services: bool | None = None
    name: OptStr = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _refusal_key(self) -> SharingRequest:
        if self.response == "refused":
            _raise(_require_keys(self, ("refusal_basis",), "response is 'refused'"))
        return self


class UnitRegistration(_Strict):
    unit: Ref
    system: str
    registered: bool
    last_updated: Date | None = None


class AppsServicesDirectoryEntry(_RegionMatchesLevel):
    """电子政务应用和服务目录 (Arts 28, 31, 46(2))"""

    id: Id
    issuer: Ref
    level: Level
    region: Region
    platform: Ref | None = None
    kind: PlatformKind | None = None
    published_date: Date
    last_updated: Date
    unit_registrations: list[UnitRegistration]
    name: OptStr = None
    notes: OptStr = None


class OpenDirectoryEntry(_Strict):
    """公共信息资源开放指南和目录 (Arts 21, 36, 37, 46(5))"""

    id: Id
    resource: Ref
    owner_unit: Ref
    required: bool
    published: bool
    published_date: Date | None = None
    completeness: Literal["full", "partial", "none"]
    publication_lag_days: NonNegInt | None = None
    required_lag_days: NonNegInt | None = None
    contains: Annotated[list[Literal["personal_privacy", "trade_secret", "state_secret"]], Unique()]
    deidentified: bool
    name: OptStr = None
    notes: OptStr = None


# ----------------------------------------------------------------------- services, security, oversight


class PaperOutput(_Strict):
    document: str
    electronic_synchronous: bool


class Service(_Strict):
    """办事事项 (Arts 22, 25, 33, 34)"""

    id: Id
    unit: Ref
    name: str
    confidential: bool
    online_level: Literal["whole_process", "partial", "offline"]
    paper_outputs: list[PaperOutput]
    accepts_electronic_files: bool
    requires_paper_originals: list[str]
    e_licences_available: list[str]
    identity_media: Annotated[
        list[
            Literal[
                "id_card",
                "social_security_card",
                "digital_certificate",
                "org_code_certificate",
                "business_licence",
            ]
        ],
        Unique(),
    ]
    extra_certificates_required: list[str]
    channels: list[Ref]
    notes: OptStr = None


class AccessAudit(_Strict):
    enabled: bool
    logs_submitted_to_provider: bool
    retention_days: NonNegInt | None = None


class InformationSystem(_Strict):
    """system under classified protection (Art 40)"""

    id: Id
    project: Ref
    name: OptStr = None
    operator_tsu: Ref | None = None
    secret_involved: bool
    mlps_level: MlpsLevel | None
    mlps_filed_with: Ref | None = None
    fenji_level: Literal["secret", "confidential", "top_secret"] | None = None
    personal_data_categories: Annotated[list[str] | None, NotNull("a list of strings")] = None
    accesses_shared_sensitive: list[Ref]
    access_audit: AccessAudit
    risk_assessment_date: Date | None = None
    notes: OptStr = None

    @model_validator(mode="after")
    def _fenji_key(self) -> InformationSystem:
        if self.secret_involved is True:
            _raise(_require_keys(self, ("fenji_level",), "secret_involved is true (null if not determined)"))
        return self


class Contract(_Strict):
    """contract with a technical service unit (Arts 8, 9, 41, 45)"""

    id: Id
    unit: Ref
    tsu: Ref
    type: Literal["construction", "om", "purchase_of_services", "franchise"]
    data_ownership: Literal["state", "vendor", "unspecified"]
    sla_defined: bool
    emergency_backup_cooperation: bool
    name: OptStr = None
    notes: OptStr = None


class TsuEvaluation(_Strict):
    """a unit's evaluation of a TSU (Art 43)"""

    id: Id
    unit: Ref
    tsu: Ref
    period: Year  # "YYYY" or an integer 1000..9999, normalised to int
    date: Date
    result: Literal["satisfactory", "unsatisfactory"]
    name: OptStr = None
    notes: OptStr = None


class InspectionFinding(_Strict):
    id: Id
    article: Article
    deadline: Date
    rectified: bool
    feedback_submitted: bool


class Inspection(_Strict):
    """inspection (Arts 42, 43)"""

    id: Id
    authority: Ref
    subject: Ref
    date: Date
    info_provided_fully: bool
    findings: list[InspectionFinding]
    name: OptStr = None
    notes: OptStr = None


class AdminServiceCentre(_RegionMatchesLevel):
    """行政服务中心 (Art 38)"""

    id: Id
    level: Level
    region: Region
    windows_model: Literal["professional", "integrated"]
    extended_to_community: bool
    name: OptStr = None
    notes: OptStr = None


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


def _deref(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk_refs(node: dict[str, Any], path: str, defs: dict[str, Any], out: dict[str, tuple[str, ...]]) -> None:
    node = _deref(node, defs)
    if "x-ref" in node:
        out[path] = tuple(node["x-ref"])
        return
    for key, sub in node.get("properties", {}).items():
        _walk_refs(sub, f"{path}.{key}" if path else key, defs, out)
    if "items" in node:
        items = _deref(node["items"], defs)
        if "x-ref" in items:
            out[f"{path}[]"] = tuple(items["x-ref"])
        else:
            for key, sub in items.get("properties", {}).items():
                _walk_refs(sub, f"{path}[].{key}", defs, out)


def _build_tables() -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, ...]]]:
    schema = normative_schema()
    defs = schema["$defs"]
    collections: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        if prop.get("type") == "array":
            collections[name] = prop["items"]["$ref"].rsplit("/", 1)[-1]
    references: dict[tuple[str, str], tuple[str, ...]] = {}
    for def_name in ("submission", *collections.values()):
        found: dict[str, tuple[str, ...]] = {}
        _walk_refs(defs[def_name], "", defs, found)
        for path, targets in found.items():
            references[(def_name, path)] = targets
    return collections, references


COLLECTIONS: dict[str, str]
REFERENCES: dict[tuple[str, str], tuple[str, ...]]
COLLECTIONS, REFERENCES = _build_tables()

if set(COLLECTIONS) != set(Submission.model_fields) - {"submission"} or not set(COLLECTIONS.values()) <= set(
    ENTITY_MODELS
):  # a schema/model drift is a packaging bug, caught at import rather than as wrong validation
    raise ImportError("egov_rules.input.model is out of step with the bundled submission.schema.json")


def schema_node(def_name: str, path: str = "") -> dict[str, Any]:
    """The normative schema node for ``(def name, dotted path)`` as used in ``REFERENCES``/``MODEL_NODES``."""
    defs = normative_schema()["$defs"]
    node = _deref(defs[def_name], defs)
    for part in filter(None, path.split(".")):
        is_list = part.endswith("[]")
        node = _deref(node["properties"][part.removesuffix("[]")], defs)
        if is_list:
            node = _deref(node["items"], defs)
    return node


def entity_label(def_name: str) -> str:
    """Readable name for messages, from a def name: "a technical service unit", "an authority"."""
    words = def_name.replace("_", " ").replace("tsu ", "TSU ")
    return ("an " if words[0] in "aeio" else "a ") + words


def _label_of(model: BaseModel) -> str:
    names = [name for name, cls in ENTITY_MODELS.items() if cls is type(model)]
    return entity_label(names[0]) if names else "an entity"
