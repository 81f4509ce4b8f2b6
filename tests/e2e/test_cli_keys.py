"""``zhengzhao keys`` end to end through ``api.cli.keys.run``: real key stores written and
re-read, exit codes, JSON shapes, and the published files checked by openssl."""

from __future__ import annotations

import argparse
import base64
import json
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pydantic import SecretStr

from api.cli import build_parser
from api.cli.keys import run as run_keys
from core import Settings
from signing import CertRole, KeyStore, key_id, parse_trust_list

pytestmark = pytest.mark.e2e

PASSPHRASE = "e2e passphrase for the keys command"


def parse(*argv: str) -> argparse.Namespace:
    return build_parser(["keys", *argv]).parse_args(["keys", *argv])


def run(capsys: pytest.CaptureFixture[str], *argv: str, passphrase: str = PASSPHRASE,
        settings: Settings | None = None) -> tuple[int, str, str]:
    settings = settings or Settings(_env_file=None, key_passphrase=SecretStr(passphrase))
    code = run_keys(parse(*argv), settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    code, out, err = run(capsys, "init", "--dir", str(keys), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"dir", "replaced", "root", "signing", "sm2_root"}
    assert payload["dir"] == str(keys) and payload["replaced"] is None
    store = KeyStore(keys, SecretStr(PASSPHRASE))
    root = store.certificate(CertRole.ROOT)
    assert payload["root"]["subject"] == root.subject.rfc4514_string()
    assert "O=zhengzhao demo" in payload["root"]["subject"]
    signing = store.certificate(CertRole.LICENCE_SIGNING)
    assert payload["signing"]["kid"] == (
        base64.urlsafe_b64encode(key_id(signing)).decode().rstrip("="))
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert "PRIVATE KEY" not in out + err


def test_init_twice_needs_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert run(capsys, "init", "--dir", str(keys))[0] == 0
    code, out, err = run(capsys, "init", "--dir", str(keys))
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and "[keys.exist]" in err
    code, out, err = run(capsys, "init", "--dir", str(keys), "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "keys.exist"
    code, out, _ = run(capsys, "init", "--dir", str(keys), "--force", "--json")
    assert code == 0
    replaced = Path(json.loads(out)["replaced"])
    assert replaced.parent == tmp_path and (replaced / "root-ca.pem").is_file()


def test_default_dir_comes_from_settings(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                        key_passphrase=SecretStr(PASSPHRASE))
    code, out, _ = run(capsys, "init", "--json", settings=settings)
    assert code == 0 and json.loads(out)["dir"] == str(tmp_path / "data" / "keys")
    assert (tmp_path / "data" / "keys" / "keystore.json").is_file()


def test_rotate_and_publish(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run(capsys, "init", "--dir", str(keys))
    first = KeyStore(keys, SecretStr(PASSPHRASE)).certificate(CertRole.LICENCE_SIGNING)
    code, out, err = run(capsys, "rotate", "--dir", str(keys), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert [p["sha256"] for p in payload["previous"]] == [
        first.fingerprint(hashes.SHA256()).hex()]
    code, out, _ = run(capsys, "rotate", "--dir", str(keys))
    assert code == 0 and "2 earlier one(s) kept" in out

    published = tmp_path / "public" / "trust-list.json"
    root_file = tmp_path / "public" / "root-ca.pem"
    code, out, err = run(capsys, "trust-list", "--dir", str(keys), "--out", str(published),
                         "--root", str(root_file))
    assert code == 0, err
    assert stat.S_IMODE(published.stat().st_mode) == 0o644
    root = x509.load_pem_x509_certificate(root_file.read_bytes())
    trust_list = parse_trust_list(published.read_text(), pinned_root=root)
    assert len(trust_list.keys) == 3
    assert key_id(first) in trust_list.trusted_keys()

    # The same list on stdout when --out is missing.
    code, out, _ = run(capsys, "trust-list", "--dir", str(keys))
    assert code == 0 and len(json.loads(out)["keys"]) == 3

    # A third party verifies each published signing certificate with openssl and the root.
    ca = tmp_path / "ca.pem"
    ca.write_text(trust_list.ca_certificates[0])
    for n, entry in enumerate(trust_list.keys):
        leaf = tmp_path / f"leaf{n}.pem"
        leaf.write_text(entry.certificate)
        proc = subprocess.run(["openssl", "verify", "-CAfile", str(root_file), "-untrusted",
                               str(ca), str(leaf)], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wrong_passphrase_and_missing_keys(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run(capsys, "init", "--dir", str(keys))
    code, out, err = run(capsys, "rotate", "--dir", str(keys), "--json", passphrase="wrong one")
    assert code == 2 and json.loads(out)["error"]["code"] == "keys.wrong_passphrase"
    assert "wrong one" not in out + err
    assert len(KeyStore(keys, SecretStr(PASSPHRASE)).signing_certificates()) == 1
    code, _, err = run(capsys, "trust-list", "--dir", str(tmp_path / "absent"))
    assert code == 2 and "[keys.missing]" in err


def test_unreadable_key_material_exits_1(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run(capsys, "init", "--dir", str(keys))
    (keys / "root-ca.pem").write_text("not a certificate")
    code, _, err = run(capsys, "trust-list", "--dir", str(keys))
    assert code == 1 and "[keys.invalid]" in err


def test_crl_refresh(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run(capsys, "init", "--dir", str(keys))
    code, out, err = run(capsys, "crl", "--dir", str(keys), "--json")
    assert code == 0, err
    crls = json.loads(out)["crls"]
    assert [c["revoked"] for c in crls] == [0, 0] and len(crls) == 2
    store = KeyStore(keys, SecretStr(PASSPHRASE))
    for crl in store.crls():
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2
    code, _, err = run(capsys, "crl", "--dir", str(keys), passphrase="wrong")
    assert code == 2 and "[keys.wrong_passphrase]" in err
