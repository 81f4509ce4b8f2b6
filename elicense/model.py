"""The licence metadata after GB/T 36903 as a frozen pydantic model, loaded from a record JSON.

Each field's description names the GB/T 36903 element; ``docs/licences.md`` lists them. Records
use the English field names. A record that breaks a rule raises
:class:`elicense.LicenceRecordInvalidError` naming the field path, never its value.

Checks here are structural (lengths, charsets, the identifier's own MOD 37,36 check character,
agreement between the identifier and the type and issuer codes, date order). The GB 11643 and
GB 32100 check characters of the holder and issuer codes belong to ``verify.forms``, which
``elicense`` may not import: ``api`` validates records with it before issuing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core import OPEN_ENDED
from elicense.errors import LicenceRecordInvalidError
from elicense.identifier import USCC_CHARSET, LicenceIdentifier, is_type_code, parse_identifier

_RESIDENT_ID: Final = re.compile(r"^\d{17}[\dX]$")
MASK_CHAR: Final = "*"
# How a type-specific fact is named among a licence's facts: ``details.<label>``.
DETAILS_PREFIX: Final = "details."


class HolderCodeType(StrEnum):
    """持证主体代码类型: what kind of code identifies the holder (GB/T 36903 code list)."""

    RESIDENT_ID = "111"  # 居民身份证号码 (GB 11643)
    USCC = "001"  # 统一社会信用代码 (GB 32100)


class Licence(BaseModel):
    """One licence's metadata. ``valid_until`` is ``None`` for an open-ended licence (长期);
    records may write ``"长期"`` or ``null``. ``details`` are the type-specific fields in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, description="证照名称")
    type_code: str = Field(description="证照类型代码 (21 characters)")
    number: str = Field(min_length=1, max_length=64, description="证照编号")
    identifier: str = Field(description="证照标识 (GB/T 36904)")
    holder: str = Field(min_length=1, max_length=128, description="持证主体")
    holder_code: str = Field(description="持证主体代码")
    holder_code_type: HolderCodeType = Field(description="持证主体代码类型")
    issuer: str = Field(min_length=1, max_length=128, description="颁发机构")
    issuer_code: str = Field(description="颁发机构代码 (unified social credit code)")
    issue_date: date = Field(description="颁发日期")
    valid_from: date = Field(description="有效期起始日期")
    valid_until: date | None = Field(description="有效期截止日期; None: open-ended (长期)")
    jurisdiction_code: str = Field(pattern=r"^\d{6}$", description="管辖属地编码 (GB/T 2260)")
    details: tuple[tuple[str, str], ...] = Field(
        default=(), description="Type-specific fields (照面扩展信息) as (label, value) pairs")

    @field_validator("valid_until", mode="before")
    @classmethod
    def _open_ended(cls, value: Any) -> Any:
        return None if value == OPEN_ENDED else value

    @field_validator("details", mode="before")
    @classmethod
    def _details_from_mapping(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return tuple(value.items())
        return value

    @field_validator("details")
    @classmethod
    def _details_unique(cls, value: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        keys = [key for key, _ in value]
        if len(set(keys)) != len(keys) or not all(key.strip() for key in keys):
            raise ValueError("detail labels must be non-empty and unique")
        return value

    @field_validator("type_code")
    @classmethod
    def _type_code(cls, value: str) -> str:
        if not is_type_code(value):
            raise ValueError("a type code is an 18-character USCC and a 3-digit sequence")
        return value

    @field_validator("issuer_code")
    @classmethod
    def _issuer_code(cls, value: str) -> str:
        if len(value) != 18 or not set(value) <= USCC_CHARSET:
            raise ValueError("an issuer code is an 18-character unified social credit code")
        return value

    @field_validator("identifier")
    @classmethod
    def _identifier(cls, value: str) -> str:
        check = parse_identifier(value)
        if not check.ok:
            problems = ", ".join(problem.value for problem in check.problems)
            raise ValueError(f"not a valid GB/T 36904 licence identifier ({problems})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Licence:
        if not _holder_code_ok(self.holder_code, self.holder_code_type):
            raise ValueError(f"holder_code does not have the form of a "
                             f"{self.holder_code_type.name} code")
        parts = self.identifier_parts
        if parts.type_code != self.type_code or parts.issuer_code != self.issuer_code:
            raise ValueError("identifier does not carry this record's type_code and issuer_code")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if self.valid_until is not None and self.issue_date > self.valid_until:
            raise ValueError("issue_date is after valid_until")
        return self

    @property
    def identifier_parts(self) -> LicenceIdentifier:
        parsed = parse_identifier(self.identifier).identifier
        assert parsed is not None  # guaranteed by the field validator
        return parsed

    @property
    def masked_holder_code(self) -> str:
        return mask_holder_code(self.holder_code, self.holder_code_type)

    def detail(self, label: str) -> str | None:
        """The type-specific field called ``label``, or ``None``."""
        return dict(self.details).get(label)

    def fact(self, name: str) -> str | None:
        """One fact as text, as the signed record writes it: a field by its record name (dates
        ``YYYY-MM-DD``, the code type its code, an open-ended ``valid_until`` ``长期``) or a
        type-specific one as ``details.<label>``. ``None`` for an unknown name or an empty
        value."""
        if name.startswith(DETAILS_PREFIX):
            value = self.detail(name[len(DETAILS_PREFIX):])
        elif name == "valid_until":
            value = OPEN_ENDED if self.valid_until is None else self.valid_until.isoformat()
        elif name in type(self).model_fields and name != "details":
            raw = getattr(self, name)
            value = raw.isoformat() if isinstance(raw, date) else str(raw)
        else:
            value = None
        return value or None

    def in_force_on(self, day: date) -> bool:
        """Whether ``day`` falls inside the validity period (both ends included)."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def mask_holder_code(code: str, code_type: HolderCodeType) -> str:
    """The holder code as it may travel in a QR token or be shown to a verifying party.

    A resident ID number keeps its first and last character only and its length
    (``1****************X``): the hidden 16 carry the birthplace, the birth date and the sex,
    which together with the name identify a person; the first digit tells only the broad
    region group and the last is a check character computed from the others. A unified social
    credit code is public (printed on the licence and published by the registries), so it is
    returned unchanged.
    """
    if code_type is HolderCodeType.USCC:
        return code
    if len(code) <= 2:
        return MASK_CHAR * len(code)
    return code[0] + MASK_CHAR * (len(code) - 2) + code[-1]


def parse_licence(data: Mapping[str, Any], source: str = "<record>") -> Licence:
    """Validate a decoded record; raises :class:`LicenceRecordInvalidError` naming the field."""
    try:
        return Licence.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        path = ".".join(str(part) for part in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise LicenceRecordInvalidError(source, first["msg"] + more, path) from None


def load_licence(path: Path) -> Licence:
    """Read and validate a record JSON file (UTF-8)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LicenceRecordInvalidError(path.name, f"unreadable JSON ({type(exc).__name__})") \
            from None
    if not isinstance(data, dict):
        raise LicenceRecordInvalidError(path.name, "a record is a JSON object")
    return parse_licence(data, path.name)


def _holder_code_ok(code: str, code_type: HolderCodeType) -> bool:
    if code_type is HolderCodeType.RESIDENT_ID:
        return bool(_RESIDENT_ID.match(code))
    return len(code) == 18 and set(code) <= USCC_CHARSET
