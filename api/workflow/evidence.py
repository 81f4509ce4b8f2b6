"""The evidence an application's materials give, gathered in one place for everyone who judges
or uses it: the applicant's preview, the validation job and issuing. So the preview cannot
disagree with the verdict that counts.

From each material's result (:mod:`api.workflow.material_result`): an OCR'd document; for a
material handed in as a signed e-licence, the licence's fields at confidence 1.0 as a document
and, when it did not verify, a :class:`verify.forms.LicenceEvidence` (an error finding); nothing
from an unreadable file (its own error says so). From each portrait's ``PhotoCheck`` rows, a
:class:`verify.forms.PhotoEvidence`. Plus the applicant's corrections, the materials still
waiting for their result, the (digest, masked number) of each verified personal e-licence, and
every value read, by ``<material type>.<field id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Application, Material, PhotoCheck
from api.workflow.material_result import (
    DocumentRead,
    ElicenceRead,
    MaterialResult,
    Unreadable,
    decode,
)
from core import DocumentResult
from verify.forms import LicenceEvidence, PhotoEvidence

__all__ = ["Evidence", "gather_evidence", "material_result", "values_read"]


@dataclass(frozen=True)
class Evidence:
    """What :func:`verify.forms.validate` is given (``documents``, ``photos``, ``licences``,
    ``corrections``), and what else the callers need of the same reading."""

    documents: tuple[DocumentResult, ...] = ()
    photos: tuple[PhotoEvidence, ...] = ()
    licences: tuple[LicenceEvidence, ...] = ()
    corrections: Mapping[str, str] = field(default_factory=dict)
    # Material types whose result is not there yet (the preview lists them).
    pending: tuple[str, ...] = ()
    # (digest, masked number) of each verified e-licence of a person handed in.
    holders: tuple[tuple[str, str], ...] = ()
    # Every non-empty value read, as ``<material type>.<field id>`` → value (corrections apart).
    read_fields: Mapping[str, str] = field(default_factory=dict)


def material_result(material: Material) -> MaterialResult | None:
    """The material's stored result, or ``None`` while it has none (or it is a photo)."""
    if material.ocr_result is None:
        return None
    return decode(material.ocr_result, _source(material))


def values_read(application: Application) -> dict[str, str]:
    """Every non-empty value read from ``application``'s materials (OCR, or a verified
    e-licence), as ``<material type>.<field id>`` → value; corrections not applied."""
    return _values([(material, material_result(material)) for material in application.materials])


def gather_evidence(session: Session, application: Application) -> Evidence:
    """The evidence of ``application``'s materials as processed so far (see the module doc)."""
    results = [(material, material_result(material)) for material in application.materials]
    documents: list[DocumentResult] = []
    photos: list[PhotoEvidence] = []
    licences: list[LicenceEvidence] = []
    pending: list[str] = []
    holders: list[tuple[str, str]] = []
    for material, result in results:
        source = _source(material)
        if isinstance(result, ElicenceRead) and not result.verified:
            licences.append(LicenceEvidence(material.material_type, result.summary.code, source))
        if isinstance(result, ElicenceRead) and result.summary.holder_binding is not None:
            holders.append(result.summary.holder_binding)
        checks = session.scalars(select(PhotoCheck).where(PhotoCheck.material_id == material.id)
                                 .order_by(PhotoCheck.id)).all()
        photos += [PhotoEvidence(check.profile, check.passed, source) for check in checks]
        if checks:
            continue
        if result is None:
            pending.append(material.material_type)
        elif isinstance(result, DocumentRead):
            documents.append(result.document)
        elif isinstance(result, ElicenceRead):
            documents.append(result.document())
        else:
            assert isinstance(result, Unreadable)  # its own error says so: no evidence
    corrections = {str(k): str(v) for k, v in (application.corrected_fields or {}).items()}
    return Evidence(documents=tuple(documents), photos=tuple(photos), licences=tuple(licences),
                    corrections=corrections, pending=tuple(pending), holders=tuple(holders),
                    read_fields=_values(results))


def _values(results: list[tuple[Material, MaterialResult | None]]) -> dict[str, str]:
    return {f"{material.material_type}.{key}": value
            for material, result in results if result is not None
            for key, value in result.field_values().items() if value}


def _source(material: Material) -> str:
    return f"material-{material.id}"
