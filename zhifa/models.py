"""Every ORM model, imported once so that Alembic and the tests see the whole schema."""

from zhifa.catalog.models import DiscretionTier, EnforcementItem
from zhifa.core.audit import AuditLog
from zhifa.core.auth import AuthToken, User
from zhifa.core.db import Base
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature
from zhifa.org.models import Duty, Officer, PartyBranch, Unit
from zhifa.registry.models import Enterprise, OversizePermit, Person, Site, Vehicle, Vessel, VesselCertificate

__all__ = [
    "AuditLog",
    "AuthToken",
    "Base",
    "DiscretionTier",
    "Duty",
    "EnforcementItem",
    "Enterprise",
    "JurisdictionEdition",
    "JurisdictionFeature",
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
]
