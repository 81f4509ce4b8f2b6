"""The ``signing`` package surface: every exported name resolves, ``import signing`` stays light
(no pyHanko until a PDF is signed), unknown names still raise ``AttributeError``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import signing


def test_every_exported_name_resolves() -> None:
    missing = [name for name in signing.__all__ if not hasattr(signing, name)]
    assert missing == []
    assert len(set(signing.__all__)) == len(signing.__all__)


def test_importing_signing_does_not_load_pyhanko() -> None:
    code = "import sys, signing; print('pyhanko' in sys.modules)"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "False"


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        signing.no_such_name  # noqa: B018
    assert not hasattr(signing, "no_such_name")


def test_key_store_names_are_exported() -> None:
    assert {"KeyStore", "FileSigner", "Signer", "TrustList", "parse_trust_list", "key_id",
            "pyhanko_timestamper", "KeysPassphraseError", "CertRole"} <= set(signing.__all__)
