"""``zhengzhao keys init`` and the SM2 PKI end to end through ``api.cli.keys.run``: a new store
gets both PKIs, ``init --sm2`` adds SM2 keys to a store made without them (and refuses a second
time), and the reported SM2 root is the one in the store."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.cli import build_parser
from api.cli.keys import run as run_keys
from core import Settings
from signing import IssuerIdentity, KeyStore
from signing.keystore_sm2 import Sm2Role

pytestmark = pytest.mark.e2e

PASSPHRASE = "e2e passphrase for the keys command"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    settings = Settings(_env_file=None, key_passphrase=SecretStr(PASSPHRASE))
    args: argparse.Namespace = build_parser(["keys", *argv]).parse_args(["keys", *argv])
    code = run_keys(args, settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_makes_both(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    code, out, err = run(capsys, "init", "--dir", str(keys), "--json")
    assert code == 0, err
    payload = json.loads(out)
    store = KeyStore(keys, SecretStr(PASSPHRASE))
    assert store.has_sm2()
    assert payload["sm2_root"]["sha256"] == hashlib.sha256(
        store.sm2_certificate(Sm2Role.ROOT).dump()).hexdigest()
    assert "SM2 Root CA" in payload["sm2_root"]["subject"]
    code, out, err = run(capsys, "init", "--dir", str(tmp_path / "other"))
    assert code == 0, err
    assert "SM2 root CA" in out


def test_init_sm2_adds_to_an_old_store(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    store = KeyStore(keys, SecretStr(PASSPHRASE))
    identity = IssuerIdentity.from_settings(Settings(_env_file=None))
    store.initialise(identity, sm2=False)
    before = sorted(p.name for p in keys.iterdir())
    code, out, err = run(capsys, "init", "--dir", str(keys), "--sm2", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert store.has_sm2()
    assert payload["sm2_root"]["sha256"] == hashlib.sha256(
        store.sm2_certificate(Sm2Role.ROOT).dump()).hexdigest()
    assert sorted(p.name for p in keys.iterdir()) == sorted([*before, "sm2"])
    # a second time: the SM2 keys exist, a usage error, nothing replaced
    code, out, err = run(capsys, "init", "--dir", str(keys), "--sm2")
    assert code == 2
    assert "already exist" in err
    assert hashlib.sha256(store.sm2_certificate(Sm2Role.ROOT).dump()).hexdigest() == (
        payload["sm2_root"]["sha256"])


def test_crl_refreshes_the_sm2_crls_too(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run(capsys, "init", "--dir", str(keys))
    store = KeyStore(keys, SecretStr(PASSPHRASE))
    before = [crl.dump() for crl in store.sm2_crls()]
    code, out, err = run(capsys, "crl", "--dir", str(keys), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert len(payload["crls"]) == 2  # the ECDSA ones, as before
    sm2 = payload["sm2_crls"]
    assert [c["revoked"] for c in sm2] == [0, 0]
    assert "SM2 Root CA" in sm2[0]["issuer"] and "SM2 Issuing CA" in sm2[1]["issuer"]
    after = store.sm2_crls()
    assert [crl.dump() for crl in after] != before
    assert [crl["tbs_cert_list"]["crl_extensions"][0]["extn_value"].native
            for crl in after] == [2, 2]
    code, out, err = run(capsys, "crl", "--dir", str(keys))
    assert code == 0 and out.count("SM2") == 2
