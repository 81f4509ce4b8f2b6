"""Licence templates: one YAML file per licence type (证照类型代码) saying how its page looks.

A template names the printed title, the page orientation, the colours, whether the page has a
photo box, and the fields in print order. A field's ``key`` is either a :class:`StandardField`
(the GB/T 36903 metadata every licence has) or the label of a type-specific detail of the record.
The bundled templates live in ``elicense/templates``; a directory of extra ones may add types or
replace a bundled one with the same type code. ``docs/licences.md`` describes the format.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from elicense.errors import LicenceTemplateInvalidError, LicenceTemplateMissingError
from elicense.identifier import is_type_code

log = logging.getLogger(__name__)

BUNDLED_TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COLOUR: Final = r"^#[0-9A-Fa-f]{6}$"


class StandardField(StrEnum):
    """Metadata a template may print by name; anything else is a type-specific detail."""

    NAME = "name"
    NUMBER = "number"
    IDENTIFIER = "identifier"
    HOLDER = "holder"
    HOLDER_CODE = "holder_code"
    HOLDER_CODE_MASKED = "holder_code_masked"
    ISSUER = "issuer"
    ISSUE_DATE = "issue_date"
    VALID_FROM = "valid_from"
    VALID_UNTIL = "valid_until"
    VALID_PERIOD = "valid_period"
    JURISDICTION_CODE = "jurisdiction_code"


_STANDARD_KEYS: Final = frozenset(field.value for field in StandardField)


class Orientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


class Colours(BaseModel):
    """Page colours as ``#RRGGBB``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    frame: str = Field(default="#8B6914", pattern=_COLOUR)
    title: str = Field(default="#1A1A1A", pattern=_COLOUR)
    label: str = Field(default="#3A3A3A", pattern=_COLOUR)
    text: str = Field(default="#000000", pattern=_COLOUR)
    seal: str = Field(default="#D7000F", pattern=_COLOUR)


class TemplateField(BaseModel):
    """One printed line: the value of ``key`` after ``label`` (default: the key itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=64)
    label: str | None = Field(default=None, min_length=1, max_length=16)

    @property
    def standard(self) -> StandardField | None:
        return standard_field(self.key)

    @property
    def shown_label(self) -> str:
        return self.label if self.label is not None else self.key


class LicenceTemplate(BaseModel):
    """How one licence type is laid out on its one page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type_code: str = Field(description="证照类型代码 this template draws")
    name: str = Field(min_length=1, max_length=64, description="证照名称 of the type")
    title: str = Field(min_length=1, max_length=16, description="The large printed title")
    subtitle: str | None = Field(default=None, max_length=32)
    orientation: Orientation = Orientation.LANDSCAPE
    photo: bool = Field(default=False, description="Whether the page has the holder's photo")
    colours: Colours = Colours()
    fields: tuple[TemplateField, ...] = Field(min_length=1, max_length=24)

    @field_validator("type_code")
    @classmethod
    def _type_code(cls, value: str) -> str:
        if not is_type_code(value):
            raise ValueError("a type code is an 18-character USCC and a 3-digit sequence")
        return value

    @field_validator("fields")
    @classmethod
    def _unique_keys(cls, value: tuple[TemplateField, ...]) -> tuple[TemplateField, ...]:
        keys = [field.key for field in value]
        if len(set(keys)) != len(keys):
            raise ValueError("a field key appears twice")
        return value

    @property
    def detail_keys(self) -> tuple[str, ...]:
        """The type-specific details a record must carry for this template."""
        return tuple(field.key for field in self.fields if field.standard is None)


class TemplateCatalog:
    """The templates known to this process, by type code."""

    def __init__(self, templates: Iterable[LicenceTemplate]) -> None:
        self._by_code = {template.type_code: template for template in templates}

    def __len__(self) -> int:
        return len(self._by_code)

    def type_codes(self) -> list[str]:
        return sorted(self._by_code)

    def get(self, type_code: str) -> LicenceTemplate:
        """The template for ``type_code``; :class:`LicenceTemplateMissingError` if none."""
        try:
            return self._by_code[type_code]
        except KeyError:
            raise LicenceTemplateMissingError(type_code, self.type_codes()) from None


def standard_field(key: str) -> StandardField | None:
    """The standard metadata field called ``key``, or ``None`` for a type-specific detail."""
    return StandardField(key) if key in _STANDARD_KEYS else None


def load_template(path: Path) -> LicenceTemplate:
    """Read and check one template file (YAML, UTF-8)."""
    source = path.name
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - safe loader
    except (OSError, UnicodeDecodeError) as exc:
        raise LicenceTemplateInvalidError(source, f"cannot read the file ({type(exc).__name__})") \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise LicenceTemplateInvalidError(source, f"not YAML{where}") from None
    if not isinstance(data, dict):
        raise LicenceTemplateInvalidError(source, "a template is one mapping")
    try:
        return LicenceTemplate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path_text = ".".join(str(part) for part in first["loc"])
        raise LicenceTemplateInvalidError(source, first["msg"], path_text) from None


def load_templates(extra_dir: Path | None = None) -> TemplateCatalog:
    """The bundled templates, plus (replacing same type codes) the ``*.yaml`` in ``extra_dir``."""
    templates = list(_bundled())
    if extra_dir is not None:
        extra = [load_template(path) for path in sorted(extra_dir.glob("*.yaml"))]
        log.info("loaded %d extra licence templates", len(extra))
        templates.extend(extra)
    return TemplateCatalog(templates)


@lru_cache(maxsize=1)
def _bundled() -> tuple[LicenceTemplate, ...]:
    templates = tuple(load_template(p) for p in sorted(BUNDLED_TEMPLATES_DIR.glob("*.yaml")))
    codes = [template.type_code for template in templates]
    if len(set(codes)) != len(codes):
        raise LicenceTemplateInvalidError("elicense/templates", "two templates share a type code")
    return templates
