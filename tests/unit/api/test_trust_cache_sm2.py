"""The dev service's demo PKI and the SM2 seal keys (issue 15, item 6): a store made before
them (``sm2=False``, as every store was before the SM2 PKI) gets them when the trust cache
refreshes in dev, so a service issuing sealed OFDs works on an old data dir, and the published
trust folder then carries the SM2 root; a second refresh changes none of them."""

from __future__ import annotations

from pathlib import Path

from api.deps import TrustCache
from core import Settings, key_passphrase_of
from signing import IssuerIdentity, KeyStore, Sm2Role


def test_a_dev_demo_pki_without_sm2_keys_gets_them(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    store = KeyStore(settings.resolved_keys_dir, key_passphrase_of(settings))
    store.initialise(IssuerIdentity.from_settings(settings), sm2=False)
    assert not store.has_sm2()
    published = TrustCache(settings).refresh()
    again = KeyStore(settings.resolved_keys_dir, key_passphrase_of(settings))
    assert again.has_sm2()
    root = again.sm2_certificate(Sm2Role.ROOT).dump()
    assert (published / "sm2-root.pem").is_file()
    TrustCache(settings).refresh()
    assert KeyStore(settings.resolved_keys_dir,
                    key_passphrase_of(settings)).sm2_certificate(Sm2Role.ROOT).dump() == root
