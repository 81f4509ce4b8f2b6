"""Key store, rotation and trust list together with the QR tokens: a token signed with the
store's current key verifies against the published (JSON, re-parsed, root-pinned) trust list,
also after the key was rotated; a list published before a rotation does not know the new key."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from signing import CertRole, KeyStore, parse_trust_list
from signing.token_claims import LicenceClaims, TokenClaims
from signing.tokens import TokenCode, encode_token, verify_token


def token_from(store: KeyStore, issued_at: datetime) -> str:
    licence = LicenceClaims(
        identifier="1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        holder_name="示例持证人", holder_code="9111****0001X", holder_code_type="001",
        issuer_name="示例市行政审批局（演示）", issued_on=issued_at.date(),
        valid_from=issued_at.date(), valid_until=date(2031, 2, 28))
    claims = TokenClaims(issuer="11110000000000019K", issued_at=issued_at, licence=licence,
                         expires=datetime(2031, 3, 1, tzinfo=issued_at.tzinfo))
    signer = store.signer()
    return encode_token(claims, signer.private_key, signer.kid)


def published_keys(store: KeyStore, now: datetime):  # noqa: ANN201
    text = store.trust_list(now=now).to_json()
    return parse_trust_list(text, pinned_root=store.certificate(CertRole.ROOT)).trusted_keys()


def test_tokens_survive_rotation_with_the_published_trust_list(fresh_store: KeyStore,
                                                                pki_now: datetime) -> None:
    old_cert = fresh_store.certificate(CertRole.LICENCE_SIGNING)
    old_token = token_from(fresh_store, pki_now + timedelta(hours=1))
    before_rotation = published_keys(fresh_store, pki_now + timedelta(hours=2))

    new_cert = fresh_store.rotate(now=pki_now + timedelta(days=100))
    new_token = token_from(fresh_store, pki_now + timedelta(days=101))
    after_rotation = published_keys(fresh_store, pki_now + timedelta(days=101))

    check_at = pki_now + timedelta(days=200)
    old = verify_token(old_token, after_rotation, check_at)
    new = verify_token(new_token, after_rotation, check_at)
    assert old.code is TokenCode.VALID and old.signer == old_cert
    assert new.code is TokenCode.VALID and new.signer == new_cert
    assert old.kid != new.kid
    assert verify_token(new_token, before_rotation, check_at).code is TokenCode.UNKNOWN_KID


def test_a_token_from_another_store_is_unknown(fresh_store: KeyStore, pki_store: KeyStore,
                                               pki_now: datetime) -> None:
    foreign = token_from(fresh_store, pki_now + timedelta(hours=1))
    verdict = verify_token(foreign, published_keys(pki_store, pki_now),
                           pki_now + timedelta(days=1))
    assert verdict.code is TokenCode.UNKNOWN_KID and not verdict.valid
