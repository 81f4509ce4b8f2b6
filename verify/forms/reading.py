"""Reading a service field out of an extraction result: by OCR field name on cards and licences,
by printed label (or alias) on forms, or as the ticked option of a checkbox group."""

from __future__ import annotations

from dataclasses import dataclass

from core import DocumentResult, ExtractedField
from verify.forms.normalize import compact_text, normalize_label
from verify.forms.rules import MULTIPLE_SEPARATOR
from verify.forms.service import FieldSpec, MaterialKind, MaterialSpec


@dataclass(frozen=True, slots=True)
class ReadValue:
    """A field's value as read (``None``: absent), its OCR confidence (``None`` when it has
    none, as for checkboxes) and, for a checkbox group, every ticked option."""

    value: str | None
    confidence: float | None = None
    ticked: tuple[str, ...] = ()


ABSENT = ReadValue(None)


class DocumentView:
    """One document, indexed for lookups by label and by checkbox option."""

    def __init__(self, document: DocumentResult) -> None:
        self.document = document
        self._labels: dict[str, ExtractedField] = {}
        for key, extracted in document.fields.items():
            # A repeated label is stored as "label#2"; the first occurrence is the field.
            self._labels.setdefault(normalize_label(key.split("#", 1)[0]), extracted)
        self._boxes = {compact_text(k): v for k, v in document.checkboxes.items()}
        self._text = "".join(compact_text(line.text) for line in document.lines)

    def has_title(self, titles: tuple[str, ...]) -> bool | None:
        """Whether one of ``titles`` is printed on the page; ``None`` without text lines."""
        if not self._text:
            return None
        return any(compact_text(t) in self._text for t in titles)

    def read(self, material: MaterialSpec, field_id: str) -> ReadValue:
        spec = material.field(field_id)
        if spec is not None and spec.checkbox is not None:
            return self._read_checkbox(spec)
        if material.kind is MaterialKind.FORM and spec is not None:
            for label in spec.labels():
                if (found := self._labels.get(normalize_label(label))) is not None:
                    return _value(found)
            return ABSENT
        found = self.document.fields.get(field_id)
        return ABSENT if found is None else _value(found)

    def _read_checkbox(self, spec: FieldSpec) -> ReadValue:
        options = spec.checkbox or ()
        ticked = tuple(o for o in options if self._boxes.get(compact_text(o)))
        if not ticked:
            return ABSENT
        return ReadValue(MULTIPLE_SEPARATOR.join(ticked), None, ticked)


def _value(found: ExtractedField) -> ReadValue:
    value = found.value.strip()
    return ReadValue(value or None, found.confidence if value else None)
