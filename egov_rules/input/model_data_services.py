"""The fact models of information resources, services, security and oversight, mirroring their ``$defs`` in
``submission.schema.json``; the root model is in ``model.py``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .model_fields import (
    Article,
    DataElement,
    Date,
    Id,
    Level,
    MlpsLevel,
    NonNegInt,
    NotNull,
    OptBool,
    OptStr,
    PlatformKind,
    Ref,
    SecrecyBasis,
    Unique,
    Year,
    _raise,
    _RegionMatchesLevel,
    _require_keys,
    _Strict,
)
from .model_projects import Region

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
