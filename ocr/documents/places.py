"""Place names at the start of an address or an authority's name, checked against the GB/T 2260
administrative divisions (``ocr.divisions``): exact matches are marked, a unique close match
replaces a misread character and is marked as a correction, anything else is left as read."""

from __future__ import annotations

from dataclasses import dataclass

from core import ExtractedField, FieldNote
from ocr.divisions import match_address, match_authority


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    value: str
    corrected: bool

    @property
    def note(self) -> FieldNote:
        return FieldNote.DIVISION_CORRECTED if self.corrected else FieldNote.DIVISION_MATCHED


def match_place(text: str, *, authority: bool = False) -> PlaceMatch | None:
    """``text`` with its leading division names verified (or repaired), or None when no
    division name starts it."""
    match = match_authority(text) if authority else match_address(text)
    if match is None:
        return None
    return PlaceMatch(match.text, match.corrected)


def place_field(field: ExtractedField, *, authority: bool = False) -> ExtractedField:
    """An address or authority whose leading place names are checked against GB/T 2260."""
    match = match_place(field.value, authority=authority)
    if match is None:
        return field
    return ExtractedField(match.value, field.confidence, field.box,
                          field.value if match.corrected else None, (*field.notes, match.note))


__all__ = ["PlaceMatch", "match_place", "place_field"]
