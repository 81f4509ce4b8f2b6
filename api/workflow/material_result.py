"""What processing one material produced, as a typed value, and the one codec that stores it in
``Material.ocr_result`` (a JSON column) and reads it back.

A :data:`MaterialResult` is one of three things:

- :class:`DocumentRead` — OCR read the document (a :class:`core.DocumentResult`);
- :class:`Unreadable` — the file could not be read, or its job ran past its deadline: an error
  code and messages, shown to the applicant and the clerk;
- :class:`ElicenceRead` — the material was handed in as a signed e-licence: the verification
  summary (:class:`ElicenceSummary`, holder code masked) and the fields mapped from the licence's
  facts, which are there only when it verified.

(A portrait photo's result is a ``PhotoCheck`` row, not a material result.)

:func:`encode` writes, and :func:`decode` reads, the shapes every database already holds: a
document is the OCR JSON (``docs/ocr-result.md``); an unreadable file ``{"error": {code,
message_en, message_zh}}``; an e-licence the OCR-shaped JSON its rows have always had (fields at
confidence 1.0 marked ``"source": "elicence"``, the summary under ``"elicence"``), so that old
and new rows are one shape and nothing outside this module reads the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core import DocType, DocumentResult, ExtractedField, ZhengzhaoError
from elicense import ElicenceOutcome
from verify.forms import MaterialInvalidError, document_from_dict

__all__ = ["ELICENCE_CONFIDENCE", "ELICENCE_SOURCE", "HOLDER_DIGEST_KEY", "TYPE_NOT_ACCEPTED",
           "VERIFIED", "DocumentRead", "ElicenceRead", "ElicenceSummary", "MaterialResult",
           "Unreadable", "decode", "encode"]

# The e-licence outcome that makes its facts usable, and the one this service adds for a
# verified licence of a type the material does not accept.
VERIFIED = ElicenceOutcome.VERIFIED.value
TYPE_NOT_ACCEPTED = "licence.type_not_accepted"
# The ``source`` of a field read from an e-licence (not by OCR), and the key of the e-licence
# summary in the stored JSON.
ELICENCE_SOURCE = ELICENCE_KEY = "elicence"
# In a verified personal licence's summary: the SHA-256 of its holder's ID number.
HOLDER_DIGEST_KEY = "holder_id_sha256"
_ERROR_KEY = "error"
# The OCR JSON's schema version, which e-licence rows have always carried.
_SCHEMA_VERSION = 1
# A licence's facts are certain once it verified: its fields carry this confidence.
ELICENCE_CONFIDENCE = 1.0


@dataclass(frozen=True)
class DocumentRead:
    """OCR read the material."""

    document: DocumentResult

    def field_values(self) -> dict[str, str]:
        """Field id → value read (empty values included)."""
        return {key: value.value for key, value in self.document.fields.items()}


@dataclass(frozen=True)
class Unreadable:
    """The material could not be read (or its job was abandoned): why, in both languages."""

    code: str
    message_en: str
    message_zh: str

    @classmethod
    def from_error(cls, error: ZhengzhaoError) -> Unreadable:
        return cls(error.code.value, error.message_en, error.message_zh)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_en": self.message_en, "message_zh": self.message_zh}

    def field_values(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class ElicenceSummary:
    """What the applicant and the clerk see of a material handed in as an e-licence: the
    outcome ``code`` (``licence.verified``, ``licence.forged`` ...), the verdict's indication,
    the issuer it was checked against and the licence's public facts, the holder code masked.
    ``holder_id_sha256`` is set for a verified licence of a person only (never shown)."""

    code: str
    verified: bool
    status: str
    indication: str | None = None
    sub_indication: str | None = None
    issuer_code: str | None = None
    issuer_name: str | None = None
    identifier: str | None = None
    type_code: str | None = None
    name: str | None = None
    holder: str | None = None
    holder_code_masked: str | None = None
    valid_until: str | None = None
    holder_id_sha256: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ElicenceSummary:
        """Read a stored summary (or ``elicense.ElicenceResult.summary()``); a fact that is not
        text (a tampered licence's record may hold anything) reads as ``None``."""
        return cls(code=str(data.get("code") or ""), verified=data.get("verified") is True,
                   status=str(data.get("status") or ""),
                   **{name: _text(data.get(name)) for name in _OPTIONAL_SUMMARY})

    def to_dict(self) -> dict[str, Any]:
        """The stored form (and ``ElicencePublic``'s input): the digest only when there is one."""
        out: dict[str, Any] = {"code": self.code, "verified": self.verified}
        out.update({name: getattr(self, name) for name in _PUBLIC_SUMMARY})
        out["status"] = self.status
        if self.holder_id_sha256 is not None:
            out[HOLDER_DIGEST_KEY] = self.holder_id_sha256
        return out

    @property
    def holder_binding(self) -> tuple[str, str] | None:
        """(digest, masked number) of a verified licence of a person, which validation may bind
        the applicant's account to; ``None`` otherwise."""
        if (self.code != VERIFIED or self.holder_id_sha256 is None
                or self.holder_code_masked is None):
            return None
        return self.holder_id_sha256, self.holder_code_masked


# The summary's optional facts in their stored order (the digest last, and only when set).
_PUBLIC_SUMMARY = ("indication", "sub_indication", "issuer_code", "issuer_name", "identifier",
                   "type_code", "name", "holder", "holder_code_masked", "valid_until")
_OPTIONAL_SUMMARY = (*_PUBLIC_SUMMARY, HOLDER_DIGEST_KEY)


@dataclass(frozen=True)
class ElicenceRead:
    """A material handed in as a signed e-licence, standing in for a document of ``doc_type``:
    ``fields`` (field id → value) are the licence's facts the service maps, present only when
    the licence verified and is of a type the material accepts."""

    summary: ElicenceSummary
    doc_type: DocType
    file: str
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return self.summary.code == VERIFIED

    def field_values(self) -> dict[str, str]:
        return dict(self.fields)

    def document(self) -> DocumentResult:
        """The licence as document evidence: its fields at confidence 1.0."""
        return DocumentResult(file=self.file, doc_type=self.doc_type,
                              fields={key: ExtractedField(value, ELICENCE_CONFIDENCE)
                                      for key, value in self.fields.items()})


MaterialResult = DocumentRead | Unreadable | ElicenceRead


def encode(result: MaterialResult) -> dict[str, Any]:
    """The JSON stored in ``Material.ocr_result`` (see the module docstring)."""
    if isinstance(result, DocumentRead):
        return dict(result.document.to_dict())
    if isinstance(result, Unreadable):
        return {_ERROR_KEY: result.to_dict()}
    return {"schema_version": _SCHEMA_VERSION, "file": result.file,
            "doc_type": result.doc_type.value, "pages": 1,
            "fields": {key: {"value": value, "confidence": ELICENCE_CONFIDENCE, "box": None,
                             "source": ELICENCE_SOURCE}
                       for key, value in result.fields.items()},
            "checkboxes": {}, "warnings": [], "lines": [], "timings": {},
            "source": ELICENCE_SOURCE, ELICENCE_KEY: result.summary.to_dict()}


def decode(data: Mapping[str, Any], source: str = "<material>") -> MaterialResult:
    """The result stored as ``data`` (any shape :func:`encode` writes or ever wrote). A stored
    document that is no longer a readable extraction result is :class:`Unreadable`
    (``material.invalid``, naming ``source``), never an exception."""
    if _ERROR_KEY in data:
        error = data[_ERROR_KEY] if isinstance(data[_ERROR_KEY], Mapping) else {}
        return Unreadable(str(error.get("code") or ""), str(error.get("message_en") or ""),
                          str(error.get("message_zh") or ""))
    summary = data.get(ELICENCE_KEY)
    if isinstance(summary, Mapping):
        return _decode_elicence(data, summary, source)
    try:
        return DocumentRead(document_from_dict(dict(data), source))
    except ZhengzhaoError as exc:
        return Unreadable.from_error(exc)


def _decode_elicence(data: Mapping[str, Any], summary: Mapping[str, Any], source: str
                     ) -> MaterialResult:
    fields = data.get("fields")
    try:
        doc_type = DocType(data.get("doc_type"))
    except ValueError:
        return Unreadable.from_error(MaterialInvalidError(source, "no known doc_type"))
    return ElicenceRead(
        summary=ElicenceSummary.from_dict(summary), doc_type=doc_type,
        file=str(data.get("file") or ""),
        fields={str(key): str(value["value"]) for key, value in
                (fields.items() if isinstance(fields, Mapping) else ())
                if isinstance(value, Mapping) and value.get("value") is not None})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
