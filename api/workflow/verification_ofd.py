"""Verifying an uploaded licence file that may be an OFD as well as a PDF: the use case behind
``POST /api/v1/verify`` and ``POST /verify`` for uploads (issue 15, item 4).

:func:`elicense.is_ofd_package` tells the two apart by content (a zip is an OFD package,
``%PDF-`` a PDF; anything else is refused as before by :func:`api.workflow.verification.check_pdf`).
:func:`verify_ofd` is :func:`api.workflow.verification.verify_pdf` for an OFD: this office's
trust material first, then the imported issuer that lists the token's key id. An OFD whose
package or seal cannot be read (zip bomb, unsafe or duplicate entry names, missing parts, huge
XML, DTDs or entities, malformed seal ASN.1) is refused with its stable ``ofd.*`` code and both
messages (:class:`api.workflow.errors.VerificationInputError`, a 4xx), never a 500; an OFD that
reads but does not verify is a verdict like a PDF's."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from api.workflow.errors import VerificationInputError
from api.workflow.trust import ImportedTrust
from api.workflow.verification import check_pdf, verify_pdf
from core import ErrorCode
from elicense import (
    LicenceCheckId,
    LicenceVerdict,
    TrustMaterial,
    is_ofd_package,
    verify_licence_ofd,
)

__all__ = ["verify_ofd", "verify_upload"]

_OFD_CODES: Final = frozenset(code.value for code in ErrorCode if code.value.startswith("ofd."))


def verify_upload(data: bytes, trust: TrustMaterial, imported: ImportedTrust | None, *,
                  now: datetime) -> LicenceVerdict:
    """The verdict on an uploaded licence PDF or OFD."""
    if is_ofd_package(data):  # anything else goes the PDF way, whose check refuses non-PDFs
        return verify_ofd(data, trust, imported, now=now)
    return verify_pdf(check_pdf(data), trust, imported, now=now)


def verify_ofd(data: bytes, trust: TrustMaterial, imported: ImportedTrust | None, *,
               now: datetime) -> LicenceVerdict:
    """The verdict on a licence OFD, like :func:`api.workflow.verification.verify_pdf` for the
    trust it uses; ``VerificationInputError`` (``ofd.*``) for a package or seal that cannot be
    read."""
    verdict = verify_licence_ofd(data, trust, now=now)
    _refuse_unreadable(verdict)
    material = None if imported is None else imported.fallback(verdict)
    if material is not None:
        verdict = verify_licence_ofd(data, material, now=now)
        _refuse_unreadable(verdict)
    return verdict


def _refuse_unreadable(verdict: LicenceVerdict) -> None:
    for check in verdict.checks:
        if check.check is LicenceCheckId.OFD_SEAL and check.code in _OFD_CODES:
            raise VerificationInputError(ErrorCode(check.code), check.message_en,
                                         check.message_zh)
