"""An issued licence's files as they are handed out, and the state a page shows for it: the
media type of each format, the download names (证照名称-受理编号.pdf/.ofd with an ASCII
fallback) and valid / revoked / expired from the register's status and validity date. The
applicant's downloads (``api.routes.applicant``), the holder's page (``api.routes.web_applicant``)
and the clerk's review (:mod:`api.workflow.issued_view`) share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from api.db import LicenceRecord
from api.storage import FileStore
from core import ZhengzhaoError
from elicense import LicenceStatus, load_templates
from verify.forms import LicenceFileFormat

__all__ = ["LICENCE_MEDIA_TYPES", "IssuedFile", "licence_download", "licence_state",
           "recorded_files"]

LICENCE_MEDIA_TYPES: Final = {LicenceFileFormat.PDF: "application/pdf",
                              LicenceFileFormat.OFD: "application/ofd"}


@dataclass(frozen=True)
class IssuedFile:
    """An issued licence file to hand out: its bytes, media type and names."""

    data: bytes
    media_type: str
    filename: str
    ascii_filename: str


def recorded_files(record: LicenceRecord) -> tuple[tuple[LicenceFileFormat, str], ...]:
    """The formats a licence was issued as, with their files' SHA-256 in the store: the PDF,
    then the OFD when one was issued."""
    files = [(LicenceFileFormat.PDF, record.pdf_sha256)]
    if record.ofd_sha256:
        files.append((LicenceFileFormat.OFD, record.ofd_sha256))
    return tuple(files)


def licence_download(store: FileStore, sha256: str, fmt: LicenceFileFormat, *, type_code: str,
                     service_name: str, number: str) -> IssuedFile:
    """The stored file ``sha256`` as ``fmt``, named after its licence type (the template's
    证照名称, else ``service_name``) and the acceptance ``number``; the store's own error when
    the file is missing or damaged."""
    return IssuedFile(store.get(sha256), LICENCE_MEDIA_TYPES[fmt],
                      f"{_licence_name(type_code, service_name)}-{number}.{fmt.value}",
                      f"licence-{number}.{fmt.value}")


def licence_state(status: str, valid_until: str | None, today: date) -> str:
    """``revoked`` (or another register status but ``valid``), ``expired`` when the last valid
    day (``valid_until``, ISO 8601) is before ``today``, else ``valid``."""
    if status != LicenceStatus.VALID.value:
        return status
    try:
        expired = valid_until is not None and date.fromisoformat(valid_until[:10]) < today
    except ValueError:  # an open-ended or unreadable date never expires the licence
        expired = False
    return "expired" if expired else status


def _licence_name(type_code: str, fallback: str) -> str:
    """The 证照名称 of a licence type (its template's name), else ``fallback``."""
    try:
        return load_templates().get(type_code).name
    except ZhengzhaoError:
        return fallback
