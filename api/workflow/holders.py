"""The holder an account is bound to, and whether 秒批 (instant approval) may issue to it.

An account is bound to one person: the SHA-256 of that person's normalised 18-character resident
ID number and its masked form (``accounts.holder_*``), never the number itself. An admin binds it
(``PUT /api/v1/admin/accounts/{username}/holder``, ``zhengzhao users bind-holder``), or a
verified e-licence of that person, handed in as a material, does (its signed ``licence.json``
carries the full holder number; the job keeps only the digest). Instant approval issues a
licence only to the holder's own account: every ID number in the application (the ID card's,
and the licence's holder code when it is a resident ID) must equal the account's binding, and
the holder must not already hold a live licence of the same service. Every refusal is an
:class:`InstantRefusal` with a stable code and a message in Chinese and English; the application
goes to a clerk with it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.db import Account, Application, AuditAction, LicenceRecord, append_audit
from api.workflow.errors import HolderIdInvalidError, WorkflowConflictError, WorkflowNotFoundError
from elicense import HolderCodeType, LicenceStatus, mask_holder_code
from verify.forms import HolderKind, MaterialKind, Service, validate_id_number

__all__ = ["BindingVia", "InstantCode", "InstantRefusal",
           "application_holder_ids", "bind_account", "bind_from_digest", "bind_holder",
           "holder_id_sha256", "instant_refusal", "licence_holder_digest",
           "normalise_id_number", "refusal", "unbind_account"]

log = logging.getLogger(__name__)

# Ordinary, ideographic and no-break spaces people type or paste inside a number.
_SPACES = str.maketrans("", "", " \u3000\u00a0\t-")


class BindingVia(StrEnum):
    """How an account came to be bound to its holder."""

    ADMIN = "admin"
    E_LICENCE = "e_licence"


class InstantCode(StrEnum):
    """Why 秒批 did not issue. Stable: clients and the pages match on the value."""

    FINDINGS = "instant.findings"
    NO_HOLDER_ID = "instant.no_holder_id"
    HOLDER_UNBOUND = "instant.holder_unbound"
    HOLDER_MISMATCH = "instant.holder_mismatch"
    DUPLICATE_LICENCE = "instant.duplicate_licence"
    ISSUE_FAILED = "instant.issue_failed"


_MESSAGES: dict[InstantCode, tuple[str, str]] = {
    InstantCode.FINDINGS: (
        "not approved instantly: a finding or an uncertain reading needs a clerk",
        "未秒批：存在需人工审核的问题或识别不确定的字段"),
    InstantCode.NO_HOLDER_ID: (
        "not approved instantly: the application has no readable ID number to compare with "
        "the account's", "未秒批：申请材料中没有可与账户核对的身份证号码"),
    InstantCode.HOLDER_UNBOUND: (
        "not approved instantly: this account is not bound to a holder's ID number (an admin "
        "binds it, or hand in your own e-licence); a clerk checks that you are the holder",
        "未秒批：本账户尚未绑定持证人身份证号码（由管理员绑定，或提交本人电子证照），"
        "由工作人员核验申请人是否为持证人本人"),
    InstantCode.HOLDER_MISMATCH: (
        "not approved instantly: the ID number in the application is not the one this account "
        "is bound to", "未秒批：申请材料中的身份证号码与本账户绑定的号码不一致"),
    InstantCode.DUPLICATE_LICENCE: (
        "not approved instantly: the holder already has a valid licence of this service",
        "未秒批：持证人已持有本事项的有效证照"),
    InstantCode.ISSUE_FAILED: (
        "not approved instantly: the licence could not be issued automatically",
        "未秒批：证照未能自动签发"),
}


@dataclass(frozen=True)
class InstantRefusal:
    """Why 秒批 did not issue: a stable code and the message for people."""

    code: InstantCode
    message_en: str
    message_zh: str
    detail: str | None = None  # a further stable code (the issuing error's), never personal data

    def to_dict(self) -> dict[str, str | bool | None]:
        return {"approved": False, "code": self.code.value, "message_en": self.message_en,
                "message_zh": self.message_zh, "detail": self.detail}


def refusal(code: InstantCode, detail: str | None = None) -> InstantRefusal:
    en, zh = _MESSAGES[code]
    return InstantRefusal(code, en, zh, detail)


def normalise_id_number(text: str | None) -> str | None:
    """The 18-character resident ID number (``x`` upper-cased, spaces and dashes removed) when
    its form, province, birth date and GB 11643 check character hold, else ``None``."""
    if text is None:
        return None
    number = text.translate(_SPACES).upper()
    return number if validate_id_number(number).ok else None


def holder_id_sha256(number: str) -> str:
    """The digest an account and a licence keep instead of the number (``number`` normalised)."""
    return hashlib.sha256(number.encode("ascii")).hexdigest()


def bind_holder(session: Session, account: Account, number: str, *, via: BindingVia,
                actor_id: int | None, now: datetime | None = None) -> None:
    """Bind ``account`` to the holder of ``number`` (normalised), audited with the masked number
    only. Raises :class:`HolderIdInvalidError` (``holder.id_invalid``) for a number that is not
    valid."""
    normal = normalise_id_number(number)
    if normal is None:
        raise HolderIdInvalidError()
    masked = mask_holder_code(normal, HolderCodeType.RESIDENT_ID)
    account.holder_id_sha256 = holder_id_sha256(normal)
    account.holder_id_masked = masked
    account.holder_bound_via = via.value
    account.holder_bound_at = now or datetime.now(UTC)
    session.flush()
    append_audit(session, AuditAction.HOLDER_BOUND, actor_id=actor_id, subject_type="account",
                 subject_id=str(account.id), details={"via": via.value, "masked": masked})
    log.info("account %s bound to a holder (%s)", account.id, via.value)


def bind_account(session: Session, username: str, number: str, *,
                 actor_id: int | None) -> Account:
    """An admin binds ``username`` to the holder of ``number``: ``holder.id_invalid`` (422) for a
    number that is not valid, ``api.not_found`` (404) for no such account, ``api.conflict``
    (409) when another account is bound to that holder (unbind it first)."""
    normal = normalise_id_number(number)
    if normal is None:
        raise HolderIdInvalidError()
    account = _account(session, username)
    other = session.scalar(select(Account.username).where(
        Account.holder_id_sha256 == holder_id_sha256(normal), Account.id != account.id).limit(1))
    if other is not None:
        raise WorkflowConflictError(f"another account ({other}) is bound to this holder; "
                                    "unbind it first",
                                    f"该持证人已绑定其他账户（{other}），请先解除绑定")
    bind_holder(session, account, normal, via=BindingVia.ADMIN, actor_id=actor_id)
    return account


def unbind_account(session: Session, username: str, *, actor_id: int | None) -> Account:
    """An admin removes ``username``'s binding (audited; 404 for no such account)."""
    account = _account(session, username)
    masked = account.holder_id_masked
    account.holder_id_sha256 = account.holder_id_masked = None
    account.holder_bound_via = account.holder_bound_at = None
    session.flush()
    append_audit(session, AuditAction.HOLDER_UNBOUND, actor_id=actor_id, subject_type="account",
                 subject_id=str(account.id), details={"masked": masked})
    return account


