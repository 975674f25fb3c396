"""Every ORM model, imported once so that Alembic and the tests see the whole schema."""

from zhifa.catalog.models import DiscretionTier, EnforcementItem
from zhifa.core.audit import AuditLog
from zhifa.core.auth import AuthToken, User
from zhifa.core.db import Base
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature
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
    "Device",
    "DiscretionTier",
    "Duty",
    "EnforcementItem",
    "Enterprise",
    "Event",
    "Evidence",
    "JurisdictionEdition",
    "JurisdictionFeature",
    "Lead",
    "LeadEvent",
    "MonitoringSetting",
    "Officer",
    "OversizePermit",
    "PartyBranch",
    "Person",
    "Site",
    "Unit",
    "User",
    "Vehicle",
    "Vessel",
    "VesselCertificate",
    "VesselPassage",
    "WatchEntry",
]
