"""Every ORM model, imported once so that Alembic and the tests see the whole schema."""

from zhifa.core.audit import AuditLog
from zhifa.core.auth import AuthToken, User
from zhifa.core.db import Base
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature
from zhifa.org.models import Duty, Officer, PartyBranch, Unit

__all__ = [
    "AuditLog",
    "AuthToken",
    "Base",
    "Duty",
    "JurisdictionEdition",
    "JurisdictionFeature",
    "Officer",
    "PartyBranch",
    "Unit",
    "User",
]
