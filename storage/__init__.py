"""Everything that speaks SQL: connection, migrations, repositories, PTB persistence."""

from storage.db import Database, Repositories
from storage.models import (
    Attachment,
    AuditEntry,
    CrossingPoint,
    Invite,
    NewReport,
    NewSeizureItem,
    Report,
    ReportChanges,
    ReportStatus,
    ReportVersion,
    Role,
    SeizureItem,
    StoredDraft,
    Unit,
    UnitKind,
    User,
    UserStatus,
)

__all__ = [
    "Attachment",
    "AuditEntry",
    "CrossingPoint",
    "Database",
    "Invite",
    "NewReport",
    "NewSeizureItem",
    "Report",
    "ReportChanges",
    "ReportStatus",
    "ReportVersion",
    "Repositories",
    "Role",
    "SeizureItem",
    "StoredDraft",
    "Unit",
    "UnitKind",
    "User",
    "UserStatus",
]
