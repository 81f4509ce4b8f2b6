"""The real engine on drawn lines: a date's digits hidden from the detector are read from the gap
between its 年, 月 and 日, and a run of narrow digits that collapses at the recogniser's working
width is read again stretched."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from core import TextLine
from ocr.overprint import date_slot_digits
from samples.generator.typesetting import Face, font

SIZE = 40


def _draw(pieces: list[tuple[str, int]], width: int = 720) -> tuple[np.ndarray, list[TextLine]]:
    """A white strip with each (text, x) drawn at ``x``, and one line per piece as a detector
    would have boxed it."""
    img = Image.new("RGB", (width, 2 * SIZE), "white")
    draw = ImageDraw.Draw(img)
    fnt = font(Face.SONG, SIZE)
    lines = []
    for text, x in pieces:
        draw.text((x, SIZE // 2), text, fill="black", font=fnt)
        x0, y0, x1, y1 = draw.textbbox((x, SIZE // 2), text, font=fnt)
        lines.append(TextLine(text, 0.99, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
    return np.asarray(img)[:, :, ::-1].copy(), lines


def test_the_month_hidden_between_its_year_and_its_day_is_read_from_the_gap(
        rapid_engine) -> None:
    image, lines = _draw([("2020", 20), ("年", 150), ("11", 260), ("月", 340), ("04", 430),
                          ("日", 520)])
    seen = [ln for ln in lines if ln.text != "11"]  # the detector lost the 11
    got = date_slot_digits(image, seen, rapid_engine)
    assert [ln.text for ln in got] == ["11"]
    gap = [ln for ln in lines if ln.text == "11"][0].box
    assert got[0].box[0][0] <= gap[0][0] and got[0].box[1][0] >= gap[1][0]


def test_a_lost_day_is_read_after_the_month(rapid_engine) -> None:
    image, lines = _draw([("2015", 20), ("年07月", 150), ("22日", 335)])
    got = date_slot_digits(image, lines[:2], rapid_engine)
    assert [ln.text for ln in got] == ["22"]


def test_a_complete_date_asks_for_nothing(rapid_engine) -> None:
    image, lines = _draw([("2020", 20), ("年", 150), ("11", 260), ("月", 340), ("04", 430),
                          ("日", 520)])
    assert date_slot_digits(image, lines, rapid_engine) == []


def test_an_empty_gap_gives_no_digits(rapid_engine) -> None:
    image, lines = _draw([("2020", 20), ("年", 150), ("月", 340), ("04", 430), ("日", 520)])
    assert date_slot_digits(image, lines, rapid_engine) == []


def _condensed(text: str, face: Face, squeeze: float) -> np.ndarray:
    """``text`` drawn, then squeezed to ``squeeze`` of its width (condensed type, as a licence's
    capital is printed)."""
    img = Image.new("RGB", (40 * len(text), 60), "white")
    draw = ImageDraw.Draw(img)
    right = draw.textbbox((10, 10), text, font=font(face, 36))[2]
    draw.text((10, 10), text, fill="black", font=font(face, 36))
    strip = np.asarray(img)[:, : right + 10, ::-1]
    return cv2.resize(strip, None, fx=squeeze, fy=1.0, interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("face", [Face.SONG, Face.HEI])
def test_condensed_runs_of_zeros_are_read_whole(rapid_engine, face: Face) -> None:
    capital = "人民币100000.0000万元整"
    crop = _condensed(capital, face, 0.6)
    # At the recogniser's working width the zeros share steps and some are lost ...
    first_text, _score, _chars = rapid_engine._recognize_batches([crop])[0]
    assert first_text != capital
    # ... read again stretched, the line comes out whole.
    assert rapid_engine.recognize_crops([crop])[0][0] == capital


def test_a_sure_reading_is_not_read_again(rapid_engine, monkeypatch) -> None:
    crop = _condensed("人民币100000.0000万元整", Face.SONG, 1.0)
    calls: list[int] = []
    batches = rapid_engine._recognize_batches

    def counting(crops: list[np.ndarray]) -> list:
        calls.append(len(crops))
        return batches(crops)

    monkeypatch.setattr(rapid_engine, "_recognize_batches", counting)
    rapid_engine.recognize_crops([crop])
    assert calls == [1]


@pytest.mark.parametrize(("first", "stretched", "kept"), [
    # Zeros recovered: surer and longer.
    (("人民币1000000万元整", 0.89), ("人民币100000.0000万元整", 0.99), "stretched"),
    # Surer but a digit lost: the first reading stays.
    (("2025年03月29日", 0.96), ("2025年03月2日", 0.99), "first"),
    # Longer but less sure: the first reading stays.
    (("1000000", 0.90), ("100000.0000", 0.80), "first"),
])
def test_the_stretched_reading_is_kept_only_when_surer_and_whole(
        rapid_engine, monkeypatch, first: tuple[str, float], stretched: tuple[str, float],
        kept: str) -> None:
    # The model's answers are stubbed: what is tested is the choice between the two readings.
    answers = iter([[(*first, ())], [(*stretched, ())]])
    monkeypatch.setattr(rapid_engine, "_recognize_batches", lambda crops: next(answers))
    crop = np.full((48, 400, 3), 255, np.uint8)
    want = stretched if kept == "stretched" else first
    assert rapid_engine.recognize_crops([crop]) == [want]
