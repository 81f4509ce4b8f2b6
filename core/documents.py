"""Types shared by the packages that read documents (``ocr``) and check them (``verify``).

The JSON schema of an extraction result (documented in ``docs/ocr-result.md``)::

    {
      "file": "id_front.jpg",
      "doc_type": "id_card_front",
      "fields": {"name": {"value": "张伟", "confidence": 0.99, "box": [[x, y], ...]}},
      "warnings": [{"code": "blurred", "score": 0.71}],
      "lines": [{"text": "...", "score": 0.99, "box": [[x, y], ...], "page": 0}],
      "timings": {"load": 0.004, "det": 0.061, ...},
      "schema_version": 1
    }

Dates are ``YYYY-MM-DD``; an open-ended end date (``长期``) is the literal string ``长期``.
Boxes are four ``[x, y]`` points, clockwise from top-left, in the pixels of the page as it was
read (after EXIF orientation, before any card rectification).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1
OPEN_ENDED = "长期"

Box = list[list[float]]


class DocType(StrEnum):
    """Kinds of document the OCR recognises."""

    ID_CARD_FRONT = "id_card_front"
    ID_CARD_BACK = "id_card_back"
    BUSINESS_LICENCE = "business_licence"
    FORM = "form"
    UNKNOWN = "unknown"


class IdCardFrontField(StrEnum):
    """Fields of the resident ID card's portrait side (GB 16166 layout)."""

    NAME = "name"  # 姓名
    SEX = "sex"  # 性别
    ETHNICITY = "ethnicity"  # 民族
    BIRTH_DATE = "birth_date"  # 出生
    ADDRESS = "address"  # 住址
    ID_NUMBER = "id_number"  # 公民身份号码


class IdCardBackField(StrEnum):
    """Fields of the resident ID card's emblem side."""

    ISSUING_AUTHORITY = "issuing_authority"  # 签发机关
    VALID_FROM = "valid_from"  # 有效期限 (start)
    VALID_UNTIL = "valid_until"  # 有效期限 (end, or 长期)


class BusinessLicenceField(StrEnum):
    """Fields of a 多证合一 business licence (营业执照)."""

    USCC = "uscc"  # 统一社会信用代码
    NAME = "name"  # 名称
    ENTITY_TYPE = "entity_type"  # 类型 / 组成形式
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人 / 负责人 / 经营者 / 执行事务合伙人
    REGISTERED_CAPITAL = "registered_capital"  # 注册资本 / 出资额
    ESTABLISHED_DATE = "established_date"  # 成立日期 / 注册日期
    TERM_FROM = "term_from"  # 营业期限 (start)
    TERM_UNTIL = "term_until"  # 营业期限 (end, or 长期)
    ADDRESS = "address"  # 住所 / 经营场所 / 主要经营场所
    BUSINESS_SCOPE = "business_scope"  # 经营范围
    REGISTRATION_AUTHORITY = "registration_authority"  # 登记机关
    REGISTRATION_DATE = "registration_date"  # the date under the registration authority's seal
    # Licences issued before the 2015 reform carry a 15-digit registration number (注册号,
    # GS 15-2006) instead of a USCC.
    REGISTRATION_NUMBER = "registration_number"


class QualityCode(StrEnum):
    """Image-quality warnings, after the commercial ID-OCR APIs."""

    BLURRED = "blurred"
    GLARE = "glare"
    BORDER_CUT = "border_cut"
    LOW_RESOLUTION = "low_resolution"
    PHOTOCOPY = "photocopy"
    SCREEN_RECAPTURE = "screen_recapture"
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True, slots=True)
class TextLine:
    """One recognised line of text."""

    text: str
    score: float
    box: Box
    page: int = 0
    # The recogniser's probability for each character of ``text`` when the engine gives them
    # (never serialised): identifier repair only touches the least certain positions.
    char_scores: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "score": round(self.score, 4), "box": _round_box(self.box),
                "page": self.page}


