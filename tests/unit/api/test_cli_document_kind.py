"""``api.cli.verify_ofd``: what ``zhengzhao verify FILE`` takes a file for (by content, not by
name) and how ``--trust-anchor`` files are read (PEM with one or several certificates, or DER;
anything else refused with a code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli.errors import InputFileUnreadableError, TrustAnchorError
from api.cli.verify_ofd import DocumentKind, document_kind, load_trust_anchors
from elicense import MAX_QR_TEXT_CHARS
from signing import load_sm2_certificate

ROOT = Path(__file__).resolve().parents[3]
OFDRW = ROOT / "tests" / "data" / "ofd" / "ofdrw"
ANCHOR = OFDRW / "ofdrw_root.pem"


@pytest.mark.parametrize(("data", "kind"), [
    ((OFDRW / "allprotected.ofd").read_bytes(), DocumentKind.OFD),
    (b"PK\x03\x04whatever", DocumentKind.OFD),
    (b"%PDF-1.7\n...", DocumentKind.PDF),
    (b"ZZ1:ABC\n", DocumentKind.TOKEN),
    (b"https://zz.example.gov.cn/v#ZZ1:ABC", DocumentKind.TOKEN),
    (b"", DocumentKind.PDF),
    (b"\x00\x01binary", DocumentKind.PDF),
    (b"\xff\xfe not utf-8", DocumentKind.PDF),
    (b"Z" * (MAX_QR_TEXT_CHARS + 1), DocumentKind.PDF),
])
def test_the_kind_of_a_file_is_its_content(data: bytes, kind: DocumentKind) -> None:
    assert document_kind(data) is kind


def test_anchor_files_in_pem_several_pem_and_der(tmp_path: Path) -> None:
    root = load_sm2_certificate(ANCHOR.read_bytes())
    assert [c.dump() for c in load_trust_anchors([ANCHOR])] == [root.dump()]
    both = tmp_path / "both.pem"
    both.write_bytes(ANCHOR.read_bytes() * 2)
    der = tmp_path / "root.der"
    der.write_bytes(root.dump())
    found = load_trust_anchors([both, der])
    assert [c.dump() for c in found] == [root.dump()] * 3


@pytest.mark.parametrize("content", [
    b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", b"\x30\x03\x02\x01\x01",
])
def test_anything_else_is_refused_with_a_code(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "anchor.pem"
    path.write_bytes(content)
    with pytest.raises(TrustAnchorError) as caught:
        load_trust_anchors([path])
    assert caught.value.code.value == "input.unsupported_type" and caught.value.message_zh
    with pytest.raises(InputFileUnreadableError):
        load_trust_anchors([tmp_path / "missing.pem"])
