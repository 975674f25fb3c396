"""Every ORM model, imported once so that Alembic and the tests see the whole schema."""

from zhifa.cases.models import (
    Case,
    CaseAlert,
    CaseDeadline,
    CaseEvidence,
    CasePayment,
    CaseSetting,
    CaseStatement,
    CaseStep,
    CreditRecord,
    ExemptionItem,
    Publication,
)
from zhifa.catalog.models import DiscretionTier, EnforcementItem
from zhifa.core.audit import AuditLog
from zhifa.core.auth import AuthToken, User
from zhifa.core.db import Base
from zhifa.dispatch.models import (
    DispatchSetting,
    HotlineReport,
    LeadTriage,
    Notification,
    OfficerPosition,
    OffsiteCase,
    OffsiteReview,
    ResponsePlan,
    SlaPolicy,
    Task,
    TaskEvidence,
    TaskFeedback,
    TaskOfficer,
    TaskTransition,
)
from zhifa.documents.models import DocumentCounter, DocumentIssued, DocumentScheme, DocumentTemplate  # noqa: F401
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature
from zhifa.legal.models import CalendarDay, CalendarYear
from zhifa.monitoring.models import Lead, LeadEvent, MonitoringSetting, WatchEntry
from zhifa.org.models import Duty, Officer, PartyBranch, Unit
from zhifa.registry.models import Enterprise, OversizePermit, Person, Site, Vehicle, Vessel, VesselCertificate
from zhifa.sensing.models import AisFix, AisVessel, Device, Event, Evidence, VesselPassage

__all__ = [
    "AisFix",
    "AisVessel",
    "AuditLog",
    "AuthToken",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseAlert",
    "CaseDeadline",
    "CaseEvidence",
    "CasePayment",
    "CaseSetting",
    "CaseStatement",
    "CaseStep",
    "CreditRecord",
    "Device",
    "DiscretionTier",
    "DispatchSetting",
    "Duty",
    "EnforcementItem",
    "Enterprise",
    "Event",
    "Evidence",
    "ExemptionItem",
    "HotlineReport",
    "JurisdictionEdition",
    "JurisdictionFeature",
    "Lead",
    "LeadEvent",
    "LeadTriage",
    "MonitoringSetting",
    "Notification",
    "Officer",
    "OfficerPosition",
    "OffsiteCase",
    "OffsiteReview",
    "OversizePermit",
    "PartyBranch",
    "Person",
    "Publication",
    "ResponsePlan",
    "Site",
    "SlaPolicy",
    "Task",
    "TaskEvidence",
    "TaskFeedback",
    "TaskOfficer",
    "TaskTransition",
    "Unit",
    "User",
    "Vehicle",
    "Vessel",
    "VesselCertificate",
    "VesselPassage",
    "WatchEntry",
]
