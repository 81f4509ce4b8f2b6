"""The public surface of ``api.db`` is deliberate: this list changes only on purpose."""

from __future__ import annotations

import api.db

EXPECTED = {
    "ALLOWED_TRANSITIONS", "GENESIS_HASH", "Account", "AccountExistsError", "AccountInvalidError",
    "Application", "ApplicationState", "AuditAction", "AuditEntry", "Base", "ChainProblem",
    "ChainVerdict", "Database", "DatabaseError", "InvalidTransitionError", "LicenceRecord",
    "Material", "PhotoCheck", "Review", "ReviewDecision", "Role", "SqlLicenceRegistry",
    "StatusIndexReservation", "ValidationResult", "add_material", "append_audit",
    "record_review", "audit_head", "authenticate",
    "can_transition", "change_state", "check_transition", "create_account", "create_db",
    "find_account", "hash_password", "upgrade", "verify_chain", "verify_password",
    # signed-in sessions (issue 11): logout, password change and deactivation revoke them
    "AuthSession", "change_password", "deactivate_account", "live_session_account",
    "open_auth_session", "revoke_account_sessions", "revoke_auth_session",
}


def test_exported_names() -> None:
    assert set(api.db.__all__) == EXPECTED
    assert all(hasattr(api.db, name) for name in api.db.__all__)
