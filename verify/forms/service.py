"""A service definition (办事事项): the materials it requires, their fields and rules, and the
rules across materials. Written by a clerk as YAML or JSON (see ``docs/services.md``), loaded
and checked by :mod:`verify.forms.loader`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from core import BusinessLicenceField, DocType, IdCardBackField, IdCardFrontField
from verify.forms.licence_spec import ElicenceSources, LicenceSpec
from verify.forms.specs import IDENT, CrossRule, FieldRule, RuleType, expand_shorthand


class MaterialKind(StrEnum):
    """What a material is: a document type the OCR recognises, or a portrait photo."""

    ID_CARD_FRONT = DocType.ID_CARD_FRONT.value
    ID_CARD_BACK = DocType.ID_CARD_BACK.value
    BUSINESS_LICENCE = DocType.BUSINESS_LICENCE.value
    FORM = DocType.FORM.value
    PHOTO = "photo"

    @property
    def doc_type(self) -> DocType | None:
        return None if self is MaterialKind.PHOTO else DocType(self.value)


# The fields OCR reads from each fixed document type, with their printed Chinese labels.
FIXED_FIELDS: dict[MaterialKind, dict[str, str]] = {
    MaterialKind.ID_CARD_FRONT: {
        IdCardFrontField.NAME: "姓名", IdCardFrontField.SEX: "性别",
        IdCardFrontField.ETHNICITY: "民族", IdCardFrontField.BIRTH_DATE: "出生",
        IdCardFrontField.ADDRESS: "住址", IdCardFrontField.ID_NUMBER: "公民身份号码",
    },
    MaterialKind.ID_CARD_BACK: {
        IdCardBackField.ISSUING_AUTHORITY: "签发机关", IdCardBackField.VALID_FROM: "有效期限起",
        IdCardBackField.VALID_UNTIL: "有效期限止",
    },
    MaterialKind.BUSINESS_LICENCE: {
        BusinessLicenceField.USCC: "统一社会信用代码", BusinessLicenceField.NAME: "名称",
        BusinessLicenceField.ENTITY_TYPE: "类型",
        BusinessLicenceField.LEGAL_REPRESENTATIVE: "法定代表人",
        BusinessLicenceField.REGISTERED_CAPITAL: "注册资本",
        BusinessLicenceField.ESTABLISHED_DATE: "成立日期",
        BusinessLicenceField.TERM_FROM: "营业期限起", BusinessLicenceField.TERM_UNTIL: "营业期限止",
        BusinessLicenceField.ADDRESS: "住所", BusinessLicenceField.BUSINESS_SCOPE: "经营范围",
        BusinessLicenceField.REGISTRATION_AUTHORITY: "登记机关",
        BusinessLicenceField.REGISTRATION_DATE: "登记日期",
        BusinessLicenceField.REGISTRATION_NUMBER: "注册号",
    },
}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldSpec(_Strict):
    """One field of a material and the rules its value must pass.

    On an ID card or licence the ``id`` is the OCR field name (``id_number``, ``uscc`` ...). On a
    form the value is found by its printed ``label`` (or one of ``aliases``), or, for a group of
    checkboxes, it is the ticked option among ``checkbox`` (several with ``multiple``, joined
    by ``、``). ``name`` is what messages call the field (default: the label or the options),
    ``name_en`` what English messages call it (default: the id in words, ``valid from``).
    """

    id: str = Field(pattern=IDENT)
    name: str | None = Field(default=None, min_length=1, description="Chinese name in messages")
    name_en: str | None = Field(default=None, min_length=1,
                                description="English name in messages")
    label: str | None = Field(default=None, min_length=1)
    aliases: tuple[str, ...] = ()
    checkbox: tuple[str, ...] | None = Field(default=None, min_length=2)
    multiple: bool = False
    rules: Annotated[tuple[FieldRule, ...], BeforeValidator(expand_shorthand)] = ()

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if self.label is not None and self.checkbox is not None:
            raise ValueError("a field is read from a label or from checkboxes, not both")
        if self.aliases and self.label is None:
            raise ValueError("aliases need a label")
        if self.multiple and self.checkbox is None:
            raise ValueError("multiple applies to checkbox fields only")
        return self

    @property
    def required(self) -> bool:
        return any(r.type == RuleType.REQUIRED for r in self.rules)

    def labels(self) -> tuple[str, ...]:
        return () if self.label is None else (self.label, *self.aliases)


class MaterialSpec(_Strict):
    """A material the service requires: what kind, how many, which fields it checks."""

    id: str = Field(pattern=IDENT)
    kind: MaterialKind
    name: str = Field(min_length=1, description="Chinese name shown to applicants")
    name_en: str | None = None
    required: bool = True
    count: int = Field(default=1, ge=1, description="how many are needed")
    max_count: int | None = Field(default=None, ge=1, description="default: count")
    titles: tuple[str, ...] = Field(default=(), description="form titles (forms only)")
    profile: str | None = Field(default=None, description="photo profile id (photos only)")
    fields: tuple[FieldSpec, ...] = ()
    elicence: ElicenceSources = Field(
        default=(), description="e-licence types accepted instead of a scan (cards, licences)")

    @model_validator(mode="after")
    def _kind_rules(self) -> MaterialSpec:
        if (self.kind is MaterialKind.PHOTO) != (self.profile is not None):
            raise ValueError("a photo material needs a profile; other materials have none")
        if self.kind is MaterialKind.PHOTO and self.fields:
            raise ValueError("a photo material has no fields")
        if self.titles and self.kind is not MaterialKind.FORM:
            raise ValueError("titles apply to forms only")
        if self.max_count is not None and self.max_count < self.count:
            raise ValueError("max_count is smaller than count")
        if self.elicence and self.kind in (MaterialKind.PHOTO, MaterialKind.FORM):
            raise ValueError("only ID cards and licences may be handed in as an e-licence")
        return self

    def accepts_elicence(self, type_code: str) -> bool:
        return any(type_code in source.type_codes for source in self.elicence)

    def elicence_fields(self, type_code: str) -> dict[str, str]:
        """Field id → licence fact for an accepted e-licence type (empty if not accepted)."""
        return next((dict(s.fields) for s in self.elicence if type_code in s.type_codes), {})

    @property
    def most(self) -> int:
        return self.max_count or self.count

    @property
    def english_name(self) -> str:
        return self.name_en or self.kind.value.replace("_", " ")

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def label_of(self, field_id: str) -> str:
        """The Chinese label of a field, for messages."""
        spec = self.field(field_id)
        if spec is not None and spec.name:
            return spec.name
        if spec is not None and spec.label:
            return spec.label
        if spec is not None and spec.checkbox:
            return "/".join(spec.checkbox)
        return FIXED_FIELDS.get(self.kind, {}).get(field_id, field_id)

    def english_label_of(self, field_id: str) -> str:
        """The English name of a field, for messages: its ``name_en``, else its id in words
        (``valid_until`` → ``valid until``), never the bare id (issue 13, item 5)."""
        spec = self.field(field_id)
        if spec is not None and spec.name_en:
            return spec.name_en
        return field_id.replace("_", " ")


class AutoApprove(_Strict):
    """When an application may be approved without a clerk (used by the service, issue 5):
    valid, every checked field read with at least ``min_confidence``, and no warnings unless
    ``allow_warnings``."""

    min_confidence: float = Field(default=0.95, ge=0.0, le=1.0)
    allow_warnings: bool = False


class Service(_Strict):
    """A service definition. ``id`` is stable (file names and URLs use it); ``name`` is what
    people call it; ``aliases`` are other names ``--service`` accepts."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    aliases: tuple[str, ...] = ()
    description: str | None = None
    # 承诺办结时限: working days from acceptance to a decision, shown before an applicant starts.
    time_limit_days: int | None = Field(default=None, ge=1, le=365)
    min_field_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    materials: tuple[MaterialSpec, ...] = Field(min_length=1)
    cross_rules: tuple[CrossRule, ...] = ()
    auto_approve: AutoApprove | None = None
    licence: LicenceSpec | None = Field(default=None, description="the e-licence it issues")

    def material(self, material_id: str) -> MaterialSpec | None:
        return next((m for m in self.materials if m.id == material_id), None)
