"""Identifier repair by check character: exactly one confusable substitution at an uncertain
position, or nothing (``ocr.documents.identifiers``)."""

from __future__ import annotations

from core import FieldNote
from core.checkdigits import is_valid_id_number, is_valid_uscc
from ocr.documents.identifiers import (
    _CONFUSIONS,
    LOW_CONFIDENCE,
    check_id_number,
    check_registration_number,
    check_uscc,
)

VALID_ID = "11010519491231002X"
SURE = 0.999


def scores(n: int, low: dict[int, float] | None = None) -> list[float]:
    out = [SURE] * n
    for i, s in (low or {}).items():
        out[i] = s
    return out


def test_a_valid_number_is_left_alone() -> None:
    checked = check_id_number(VALID_ID, scores(18))
    assert (checked.value, checked.valid, checked.notes) == (VALID_ID, True, ())


def test_an_uncertain_confusable_digit_is_repaired_when_only_one_repair_passes() -> None:
    # The USCC of a real licence, its 3 misread as 8 (as the issue reports), read uncertainly.
    code = "91310115MA1H8H1D7F"
    misread = code.replace("1H8H", "1H3H")
    assert not is_valid_uscc(misread)
    checked = check_uscc(misread, scores(18, {misread.index("1H3H") + 2: 0.6}))
    assert checked.value == code
    assert checked.raw == misread
    assert checked.notes == (FieldNote.CHECK_DIGIT_CORRECTED,)


def test_nothing_is_repaired_where_the_engine_was_sure() -> None:
    misread = VALID_ID[:10] + "3" + VALID_ID[11:]  # the month's 1 read as 3
    assert not is_valid_id_number(misread)
    checked = check_id_number(misread, scores(18))
    assert checked.value == misread
    assert checked.notes == (FieldNote.CHECK_DIGIT_INVALID,)


def test_without_character_scores_a_printed_error_stays() -> None:
    printed = "371002200610020000"  # the cat card in samples/real: its check digit is wrong
    checked = check_id_number(printed, None)
    assert (checked.value, checked.valid) == (printed, False)
    assert FieldNote.CHECK_DIGIT_INVALID in checked.notes


def test_two_passing_repairs_mean_no_repair() -> None:
    # Search a number and two uncertain positions where more than one confusable passes.
    body = "11010519900101"
    for seq in range(100, 1000):
        number = body + f"{seq:03d}"
        valid = number + next(c for c in "0123456789X" if is_valid_id_number(number + c))
        for i in range(14, 17):
            for j in range(i + 1, 18):
                broken = valid[:i] + "8" + valid[i + 1:] if valid[i] == "3" else None
                if broken is None:
                    continue
                checked = check_id_number(broken, scores(18, {i: 0.5, j: 0.5}))
                candidates = _single_repairs(broken, (i, j))
                if len(candidates) > 1:
                    assert checked.value == broken and not checked.valid
                    return
    raise AssertionError("no ambiguous case found: widen the search")


def _single_repairs(number: str, positions: tuple[int, ...]) -> set[str]:
    out = set()
    for i in positions:
        for c in _CONFUSIONS.get(number[i], ""):
            candidate = number[:i] + c + number[i + 1:]
            if is_valid_id_number(candidate):
                out.add(candidate)
    return out


def test_registration_number_repair() -> None:
    printed = "440307814431916"
    misread = printed[:5] + "8" + printed[6:]  # 7 read as 8? not confusable: stays
    assert check_registration_number(misread, scores(15, {5: 0.5})).valid is False
    misread = printed[:3] + "8" + printed[4:]  # its 3 read as 8
    checked = check_registration_number(misread, scores(15, {3: 0.5}))
    assert (checked.value, checked.valid) == (printed, True)


def test_low_confidence_threshold_is_below_certainty() -> None:
    assert 0.5 < LOW_CONFIDENCE < 1.0
