"""The two e-licence parts of a service definition (see ``docs/services.md``):

* ``licence:`` — which e-licence the service issues once approved: its template (证照类型代码, a
  plain string here; ``api`` resolves it against the ``elicense`` templates at startup), where
  each licence field comes from (``<material id>.<field id>``, a constant ``{value: ...}`` or
  one of the licence's own facts ``{licence: issue_date}``), the validity in years and the
  photo, and the files the applicant receives (``formats``: the signed PDF always, the sealed
  OFD as well when asked for);
* ``elicence:`` on a material — the material may be handed in as a signed e-licence PDF instead
  of a scan: which licence types are accepted and which licence fact fills which field.

Only the shapes are checked here; references to materials are checked by the loader.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

# A licence type code: an 18-character unified social credit code and a 3-digit sequence.
TYPE_CODE: Final = r"^[0-9A-HJ-NPQRTUWXY]{18}\d{3}$"
REFERENCE: Final = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
# The GB/T 36903 facts every licence record has (the names ``elicense`` records use).
RECORD_FIELDS: Final = ("name", "type_code", "number", "identifier", "holder", "holder_code",
                        "holder_code_type", "issuer", "issuer_code", "issue_date",
                        "valid_from", "valid_until", "jurisdiction_code")
DETAILS_PREFIX: Final = "details."


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HolderKind(StrEnum):
    """What identifies the holder of an issued licence (持证主体代码类型)."""

    RESIDENT_ID = "resident_id"
    USCC = "uscc"


class NumberScheme(StrEnum):
    """How the issued licence's number (证照编号) is made: the application's serial
    (``YYYY`` + 8 digits), or a demo unified social credit code assigned by the office (for
    licences whose number is the holder's new code, such as an individual business's)."""

    SERIAL = "serial"
    USCC = "uscc"


class LicenceFileFormat(StrEnum):
    """A file an issued licence is handed out as: the PAdES-signed PDF, or the OFD (GB/T 33190)
    sealed with the office's SM2 electronic seal (GB/T 38540)."""

    PDF = "pdf"
    OFD = "ofd"


def _format_list(value: Any) -> Any:
    """``formats: pdf`` alone is the one-element list; anything else is checked below."""
    return [value] if isinstance(value, str) else value


class Constant(_Strict):
    """A fixed value written into every licence (``{value: 个人经营}``)."""

    value: str = Field(min_length=1, max_length=200)


class LicenceFact(_Strict):
    """One of the issued licence's own facts (``{licence: issue_date}``)."""

    licence: str

    @field_validator("licence")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RECORD_FIELDS:
            raise ValueError(f"a licence fact is one of: {', '.join(RECORD_FIELDS)}")
        return value


def _source(value: Any) -> Any:
    """Tell the three kinds of source apart, with one clear message for anything else."""
    if isinstance(value, dict) and set(value) == {"value"}:
        return Constant(value=str(value["value"]))
    if isinstance(value, dict) and set(value) == {"licence"}:
        if value["licence"] not in RECORD_FIELDS:
            raise ValueError(f"a licence fact is one of: {', '.join(RECORD_FIELDS)}")
        return LicenceFact(licence=value["licence"])
    if isinstance(value, str | Constant | LicenceFact):
        return value
    raise ValueError("a source is <material>.<field>, {value: <constant>} or "
                     "{licence: <licence fact>}")


Reference = Annotated[str, Field(pattern=REFERENCE)]
Source = Annotated[Reference | Constant | LicenceFact, BeforeValidator(_source)]


def reference_of(source: Source) -> str | None:
    """The ``material.field`` a source reads, or ``None`` for a constant or licence fact."""
    return source if isinstance(source, str) else None


class LicenceSpec(_Strict):
    """The e-licence a service issues. ``holder_code`` may be left out when ``number`` is
    ``uscc``: the assigned code is then the holder's code as well. ``valid_years`` absent means
    open-ended (长期). ``photo_material`` is the portrait material; ``portrait_from`` the ID card
    front whose portrait is cut out when no photo was uploaded. ``stand_in`` says in the docs
    and the API that the template only stands in for the real licence type. ``formats`` lists
    the files issued: ``[pdf]`` (the default) or ``[pdf, ofd]``; the PDF is always among them,
    since the register keeps it (its hash, the status list entry, the photo the verifier page
    shows), so ``[ofd]`` alone is refused."""

    type_code: str = Field(pattern=TYPE_CODE)
    stand_in: str | None = Field(default=None, min_length=1, max_length=200)
    holder: Source
    holder_code: Source | None = None
    holder_code_type: HolderKind
    number: NumberScheme = NumberScheme.SERIAL
    details: dict[str, Source] = {}
    valid_years: int | None = Field(default=None, ge=1, le=100)
    photo_material: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    portrait_from: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    formats: Annotated[tuple[LicenceFileFormat, ...], BeforeValidator(_format_list)] = (
        LicenceFileFormat.PDF,)

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: tuple[LicenceFileFormat, ...]) -> tuple[LicenceFileFormat, ...]:
        if len(set(value)) != len(value):
            raise ValueError("formats lists each format once")
        if LicenceFileFormat.PDF not in value:
            raise ValueError("formats must include pdf: the register keeps the signed PDF "
                             "(write [pdf, ofd] for both files)")
        return value

    @property
    def issues_ofd(self) -> bool:
        """Whether the licence is also issued as a sealed OFD."""
        return LicenceFileFormat.OFD in self.formats

    @field_validator("details")
    @classmethod
    def _labels(cls, value: dict[str, Source]) -> dict[str, Source]:
        if any(not label.strip() or len(label) > 64 for label in value):
            raise ValueError("detail labels are 1 to 64 characters")
        return value

    @model_validator(mode="after")
    def _holder_code(self) -> LicenceSpec:
        if self.holder_code is None and self.number is not NumberScheme.USCC:
            raise ValueError("holder_code is needed unless number is uscc")
        if self.number is NumberScheme.USCC and self.holder_code is None \
                and self.holder_code_type is not HolderKind.USCC:
            raise ValueError("an assigned uscc is the holder's code only for holder_code_type "
                             "uscc")
        return self

    def references(self) -> dict[str, str]:
        """Every ``material.field`` the licence reads, by its place in the section."""
        sources: dict[str, Source | None] = {"holder": self.holder,
                                             "holder_code": self.holder_code}
        sources.update({f"details.{label}": source for label, source in self.details.items()})
        return {where: ref for where, source in sources.items()
                if source is not None and (ref := reference_of(source)) is not None}


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class ElicenceSource(_Strict):
    """A material may be a signed e-licence of one of ``type_codes``; ``fields`` maps the
    material's field ids to a licence fact (``holder_code``, ``valid_until`` ...) or a
    type-specific detail (``details.法定代表人``)."""

    type_codes: tuple[Annotated[str, Field(pattern=TYPE_CODE)], ...] = Field(min_length=1)
    fields: dict[str, str] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _facts(cls, value: dict[str, str]) -> dict[str, str]:
        for fact in value.values():
            if fact in RECORD_FIELDS:
                continue
            if fact.startswith(DETAILS_PREFIX) and fact[len(DETAILS_PREFIX):].strip():
                continue
            raise ValueError(f"{fact!r} is not a licence fact ({', '.join(RECORD_FIELDS)}) "
                             "or details.<label>")
        return value


ElicenceSources = Annotated[tuple[ElicenceSource, ...], BeforeValidator(_one_or_many)]
