"""Everything that speaks SQL: connection, migrations, repositories, PTB persistence."""

from storage.db import Database, Repositories
from storage.models import AuditEntry, Role, Unit, UnitKind, User, UserStatus

__all__ = [
    "AuditEntry",
    "Database",
    "Repositories",
    "Role",
    "Unit",
    "UnitKind",
    "User",
    "UserStatus",
]
