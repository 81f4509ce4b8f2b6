"""The service's persistence: SQLAlchemy 2 typed models (accounts, applications and their state
machine, materials, photo checks, validation results, reviews, licences, the hash-chained audit
log), the engine/session factory built from Settings, Alembic migrations for SQLite and
PostgreSQL, and the SQL-backed ``elicense.LicenceRegistry``. Only ``api`` imports it.
"""

from api.db.accounts import (
    authenticate,
    change_password,
    create_account,
    deactivate_account,
    find_account,
)
from api.db.applications import add_material, change_state, record_review
from api.db.audit import (
    GENESIS_HASH,
    AuditAction,
    ChainProblem,
    ChainVerdict,
    append_audit,
    audit_head,
    verify_chain,
)
from api.db.engine import Database, create_db
from api.db.errors import (
    AccountExistsError,
    AccountInvalidError,
    DatabaseError,
    InvalidTransitionError,
)
from api.db.licence_registry import SqlLicenceRegistry
from api.db.migrate import upgrade
from api.db.models import (
    Account,
    Application,
    AuditEntry,
    AuthSession,
    Base,
    LicenceRecord,
    Material,
    PhotoCheck,
    Review,
    StatusIndexReservation,
    ValidationResult,
)
from api.db.passwords import hash_password, verify_password
from api.db.sessions import (
    live_session_account,
    open_auth_session,
    revoke_account_sessions,
    revoke_auth_session,
)
from api.db.states import (
    ALLOWED_TRANSITIONS,
    ApplicationState,
    ReviewDecision,
    Role,
    can_transition,
    check_transition,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "GENESIS_HASH",
    "Account",
    "AccountExistsError",
    "AccountInvalidError",
    "Application",
    "ApplicationState",
    "AuditAction",
    "AuditEntry",
    "AuthSession",
    "Base",
    "ChainProblem",
    "ChainVerdict",
    "Database",
    "DatabaseError",
    "InvalidTransitionError",
    "LicenceRecord",
    "Material",
    "PhotoCheck",
    "Review",
    "ReviewDecision",
    "Role",
    "SqlLicenceRegistry",
    "StatusIndexReservation",
    "ValidationResult",
    "add_material",
    "append_audit",
    "audit_head",
    "authenticate",
    "can_transition",
    "change_password",
    "change_state",
    "check_transition",
    "create_account",
    "create_db",
    "deactivate_account",
    "find_account",
    "hash_password",
    "open_auth_session",
    "live_session_account",
    "record_review",
    "revoke_auth_session",
    "revoke_account_sessions",
    "upgrade",
    "verify_chain",
    "verify_password",
]
