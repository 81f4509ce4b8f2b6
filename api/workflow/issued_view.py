"""The licence this office issued for an application, as the clerk's review page shows it
(issue 15, item 6): the register's facts (identifier, status — valid, revoked or expired — and
the holder code, masked as the register keeps it) and, for each file the licence was issued as
(the signed PDF, and the sealed OFD when the service issues one), a verdict on the stored file
worked out afresh on every view, and the file itself for the clerk's download.

The verification is the public one (``/api/v1/verify``, ``/verify``): ``elicense``'s
``verify_licence_pdf`` / ``verify_licence_ofd`` against this office's own trust material (the
``TrustMaterial`` the public routes get), by way of :func:`elicense.verify_elicence` with this
office as the only trusted issuer — so a file signed with any other key is
``licence.untrusted_issuer``, and each verdict is summed up by the same stable code the
materials handed in as e-licences carry (``licence.verified``, ``licence.forged``,
``licence.revoked``, ``licence.expired`` ...); the reasons are the verifier page's sentences
(:func:`api.workflow.verdict_view.verdict_view`).

A file that verifies must also be the one issued: the licence it names is the register's and its
bytes hash to the digest recorded at issuing, else it fails with its own code
(:class:`IssuedFileCode`). A stored file that is missing or cannot be read, and trust material
that cannot be loaded, fail with a code too; nothing here raises for a bad file. The page never
sees a full holder code (nor the holder's name): only the masked one."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from api.db import LicenceRecord
from api.errors import StorageError, StoredFileNotFoundError
from api.workflow.applications import acceptance_number
from api.workflow.context import WorkflowContext
from api.workflow.errors import WorkflowNotFoundError
from api.workflow.licence_files import (
    IssuedFile,
    licence_download,
    licence_state,
    recorded_files,
)
from api.workflow.review import submitted_application
from api.workflow.verdict_view import Reason, verdict_view
from core import ZhengzhaoError
from elicense import (
    ElicenceOutcome,
    LicenceStatus,
    TrustedIssuers,
    TrustMaterial,
    TrustSource,
    verify_elicence,
)
from verify.forms import LicenceFileFormat

__all__ = ["IssuedFile", "IssuedFileCode", "IssuedFileVerdict", "IssuedLicenceView",
           "issued_file", "issued_licence_view"]

log = logging.getLogger(__name__)


class IssuedFileCode(StrEnum):
    """Why a stored licence file failed other than by its verdict. Never rename a value."""

    FILE_MISSING = "licence.file_missing"  # no blob under the recorded digest
    FILE_UNREADABLE = "licence.file_unreadable"  # the blob cannot be read
    TRUST_UNAVAILABLE = "licence.trust_unavailable"  # this office's trust material cannot be read
    FILE_ALTERED = "licence.file_altered"  # it verifies, but is not the file issued
    OTHER_LICENCE = "licence.identifier_mismatch"  # it verifies, but is another licence


@dataclass(frozen=True)
class IssuedFileVerdict:
    """One issued file checked now: ``passed`` only when it verified and is the file issued;
    ``code`` a stable outcome (:class:`elicense.ElicenceOutcome` or :class:`IssuedFileCode`,
    worded by ``api.labels``), ``reasons`` the verifier page's sentences for a verdict that did
    not pass. ``intact`` is false when the stored bytes no longer hash to the recorded digest
    (or cannot be read)."""

    format: LicenceFileFormat
    passed: bool
    code: str
    indication: str | None = None
    reasons: tuple[Reason, ...] = ()
    intact: bool = False


@dataclass(frozen=True)
class IssuedLicenceView:
    """The licence issued for an application: the register's facts (``status`` is ``valid``,
    ``revoked`` or — past ``valid_until`` in the office's zone — ``expired``; times as
    written at issuing and revoking, UTC ISO 8601) and one verdict per issued file, in the
    order PDF, OFD."""

    identifier: str
    status: str
    holder_code_masked: str
    issued_at: str
    valid_until: str | None
    revoked_at: str | None
    revocation_reason: str | None
    files: tuple[IssuedFileVerdict, ...]
    checked_at: datetime


@dataclass(frozen=True)
class _Issued:
    """The register's row for the application, read in one short transaction."""

    identifier: str
    type_code: str
    status: LicenceStatus
    holder_code_masked: str
    issued_at: str
    valid_until: str | None
    revoked_at: str | None
    reason: str | None
    digests: tuple[tuple[LicenceFileFormat, str], ...]
    number: str
    service_name: str


