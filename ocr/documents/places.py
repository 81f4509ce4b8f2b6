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


# What an issuing or registering authority is, after its place names.
ORGANS = ("市场监督管理局", "工商行政管理局", "行政审批局", "市场和质量监督管理局", "公安局",
          "行政审批服务局", "市场监管局")


def match_place(text: str, *, authority: bool = False) -> PlaceMatch | None:
    """``text`` with its leading division names verified (or repaired), or None when no
    division name starts it. An authority whose organ word is one character off a single known
    one (``工商`` read ``丁商``) has that character repaired too."""
    if authority:
        repaired = _repair_organ(text)
        match = match_authority(repaired)
        if match is None:
            return None
        return PlaceMatch(match.text, match.corrected or repaired != text)
    match = match_address(text)
    if match is None:
        return None
    return PlaceMatch(match.text, match.corrected)


def _repair_organ(text: str) -> str:
    if any(text.endswith(organ) for organ in ORGANS):
        return text
    close = set()
    for organ in ORGANS:
        tail = text[-len(organ):]
        if len(tail) == len(organ) and sum(a != b for a, b in zip(tail, organ, strict=True)) == 1:
            close.add(text[:-len(organ)] + organ)
    return close.pop() if len(close) == 1 else text


def place_field(field: ExtractedField, *, authority: bool = False) -> ExtractedField:
    """An address or authority whose leading place names are checked against GB/T 2260."""
    match = match_place(field.value, authority=authority)
    if match is None:
        return field
    return ExtractedField(match.value, field.confidence, field.box,
                          field.value if match.corrected else None, (*field.notes, match.note))


__all__ = ["PlaceMatch", "match_place", "place_field"]