def _account(session: Session, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise WorkflowNotFoundError("account", "账户")
    return account


def bind_from_digest(session: Session, account: Account, digest: str, masked: str) -> bool:
    """Bind an unbound ``account`` from a verified e-licence of its holder (the job's digest of
    the licence's holder number). Only when no other account is bound to that holder: a
    person's licence PDF in someone else's hands does not move their binding. Returns whether
    it bound."""
    if account.holder_id_sha256 is not None:
        return False
    other = session.scalar(select(Account.id).where(Account.holder_id_sha256 == digest,
                                                    Account.id != account.id).limit(1))
    if other is not None:
        log.info("account %s: e-licence holder already bound to another account", account.id)
        return False
    account.holder_id_sha256, account.holder_id_masked = digest, masked
    account.holder_bound_via = BindingVia.E_LICENCE.value
    account.holder_bound_at = datetime.now(UTC)
    session.flush()
    append_audit(session, AuditAction.HOLDER_BOUND, actor_id=None, subject_type="account",
                 subject_id=str(account.id),
                 details={"via": BindingVia.E_LICENCE.value, "masked": masked})
    log.info("account %s bound to a holder (e_licence)", account.id)
    return True


def application_holder_ids(service: Service, fields: Mapping[str, str]) -> list[str | None]:
    """The ID numbers the application names a person by, normalised (``None`` for one that is
    missing or invalid): each ID card front's ``id_number``, and the licence's holder code when
    it is a resident ID read from a field."""
    refs = [f"{m.id}.id_number" for m in service.materials if m.kind is MaterialKind.ID_CARD_FRONT]
    spec = service.licence
    if (spec is not None and spec.holder_code_type is HolderKind.RESIDENT_ID
            and isinstance(spec.holder_code, str) and spec.holder_code not in refs):
        refs.append(spec.holder_code)
    return [normalise_id_number(fields.get(ref)) for ref in refs]


def licence_holder_digest(service: Service, fields: Mapping[str, str]) -> str | None:
    """The digest of the one person an application names, for the licence row (``None`` when
    it names none, or several)."""
    numbers = {n for n in application_holder_ids(service, fields) if n is not None}
    return holder_id_sha256(numbers.pop()) if len(numbers) == 1 else None


def _live_licence(session: Session, service_id: str, digest: str, today: date,
                  exclude_application: int) -> bool:
    query = (select(func.count()).select_from(LicenceRecord)
             .join(Application, Application.id == LicenceRecord.application_id)
             .where(Application.service_id == service_id, Application.id != exclude_application,
                    LicenceRecord.holder_id_sha256 == digest,
                    LicenceRecord.status == LicenceStatus.VALID,
                    or_(LicenceRecord.valid_until.is_(None),
                        LicenceRecord.valid_until >= today.isoformat())))
    return bool(session.scalar(query))


def instant_refusal(session: Session, account: Account, service: Service, application_id: int,
                    fields: Mapping[str, str], today: date) -> InstantRefusal | None:
    """Why an otherwise auto-approvable application may not be issued instantly to
    ``account``, or ``None`` when it may."""
    numbers = application_holder_ids(service, fields)
    if not numbers or any(n is None for n in numbers):
        return refusal(InstantCode.NO_HOLDER_ID)
    if account.holder_id_sha256 is None:
        return refusal(InstantCode.HOLDER_UNBOUND)
    digests = {holder_id_sha256(n) for n in numbers if n is not None}
    if digests != {account.holder_id_sha256}:
        return refusal(InstantCode.HOLDER_MISMATCH)
    if _live_licence(session, service.id, account.holder_id_sha256, today, application_id):
        return refusal(InstantCode.DUPLICATE_LICENCE)
    return None