def issued_licence_view(ctx: WorkflowContext, application_id: int,
                        trust: Callable[[], TrustMaterial], *,
                        now: datetime) -> IssuedLicenceView | None:
    """The issued licence of ``application_id`` with each of its files verified at ``now`` (an
    aware time in the office's zone) against this office's trust material, which ``trust``
    loads (called only when there is a licence); ``None`` when no licence was issued. A draft
    is ``WorkflowNotFoundError`` (what a clerk may not see)."""
    issued = _issued(ctx, application_id)
    if issued is None:
        return None
    try:
        issuers = TrustedIssuers(own=TrustSource(ctx.settings.issuer_code,
                                                 ctx.settings.issuer_name, trust()))
    except ZhengzhaoError as exc:
        log.warning("issued licence of application %s not verified: %s", application_id,
                    exc.code.value)
        files = tuple(_failed(fmt, IssuedFileCode.TRUST_UNAVAILABLE)
                      for fmt, _ in issued.digests)
    else:
        files = tuple(_verify_file(ctx, fmt, sha256, issued.identifier, issuers, now)
                      for fmt, sha256 in issued.digests)
    return IssuedLicenceView(issued.identifier,
                             licence_state(issued.status.value, issued.valid_until,
                                           now.date()),
                             issued.holder_code_masked, issued.issued_at, issued.valid_until,
                             issued.revoked_at, issued.reason, files, now)


def issued_file(ctx: WorkflowContext, application_id: int,
                fmt: LicenceFileFormat) -> IssuedFile:
    """The issued licence of ``application_id`` as ``fmt``, for a clerk: not found when no
    licence was issued, or none as that format, or for a draft; the file store's own error
    when the stored file is missing or damaged."""
    issued = _issued(ctx, application_id)
    sha256 = None if issued is None else dict(issued.digests).get(fmt)
    if issued is None or sha256 is None:
        raise WorkflowNotFoundError("licence", "证照")
    return licence_download(ctx.store, sha256, fmt, type_code=issued.type_code,
                            service_name=issued.service_name, number=issued.number)


def _issued(ctx: WorkflowContext, application_id: int) -> _Issued | None:
    with ctx.db.transaction(read_only=True) as session:
        application = submitted_application(session, application_id)
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == application.id).limit(1)).one_or_none()
        if record is None:
            return None
        try:
            service_name = ctx.service(application.service_id).name
        except ZhengzhaoError:  # the service definition has gone since
            service_name = application.service_id
        return _Issued(record.identifier, record.type_code, record.status,
                       record.holder_code_masked, record.issued_at, record.valid_until,
                       record.revoked_at, record.reason, recorded_files(record),
                       acceptance_number(application.id, application.created_at),
                       service_name)


def _verify_file(ctx: WorkflowContext, fmt: LicenceFileFormat, sha256: str, identifier: str,
                 issuers: TrustedIssuers, now: datetime) -> IssuedFileVerdict:
    try:
        # The raw bytes, not ``FileStore.get`` (which refuses a blob that no longer hashes to
        # its key): a file changed on disk is verified like any other and its verdict shown.
        data = ctx.store.path_of(sha256).read_bytes()
    except StoredFileNotFoundError:
        log.error("issued licence file (%s) missing from the store", fmt.value)
        return _failed(fmt, IssuedFileCode.FILE_MISSING)
    except (StorageError, OSError):
        log.error("issued licence file (%s) cannot be read", fmt.value)
        return _failed(fmt, IssuedFileCode.FILE_UNREADABLE)
    intact = hashlib.sha256(data).hexdigest() == sha256
    try:
        result = verify_elicence(data, issuers, now=now)
    except ZhengzhaoError as exc:
        return _failed(fmt, exc.code.value, intact=intact)
    code = result.outcome.value
    if result.verified and result.summary().get("identifier") != identifier:
        code = IssuedFileCode.OTHER_LICENCE.value
    elif result.verified and not intact:
        code = IssuedFileCode.FILE_ALTERED.value
    verdict = result.verdict
    reasons = () if verdict is None else verdict_view(verdict, checked_at=now).reasons
    return IssuedFileVerdict(fmt, code == ElicenceOutcome.VERIFIED.value, code,
                             None if verdict is None else verdict.indication.value,
                             reasons, intact)


def _failed(fmt: LicenceFileFormat, code: str, *, intact: bool = False) -> IssuedFileVerdict:
    return IssuedFileVerdict(fmt, False, str(code), intact=intact)
