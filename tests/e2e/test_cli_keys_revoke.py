"""``zhengzhao keys revoke`` end to end through the CLI entry point, in an office folder of its
own per test: the current licence-signing certificate is revoked only with ``--rotate`` (a new
one first), the published CRLs list it at once, a licence signed before a key compromise no
longer verifies (its key id leaves the trust list) while one signed before a revocation for
another reason still does (PAdES past-signature validation, see the comment), and a new one is
signed with the new, unrevoked certificate; a revoked SM2 seal signer fails the OFD it sealed
(REVOKED) while a new OFD passes; an unknown serial and a root are refused with their codes
and nothing changes; a second revocation of the same certificate changes nothing either."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from cli_office import PHOTO, permit_record  # a sibling module
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from api.cli import main
from api.db import AuditEntry, create_db
from core import get_settings
from elicense import load_trust
from signing import CertRole, KeyStore, Sm2Role, key_id

pytestmark = pytest.mark.e2e


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def issue(capsys: pytest.CaptureFixture[str], office: Path, serial: str,
          licence_format: str = "pdf") -> dict:
    code, out, err = run(capsys, "issue", str(permit_record(office, serial)), "--photo",
                         str(PHOTO), "--out", str(office / f"{serial}.{licence_format}"),
                         "--format", licence_format)
    assert code == 0, err
    return out


def store() -> KeyStore:
    return KeyStore.from_settings(get_settings())


def openssl_serial(pem: bytes, tmp: Path) -> str:
    """The serial as `openssl x509 -serial` prints it (an independent reading)."""
    path = tmp / "cert.pem"
    path.write_bytes(pem)
    line = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(path)],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert line.startswith("serial=")
    return line.removeprefix("serial=")


def crl_numbers(keys: KeyStore) -> list[int]:
    ecdsa = [crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
             for crl in keys.crls()]
    sm2 = [crl["tbs_cert_list"]["crl_extensions"][0]["extn_value"].native
           for crl in keys.sm2_crls()]
    return ecdsa + sm2


def audited() -> list[tuple[str, str]]:
    db = create_db(get_settings())
    try:
        with db.transaction(read_only=True) as session:
            return [(e.action, e.subject_id) for e in session.query(AuditEntry)
                    if e.action.startswith("keys.")]
    finally:
        db.dispose()


def sm2_revoked(crls) -> set[int]:
    return {int(entry["user_certificate"].native) for crl in crls
            for entry in crl["tbs_cert_list"]["revoked_certificates"]}


def test_revoking_the_current_signing_certificate(office: Path, capsys, tmp_path: Path) -> None:
    before = issue(capsys, office, "31")
    # CRL revocation dates are whole seconds (the command takes "now" without its fraction): a
    # revocation in the very second the licence was timestamped would count as before it.
    # Real revocations come later; so does this one.
    time.sleep(1.1)
    keys = store()
    old = keys.certificate(CertRole.LICENCE_SIGNING)
    numbers = crl_numbers(keys)

    # Without --rotate: refused, nothing changed (the office would sign with a revoked key).
    code, out, err = run(capsys, "keys", "revoke", "--current", "signing")
    assert code == 2 and out["error"]["code"] == "keys.in_use", err
    assert "--rotate" in err
    assert crl_numbers(keys) == numbers
    assert keys.certificate(CertRole.LICENCE_SIGNING) == old

    code, out, err = run(capsys, "keys", "revoke", "--current", "signing", "--rotate")
    assert code == 0, err
    assert out["certificate"]["serial"] == openssl_serial(
        old.public_bytes(serialization.Encoding.PEM), tmp_path)
    assert out["reason"] == "key_compromise"
    new = keys.certificate(CertRole.LICENCE_SIGNING)
    assert new != old
    assert int(out["rotated"]["licence-signing"]["serial"], 16) == new.serial_number
    assert "seal-signer" in out["rotated"]  # `keys rotate` renews both, and so does this
    # Published at once: the trust folder's issuing-CA CRL lists the old certificate with the
    # reason, and not the new one.
    published = load_trust(Path(out["published"]))
    entries = [crl.get_revoked_certificate_by_serial_number(old.serial_number)
               for crl in published.crls]
    entry = next(e for e in entries if e is not None)
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is (
        x509.ReasonFlags.key_compromise)
    assert all(crl.get_revoked_certificate_by_serial_number(new.serial_number) is None
               for crl in published.crls)
    assert crl_numbers(keys)[1] == numbers[1] + 1  # the issuing CA's CRL re-issued
    assert audited() == [("keys.rotated", key_id(new).hex()),
                         ("keys.rotated", out["rotated"]["seal-signer"]["serial"]),
                         ("keys.certificate_revoked", out["certificate"]["serial"])]

    # The licence signed before a key compromise: its PAdES signature is still valid (its
    # signature timestamp predates the revocation: ETSI EN 319 102-1 past-signature validation),
    # but its QR token has no timestamp and the compromised key's id has left the published
    # trust list (KeyStore.trust_list), so the licence no longer verifies: FAILED, unknown kid.
    code, verdict, _ = run(capsys, "verify", str(office / "31.pdf"))
    assert code != 0 and verdict["indication"] == "FAILED", verdict
    assert verdict["sub_indication"] == "token.unknown_kid"
    checks = {c["check"]: c for c in verdict["checks"]}
    assert checks["pdf_signature"]["outcome"] == "PASSED", checks["pdf_signature"]
    # A new licence is signed with the new, unrevoked certificate and passes.
    after = issue(capsys, office, "32")
    assert after["kid"] != before["kid"]
    code, verdict, _ = run(capsys, "verify", str(office / "32.pdf"))
    assert code == 0 and verdict["indication"] == "PASSED", verdict

    # Again, by the serial as openssl prints it with colons and in lower case: already revoked,
    # nothing changed (no new CRL, no rotation).
    numbers = crl_numbers(keys)
    serial = out["certificate"]["serial"]
    colons = ":".join(serial[i:i + 2] for i in range(0, len(serial), 2)).lower()
    code, again, err = run(capsys, "keys", "revoke", "--serial", colons, "--reason", "superseded")
    assert code == 0 and again["already_revoked"] is True, err
    assert crl_numbers(keys) == numbers
    assert keys.certificate(CertRole.LICENCE_SIGNING) == new
    assert len(audited()) == 3


def test_revoking_the_seal_signer_fails_its_ofd(office: Path, capsys) -> None:
    issue(capsys, office, "41", "ofd")
    keys = store()
    old = keys.sm2_certificate(Sm2Role.SEAL_SIGNER)
    signing = keys.certificate(CertRole.LICENCE_SIGNING)
    code, verdict, _ = run(capsys, "verify", str(office / "41.ofd"))
    assert code == 0 and verdict["indication"] == "PASSED", verdict

    code, out, err = run(capsys, "keys", "revoke", "--current", "seal-signer", "--rotate",
                         "--reason", "cessation_of_operation")
    assert code == 0, err
    assert out["certificate"]["pki"] == "sm2" and out["certificate"]["role"] == "seal-signer"
    assert set(out["rotated"]) == {"seal-signer"}  # the licence-signing key stays
    assert keys.certificate(CertRole.LICENCE_SIGNING) == signing
    new = keys.sm2_certificate(Sm2Role.SEAL_SIGNER)
    assert int(new.serial_number) != int(old.serial_number)
    assert int(old.serial_number) in sm2_revoked(load_trust(Path(out["published"])).sm2_crls)

    # An OFD seal carries no timestamp (no proof of existence before the revocation): FAILED.
    code, verdict, _ = run(capsys, "verify", str(office / "41.ofd"))
    assert code == 1 and verdict["indication"] == "FAILED", verdict
    seal = next(c for c in verdict["checks"] if c["check"] == "ofd_seal")
    assert seal["outcome"] == "FAILED" and "REVOKED" in seal["code"].upper(), seal
    issue(capsys, office, "42", "ofd")
    code, verdict, _ = run(capsys, "verify", str(office / "42.ofd"))
    assert code == 0 and verdict["indication"] == "PASSED", verdict


def test_an_earlier_signing_certificate_by_serial(office: Path, capsys, tmp_path: Path) -> None:
    issue(capsys, office, "51")
    keys = store()
    old = keys.certificate(CertRole.LICENCE_SIGNING)
    assert main(["keys", "rotate"]) == 0
    capsys.readouterr()
    serial = openssl_serial(old.public_bytes(serialization.Encoding.PEM), tmp_path)
    code, out, err = run(capsys, "keys", "revoke", "--serial", serial.lower(), "--reason",
                         "superseded")
    assert code == 0, err
    assert out["rotated"] is None and out["already_revoked"] is False
    published = load_trust(Path(out["published"]))
    assert any(crl.get_revoked_certificate_by_serial_number(old.serial_number) is not None
               for crl in published.crls)


def test_unknown_serial_and_roots_are_refused(office: Path, capsys, tmp_path: Path) -> None:
    issue(capsys, office, "61")
    keys = store()
    numbers = crl_numbers(keys)
    code, out, err = run(capsys, "keys", "revoke", "--serial", "DE:AD:BE:EF")
    assert code == 2 and out["error"]["code"] == "keys.certificate_not_found", err
    assert "DEADBEEF" in err and "密钥库" in err
    for root in (openssl_serial(keys.certificate(CertRole.ROOT).public_bytes(
            serialization.Encoding.PEM), tmp_path),
                 format(int(keys.sm2_certificate(Sm2Role.ROOT).serial_number), "X")):
        code, out, err = run(capsys, "keys", "revoke", "--serial", root)
        assert code == 2 and out["error"]["code"] == "keys.not_revocable", err
        assert "root" in err
    # The issuing CA is in use: only with --force.
    ca = format(keys.certificate(CertRole.ISSUING_CA).serial_number, "x")
    code, out, err = run(capsys, "keys", "revoke", "--serial", ca)
    assert code == 2 and out["error"]["code"] == "keys.in_use", err
    assert crl_numbers(keys) == numbers
    assert not sm2_revoked(keys.sm2_crls())
    assert all(len(crl) == 0 for crl in keys.crls())
    # A serial that is not hexadecimal: argparse's usage error.
    with pytest.raises(SystemExit) as stopped:
        main(["keys", "revoke", "--serial", "not-hex"])
    assert stopped.value.code == 2


def test_a_superseded_signing_certificate_keeps_what_it_signed(office: Path, capsys) -> None:
    issue(capsys, office, "41")
    time.sleep(1.1)  # CRL dates are whole seconds: revoke after the licence's timestamp second
    code, out, err = run(capsys, "keys", "revoke", "--current", "signing", "--rotate",
                         "--reason", "superseded")
    assert code == 0 and out["reason"] == "superseded", err
    # PAdES past-signature validation (ETSI EN 319 102-1 section 5.6.2.1): the signature
    # timestamp proves the signature older than the revocation, and the key was not compromised,
    # so its tokens stay trusted: PASSED.
    code, verdict, _ = run(capsys, "verify", str(office / "41.pdf"))
    assert code == 0 and verdict["indication"] == "PASSED", verdict
