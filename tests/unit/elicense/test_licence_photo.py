"""The holder photo travels with the licence (issue 13, item 9): the photo file as issued is
attached to the signed PDF, its SHA-256 is the token's, and a verifier gets it back only when
the two agree — also for a photo far larger than the sample cartoon (whose byte count once
passed for an object count and made the whole PDF unreadable)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydantic import SecretStr

from core import Settings
from elicense import (
    FileRegistry,
    licence_attachment,
    licence_photo,
    load_licence,
    load_templates,
    load_trust,
    publish,
    verify_licence_pdf,
)
from elicense.issue import issue_licence
from signing import Indication, IssuerIdentity, KeyStore

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
CODE = Settings(_env_file=None).issuer_code


def big_photo() -> bytes:
    """A 600×800 JPEG of noise: some 150 KB, nothing like the sample's few kilobytes."""
    pixels = np.random.default_rng(9).integers(0, 255, (800, 600, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("photo-office")
    store = KeyStore(base / "keys", SecretStr("photo tests passphrase"))
    store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)),
                     now=NOW - timedelta(days=10))
    registry, published = FileRegistry(base / "licences"), base / "published"
    licence = load_licence(RECORDS / "resident_id_renewal_receipt.json")
    photo = big_photo()
    assert len(photo) > 100_000
    result = issue_licence(licence, load_templates().get(licence.type_code), photo=photo,
                           store=store, registry=registry, issuer_code=CODE,
                           published_dir=published, now=NOW)
    publish(store, registry, published, CODE, NOW)
    return result, load_trust(published), photo


def test_a_large_photo_is_attached_and_comes_back_checked(issued) -> None:
    result, trust, photo = issued
    verdict = verify_licence_pdf(result.pdf, trust, now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.PASSED, verdict.to_dict()
    assert verdict.photo == photo
    assert verdict.licence is not None and verdict.licence["name"] == "居民身份证换领受理凭证"
    digest = hashlib.sha256(photo).digest()
    assert licence_photo(result.pdf, digest) == photo
    assert licence_photo(result.pdf, hashlib.sha256(b"another photo").digest()) is None
    assert licence_photo(b"%PDF-1.7 not really", digest) is None
    data = licence_attachment(result.pdf)
    assert data is not None and data["photo_sha256"] == digest.hex()


def test_a_tampered_licence_gives_no_photo(issued) -> None:
    result, trust, _photo = issued
    tampered = bytearray(result.pdf)
    tampered[result.pdf.index(b"stream", result.pdf.index(b"/Length")) + 30] ^= 0x01
    verdict = verify_licence_pdf(bytes(tampered), trust, now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.FAILED
    assert verdict.photo is None  # the token is intact, but the licence failed


def test_the_renewal_receipt_is_titled_what_it_is(issued) -> None:
    """Issue 13, item 6: renewing an ID card gave a PDF titled 居住证."""
    import pypdfium2  # noqa: PLC0415 - only this test reads the page's text

    result, _trust, _photo = issued
    page = pypdfium2.PdfDocument(result.pdf)[0]
    text = page.get_textpage().get_text_range()
    assert "居民身份证换领受理凭证" in text and "居住证" not in text.replace(
        "居民身份证换领受理凭证", "")
    assert "凭本凭证领取" in text
