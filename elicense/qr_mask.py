"""The QR data-mask choice of ISO/IEC 18004:2015 section 7.8.3, in numpy.

segno chooses a code's mask pattern by applying each of the eight patterns and scoring the result
(N1 runs, N2 blocks, N3 finder-like patterns, N4 dark share) in pure Python: about 80 % of
encoding a licence's version-13-to-15 code. :func:`best_mask` makes the same choice from a code
that segno encoded with mask 0 (cheap: no evaluation), scoring all eight patterns with array
operations, so that ``make_qr`` pays for two encodings without evaluation instead of one with it.

It reproduces segno's scoring rule for rule (segno 1.6.6, pinned in ``requirements.lock``),
including its reading of N3 (a 1:1:3:1:1 run at either edge, or with four light modules on one
side, clipped at the edge); ``tests/unit/elicense/test_qr_mask.py`` compares the choice with
segno's own over many payloads. The matrix it scores is the one segno scores: data modules masked,
format and version areas still empty (light), before the format information is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_N3 = bytes((1, 0, 1, 1, 1, 0, 1))


@lru_cache(maxsize=8)
def _regions(size: int) -> tuple[np.ndarray, np.ndarray]:
    """(data region, fixed-light region) of a QR Code of ``size`` modules a side.

    The data region is every module that is neither a function pattern nor reserved for format
    or version information; fixed-light holds the reserved modules and the light modules of the
    function patterns, which are light in the matrix that is scored."""
    # segno's own layout functions draw the function patterns, so the regions cannot drift.
    from segno import encoder  # noqa: PLC0415 - segno loads when a code is drawn

    layout = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(layout, size, size)
    encoder.add_alignment_patterns(layout, size, size)
    grid = np.array([list(row) for row in layout], dtype=np.uint8)
    return grid == 2, grid == 0


@lru_cache(maxsize=8)
def _patterns(size: int) -> np.ndarray:
    """The eight data-mask patterns (Table 10) as booleans, shape (8, size, size)."""
    i, j = np.indices((size, size))
    product = i * j
    return np.stack([
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        product % 2 + product % 3 == 0,
        (product % 2 + product % 3) % 2 == 0,
        ((i + j) % 2 + product % 3) % 2 == 0,
    ])


def _runs_score(lines: np.ndarray) -> int:
    """N1 over the rows of ``lines``: a run of 5 + i modules of one colour scores 3 + i."""
    size = lines.shape[1]
    # Rows laid end to end with a separator value no module has, so runs stop at row ends.
    flat = np.concatenate([lines, np.full((lines.shape[0], 1), 2, dtype=np.uint8)],
                          axis=1).ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    lengths = np.diff(bounds)
    long_runs = lengths[(lengths >= 5) & (lengths <= size)]
    return int((long_runs - 2).sum())


def _finder_like(line: bytes) -> int:
    """N3 of one row or column, as segno counts it (40 points an occurrence)."""
    size = len(line)
    score = 0
    idx = line.find(_N3)
    while idx != -1:
        offset = idx + 7
        if (idx in (0, size - 7)
                or not any(line[max(idx - 4, 0):min(idx, size)])
                or not any(line[offset:min(offset + 4, size)])):
            score += 40
        else:
            offset = idx + 4
        idx = line.find(_N3, offset)
    return score


def _finder_like_lines(lines: np.ndarray) -> set[int]:
    """The rows of ``lines`` that hold a 1:1:3:1:1 run at all (the others score no N3): one
    search over the rows laid end to end, a separator between them."""
    width = lines.shape[1] + 1
    joined = np.concatenate([lines, np.full((lines.shape[0], 1), 2, dtype=np.uint8)],
                            axis=1).tobytes()
    found: set[int] = set()
    idx = joined.find(_N3)
    while idx != -1:
        found.add(idx // width)
        idx = joined.find(_N3, idx + 1)
    return found


def _score(masked: np.ndarray) -> int:
    size = masked.shape[0]
    n1 = _runs_score(masked) + _runs_score(masked.T)
    same = ((masked[1:, 1:] == masked[1:, :-1]) & (masked[1:, 1:] == masked[:-1, 1:])
            & (masked[1:, 1:] == masked[:-1, :-1]))
    n2 = 3 * int(same.sum())
    columns = np.ascontiguousarray(masked.T)
    n3 = sum(_finder_like(lines[k].tobytes())
             for lines in (masked, columns) for k in _finder_like_lines(lines))
    percent = float(int(masked.sum())) / (size ** 2)
    n4 = 10 * int(abs(percent * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def best_mask(mask0_matrix: Sequence[Sequence[int]]) -> int:
    """The mask pattern (0–7) with the lowest penalty, the first of equals, for the QR Code
    (not Micro QR) whose final matrix with mask pattern 0 is ``mask0_matrix``."""
    final = np.array([list(row) for row in mask0_matrix], dtype=np.uint8)
    size = final.shape[0]
    if size < 21 or final.ndim != 2 or final.shape != (size, size):
        raise ValueError("best_mask takes the matrix of a full QR Code")
    data, fixed_light = _regions(size)
    patterns = _patterns(size)
    unmasked = np.where(data, final ^ patterns[0], final)
    unmasked[fixed_light] = 0
    scores = [_score(np.where(data, unmasked ^ pattern, unmasked).astype(np.uint8))
              for pattern in patterns]
    return scores.index(min(scores))
