"""``zhengzhao issue RECORD.json --format ofd|pdf|both`` end to end through the CLI entry point
(issue 15, item 3): the OFD holds the same QR text and the very ``licence.json`` the signed PDF
attaches, reads back through the safe reader, carries the office's SM2 electronic seal (which
``signing.validate_ofd`` passes against the store's SM2 root, and fails once a covered file is
edited), or, from a key store without SM2 keys, is unsealed and the command says so; ``pdf``
writes no OFD and ``ofd`` no PDF."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_office import PHOTO, permit_record  # a sibling module

from api.cli import main
from core import get_settings
from signing import (
    Indication,
    IssuerIdentity,
    KeyStore,
    Sm2Role,
    read_ofd,
    read_pdf_attachments,
    validate_ofd,
    write_ofd,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("office-ofd")


def _issue(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["issue", *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def test_both_writes_a_pdf_and_its_ofd_twin(office: Path, capsys, tmp_path: Path) -> None:
    out = office / "both.pdf"
    code, result, _ = _issue(capsys, str(permit_record(office, "91")), "--photo", str(PHOTO),
                             "--out", str(out), "--format", "both")
    assert code == 0, result
    assert Path(result["file"]) == out and Path(result["ofd_file"]) == office / "both.ofd"
    assert result["ofd_sealed"] is True and "note" not in result
    package = read_ofd((office / "both.ofd").read_bytes())
    pdf_json = read_pdf_attachments(out.read_bytes(), {"licence.json": 65536})["licence.json"]
    assert package.files["Doc_0/Attachs/licence.json"] == pdf_json
    assert json.loads(pdf_json)["token"] == result["token"]
    assert package.files["Doc_0/Res/photo.jpg"] == PHOTO.read_bytes()
    qr = tmp_path / "qr.png"
    qr.write_bytes(package.files["Doc_0/Res/qr.png"])
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(qr)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert scanned == result["token"]


def _sm2_trust() -> tuple[list, list]:
    store = KeyStore.from_settings(get_settings())
    return [store.sm2_certificate(Sm2Role.ROOT)], [store.sm2_certificate(Sm2Role.CA)]


def test_the_ofd_seal_validates_and_an_edit_fails_it(office: Path, capsys) -> None:
    out = office / "sealed.ofd"
    code = main(["issue", str(permit_record(office, "92")), "--photo", str(PHOTO), "--out",
                 str(out), "--format", "ofd"])
    captured = capsys.readouterr()
    assert code == 0
    assert out.is_file() and not (office / "sealed.pdf").exists()
    assert "sealed.ofd" in captured.out and "(sha256" in captured.out
    assert "not sealed" not in captured.err
    data = out.read_bytes()
    roots, intermediates = _sm2_trust()
    now = datetime.now(UTC)
    verdict = validate_ofd(data, trust_roots_sm2=roots, intermediates=intermediates, now=now)
    assert verdict.indication is Indication.PASSED, verdict
    # The metadata is covered: a changed licence.json fails the seal.
    files = dict(read_ofd(data).files)
    files["Doc_0/Attachs/licence.json"] = files["Doc_0/Attachs/licence.json"].replace(
        b'"format": 1', b'"format": 1 ')
    edited = validate_ofd(write_ofd(files), trust_roots_sm2=roots, intermediates=intermediates,
                          now=now)
    assert edited.indication is Indication.FAILED
    # The page shows the seal once: the stamp, not also the drawn seal.
    page = files["Doc_0/Pages/Page_0/Content.xml"].decode()
    assert "电子证照专用章" not in page


def test_without_sm2_keys_the_ofd_is_unsealed_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ZZ_DATA_DIR", "ZZ_KEYS_DIR", "ZZ_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        KeyStore.from_settings(settings).initialise(IssuerIdentity.from_settings(settings),
                                                    sm2=False)
        out = tmp_path / "plain.ofd"
        code = main(["issue", str(permit_record(tmp_path, "95")), "--photo", str(PHOTO), "--out",
                     str(out), "--format", "ofd"])
        captured = capsys.readouterr()
    finally:
        get_settings.cache_clear()
    assert code == 0 and out.is_file()
    assert "unsealed" in captured.out
    assert "not sealed" in captured.err and "未加盖电子签章" in captured.err
    package = read_ofd(out.read_bytes())
    assert package.signatures_path(0) is None
    assert "电子证照专用章" in package.files["Doc_0/Pages/Page_0/Content.xml"].decode()


def test_pdf_is_still_the_default_and_writes_no_ofd(office: Path, capsys) -> None:
    out = office / "plain.pdf"
    code, result, _ = _issue(capsys, str(permit_record(office, "93")), "--photo", str(PHOTO),
                             "--out", str(out))
    assert code == 0 and "ofd_file" not in result
    assert out.is_file() and not (office / "plain.ofd").exists()


def test_an_unknown_format_is_a_usage_error(office: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["issue", str(permit_record(office, "94")), "--format", "docx"])
    assert exited.value.code == 2
