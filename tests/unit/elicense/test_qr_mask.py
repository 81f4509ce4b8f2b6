"""elicense.qr_mask: the numpy mask choice equals segno's own evaluation, so a licence's QR code is
the same symbol as before, only cheaper to make."""

from __future__ import annotations

import random

import pytest
import segno

from elicense.qr_mask import best_mask
from elicense.render_qr import _segments, make_qr

_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%"


def _payloads(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        length = rng.randint(1, 900)
        if n % 3 == 0:  # one byte-mode segment, any printable ASCII
            out.append("".join(chr(rng.randint(32, 126)) for _ in range(length)))
        else:  # a verification link: byte-mode address, alphanumeric token
            out.append("https://verify.example.gov.cn/v#"
                       + "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(length)))
    return out


def test_the_choice_is_segnos_over_many_payloads_and_versions() -> None:
    versions = set()
    masks = set()
    for payload in _payloads(90, seed=15):
        segments = _segments(payload)
        reference = segno.make_qr(segments, error="m", boost_error=False)
        mask0 = segno.make_qr(segments, error="m", boost_error=False, mask=0)
        assert best_mask(mask0.matrix) == reference.mask, (reference.version, len(payload))
        versions.add(reference.version)
        masks.add(reference.mask)
    # The comparison covered small and large symbols (with version information) and most masks.
    assert min(versions) <= 6 < 7 <= max(versions)
    assert len(masks) >= 6


def test_make_qr_draws_the_symbol_segno_draws() -> None:
    for payload in _payloads(12, seed=16):
        make_qr.cache_clear()
        ours = make_qr(payload)
        reference = segno.make_qr(_segments(payload), error="m", boost_error=False)
        assert (ours.version, ours.mask) == (reference.version, reference.mask)
        assert ours.matrix == reference.matrix


def test_a_matrix_that_is_not_a_full_qr_code_is_refused() -> None:
    micro = segno.make_micro("12345")
    with pytest.raises(ValueError, match="full QR Code"):
        best_mask(micro.matrix)
    with pytest.raises(ValueError, match="full QR Code"):
        best_mask([[0] * 25 for _ in range(21)])