class FieldNote(StrEnum):
    """What the reader did to, or noticed about, one extracted value beyond reading it."""

    # An identifier failed its check character and exactly one OCR-confusable substitution at a
    # low-confidence position passed: the value is that substitution, ``raw`` what was read.
    CHECK_DIGIT_CORRECTED = "check_digit_corrected"
    # The identifier as printed fails its check character and no single repair is certain.
    CHECK_DIGIT_INVALID = "check_digit_invalid"
    # The birth date or sex read disagrees with the (valid) ID number on the same card.
    INCONSISTENT_WITH_ID_NUMBER = "inconsistent_with_id_number"
    # The value was not legible and was taken from the (valid) ID number on the same card.
    FROM_ID_NUMBER = "from_id_number"
    # The place names at the start match GB/T 2260 administrative divisions exactly.
    DIVISION_MATCHED = "division_matched"
    # One character of a place name was replaced by the one close GB/T 2260 name (or of the
    # authority word after it by the one close known organ: 丁商行政管理局 → 工商行政管理局).
    DIVISION_CORRECTED = "division_corrected"
    # A round seal's text read from inside the name (the seal was stamped turned) was put back
    # in order: the part after 局 first; the result names GB/T 2260 places.
    SEAL_TEXT_REORDERED = "seal_text_reordered"
    # A registration date read as earlier than the establishment date (impossible) with a
    # one-digit day: CTC recognition merges a doubled digit (22日 read 2日, often under a seal).
    # The doubled day is the value when it is a real date on or after the establishment date
    # and not in the future; ``raw`` is the date as read.
    REPEATED_DIGIT_RESTORED = "repeated_digit_restored"


@dataclass(frozen=True, slots=True)
class ExtractedField:
    """A typed field read from a document: normalised value, confidence in [0, 1], where it is.

    ``corrected`` is set when ``value`` differs from what the engine read (``raw``), by a
    constrained repair named in ``notes``; a consumer that wants the reading itself takes
    ``raw``."""

    value: str
    confidence: float
    box: Box | None = None
    raw: str | None = None
    notes: tuple[FieldNote, ...] = ()

    @property
    def corrected(self) -> bool:
        return self.raw is not None and self.raw != self.value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "box": _round_box(self.box) if self.box is not None else None,
        }
        if self.corrected:
            out["corrected"] = True
            out["raw"] = self.raw
        if self.notes:
            out["notes"] = [n.value for n in self.notes]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtractedField:
        known = {n.value for n in FieldNote}
        return cls(
            str(data["value"]),
            float(data.get("confidence", 0.0)),
            data.get("box"),
            str(data["raw"]) if data.get("raw") is not None else None,
            tuple(FieldNote(n) for n in data.get("notes", ()) if n in known),
        )


@dataclass(frozen=True, slots=True)
class QualityWarning:
    """A quality problem with a score in [0, 1] (higher is more certain / worse)."""

    code: QualityCode
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "score": round(self.score, 3)}


@dataclass(slots=True)
class DocumentResult:
    """Everything read from one file."""

    file: str
    doc_type: DocType
    fields: dict[str, ExtractedField] = field(default_factory=dict)
    warnings: list[QualityWarning] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pages: int = 1
    checkboxes: dict[str, bool] = field(default_factory=dict)
    # Per page, which reading of it the fields come from (``ocr.reader``: ``flattened``,
    # ``whole``, ``whole-rot90`` ...): the reader keeps the reading that validates best.
    readings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "doc_type": self.doc_type.value,
            "pages": self.pages,
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
            "checkboxes": dict(self.checkboxes),
            "readings": list(self.readings),
            "warnings": [w.to_dict() for w in self.warnings],
            "lines": [ln.to_dict() for ln in self.lines],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        """Rebuild a result from its JSON form (used by ``verify`` on saved extractions)."""
        return cls(
            file=str(data.get("file", "")),
            doc_type=DocType(data.get("doc_type", DocType.UNKNOWN)),
            fields={
                k: ExtractedField.from_dict(v) for k, v in data.get("fields", {}).items()
            },
            warnings=[
                QualityWarning(QualityCode(w["code"]), float(w["score"]))
                for w in data.get("warnings", [])
            ],
            lines=[
                TextLine(ln["text"], float(ln["score"]), ln["box"], int(ln.get("page", 0)))
                for ln in data.get("lines", [])
            ],
            timings={k: float(v) for k, v in data.get("timings", {}).items()},
            pages=int(data.get("pages", 1)),
            checkboxes={k: bool(v) for k, v in data.get("checkboxes", {}).items()},
            readings=[str(r) for r in data.get("readings", [])],
        )


def _round_box(box: Box) -> Box:
    return [[round(float(x), 1), round(float(y), 1)] for x, y in box]
