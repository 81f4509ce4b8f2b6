"""A registration date read earlier than the establishment date with a one-digit day gets that
digit doubled when the result is a possible date (``ocr.reader._doubled_day``): CTC recognition
merges a repeated digit (``22日`` read ``2日``), and the licence cannot predate the business."""

from __future__ import annotations

from datetime import date

from core import BusinessLicenceField, ExtractedField, FieldNote
from ocr.reader import _doubled_day

ESTABLISHED = BusinessLicenceField.ESTABLISHED_DATE


def _fields(established: str) -> dict[str, ExtractedField]:
    return {ESTABLISHED: ExtractedField(established, 0.99)}


def test_a_merged_day_is_doubled_and_marked() -> None:
    restored = _doubled_day(ExtractedField("2015-07-02", 0.9), _fields("2015-07-22"))
    assert restored is not None and restored.value == "2015-07-22"
    assert restored.raw == "2015-07-02" and restored.corrected
    assert restored.notes == (FieldNote.REPEATED_DIGIT_RESTORED,)


def test_one_becomes_eleven() -> None:
    restored = _doubled_day(ExtractedField("2019-03-01", 0.9), _fields("2019-02-20"))
    assert restored is not None and restored.value == "2019-03-11"


def test_nothing_is_invented_when_doubling_cannot_help() -> None:
    # 33 is no day; doubling 2 still predates the establishment; two-digit days are left alone;
    # no establishment date read; a doubled day in the future.
    assert _doubled_day(ExtractedField("2015-07-03", 0.9), _fields("2015-07-22")) is None
    assert _doubled_day(ExtractedField("2015-07-02", 0.9), _fields("2015-07-25")) is None
    assert _doubled_day(ExtractedField("2015-07-12", 0.9), _fields("2015-07-22")) is None
    assert _doubled_day(ExtractedField("2015-07-02", 0.9), {}) is None
    next_year = date.today().year + 1
    assert _doubled_day(ExtractedField(f"{next_year}-01-02", 0.9),
                        _fields(f"{next_year}-01-01")) is None
    assert _doubled_day(ExtractedField("not a date", 0.9), _fields("2015-07-22")) is None
