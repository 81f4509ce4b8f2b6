"""``zhengzhao issue | verify | revoke | publish`` end to end, and third parties agreeing with
what they produce: the QR on the rendered page (pdftoppm + zbarimg, Debian) holds the token, the
independent ``cwt`` package verifies that token with the key from the published trust list, and
poppler's ``pdfsig`` accepts the PDF signature against the published root."""

from __future__ import annotations

import json
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import cwt
import pytest
from cryptography.hazmat.primitives import serialization

from api.cli import main
from api.db import AuditEntry, SqlLicenceRegistry, create_db
from core import get_settings
from elicense import load_trust, verify_licence_pdf

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("office")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


@pytest.fixture()
def issued(office: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    pdf = office / "permit.pdf"
    if not pdf.exists():
        code, out = run(capsys, "issue", str(RECORDS / "residence_permit.json"), "--photo",
                        str(RECORDS / "holder_photo.jpg"), "--out", str(pdf))
        assert code == 0, out
        (office / "issued.json").write_text(json.dumps(out), "utf-8")
    return {**json.loads((office / "issued.json").read_text("utf-8")), "pdf": pdf}


def test_issue_then_verify_the_pdf_and_the_token(issued: dict, capsys) -> None:
    code, verdict = run(capsys, "verify", str(issued["pdf"]))
    assert code == 0 and verdict["indication"] == "PASSED", verdict
    code, verdict = run(capsys, "verify", "--token", issued["token"])
    assert code == 0 and verdict["indication"] == "PASSED", verdict


def test_a_tampered_pdf_exits_1(issued: dict, office: Path, capsys) -> None:
    data = bytearray(issued["pdf"].read_bytes())
    data[len(data) // 3] ^= 0x20
    forged = office / "forged.pdf"
    forged.write_bytes(bytes(data))
    code, verdict = run(capsys, "verify", str(forged))
    assert code == 1 and verdict["indication"] != "PASSED"


def test_verify_needs_exactly_one_input(office: Path, capsys) -> None:
    assert main(["verify"]) == 2
    assert main(["verify", "x.pdf", "--token", "ZZ1:AB"]) == 2


def test_the_qr_on_the_page_verifies_with_an_independent_cose_library(
    issued: dict, office: Path, capsys, tmp_path: Path
) -> None:
    from signing import b45decode

    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(issued["pdf"]),
                    str(tmp_path / "page")], check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                              str(tmp_path / "page.png")], check=True, capture_output=True,
                             text=True).stdout.strip()
    assert scanned == issued["token"]

    code, _ = run(capsys, "publish", str(tmp_path / "published"))
    assert code == 0
    trust_list = json.loads((tmp_path / "published" / "trust-list.json").read_text("utf-8"))
    cose = zlib.decompress(b45decode(scanned.removeprefix("ZZ1:")))
    keys = []
    for entry in trust_list["keys"]:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
        pem = cert.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        kid = __import__("base64").urlsafe_b64decode(entry["kid"] + "==")
        keys.append(cwt.COSEKey.from_pem(pem, kid=kid, alg="ES256"))
    claims = cwt.decode(cose, keys, no_verify=False)
    licence = claims[-65537]
    assert issued["identifier"] in licence.values()


def test_pdfsig_accepts_the_issued_licence(issued: dict, office: Path, tmp_path: Path,
                                           capsys) -> None:
    run(capsys, "publish", str(tmp_path / "published"))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{nss}"], check=True)
    subprocess.run(["certutil", "-A", "-n", "root", "-t", "CT,C,C", "-i",
                    str(tmp_path / "published" / "root.pem"), "-d", f"sql:{nss}"], check=True)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(issued["pdf"])],
                            capture_output=True, text=True).stdout
    first = report.split("Signature #2")[0]
    assert "Signature Validation: Signature is Valid." in first, report
    assert "Certificate Validation: Certificate is Trusted." in first, report


def test_revoke_then_verify_fails(issued: dict, capsys) -> None:
    code, _ = run(capsys, "issue", str(RECORDS / "food_business_licence.json"), "--out",
                  "food.pdf")
    assert code == 0
    identifier = json.loads((RECORDS / "food_business_licence.json").read_text("utf-8"))[
        "identifier"]
    code, out = run(capsys, "revoke", identifier, "--reason", "测试吊销")
    assert code == 0 and out["status"] == "revoked"
    code, verdict = run(capsys, "verify", "food.pdf")
    assert code == 1 and verdict["sub_indication"] == "licence.revoked"
    code, out = run(capsys, "revoke", "1.2.156.3005.2.nope", "--reason", "x")
    assert code == 2 and out["error"]["code"] == "licence.not_found"


def test_a_verifier_without_keys_needs_a_trust_folder(issued: dict, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys) -> None:
    """A bank's machine has no keys: verify must not invent a PKI, it asks for --trust."""
    run(capsys, "publish", str(tmp_path / "published"))
    bank = tmp_path / "bank"
    bank.mkdir()
    monkeypatch.chdir(bank)
    get_settings.cache_clear()
    assert main(["verify", str(issued["pdf"])]) == 2
    assert not (bank / "var").exists()
    code, verdict = run(capsys, "verify", str(issued["pdf"]), "--trust",
                        str(tmp_path / "published"))
    assert code == 0 and verdict["indication"] == "PASSED"
    assert not (bank / "var").exists()


def test_cli_and_service_share_one_register(issued: dict, office: Path, capsys) -> None:
    """The CLI issues into the service's database (audited there), and a revocation made
    through the service's SQL register is in the status list `zhengzhao publish` writes."""
    settings = get_settings()
    db = create_db(settings)
    try:
        with db.transaction(read_only=True) as session:
            actions = {(e.action, e.subject_id) for e in session.query(AuditEntry)}
        assert ("licence.issued", issued["identifier"]) in actions
        SqlLicenceRegistry(db).revoke(issued["identifier"], "由服务吊销", datetime.now(UTC))
    finally:
        db.dispose()
    code, _ = run(capsys, "publish", str(office / "out"))
    assert code == 0
    verdict = verify_licence_pdf(issued["pdf"].read_bytes(), load_trust(office / "out"))
    assert verdict.sub_indication == "licence.revoked"


def test_a_published_zip_is_what_another_office_imports(issued: dict, office: Path,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys) -> None:
    code, out = run(capsys, "publish", str(tmp_path / "office-a"), "--zip")
    assert code == 0 and Path(out["zip"]).is_file()
    own_code = get_settings().issuer_code
    # The same office may not import itself.
    code, out_self = run(capsys, "trust", "import", out["zip"])
    assert code != 0 and out_self["error"]["code"] == "trust.own_issuer"
    other = tmp_path / "office-b"
    other.mkdir()
    monkeypatch.chdir(other)
    monkeypatch.setenv("ZZ_ISSUER_CODE", "91340100MA2N0X0X4K")
    # Another office has a name of its own: one that carries ours may not import us.
    monkeypatch.setenv("ZZ_ISSUER_NAME", "另一市行政审批局（演示）")
    monkeypatch.setenv("ZZ_ISSUER_NAME_EN", "Another City Approval Bureau (demo)")
    get_settings.cache_clear()
    code, imported = run(capsys, "trust", "import", out["zip"])
    assert code == 0, imported
    code, listing = run(capsys, "trust", "list")
    assert code == 0 and own_code in json.dumps(listing)
