"""Third parties agree: the independent ``cwt`` package reads our tokens and we read its tokens
when they are in our layout (kid protected, nothing unprotected, low-S); its default layout (kid
unprotected) is refused as non-canonical. A realistic licence token fits a version-13 QR code at
error level M."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import cbor2
import cwt
import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from tokens_support import KID, claims, licence, new_key, wrap

from signing.base45 import b45decode
from signing.cose import P256_ORDER
from signing.token_claims import LICENCE_CLAIM_KEY, TokenClaims
from signing.tokens import TokenCode, encode_token, verify_token

KEY = new_key()
# cwt checks exp and nbf against the real clock, so these tokens are valid around today.
TODAY = datetime.now(UTC).replace(microsecond=0)


def cwt_public_key(key=KEY, kid: bytes = KID) -> cwt.COSEKey:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return cwt.COSEKey.from_pem(pem, kid=kid, alg="ES256")


def cwt_private_key(key, kid: bytes, alg: str = "ES256") -> cwt.COSEKey:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cwt.COSEKey.from_pem(pem, kid=kid, alg=alg)


def current_claims() -> TokenClaims:
    return claims(
        issued_at=TODAY - timedelta(days=1),
        not_before=TODAY - timedelta(days=1),
        expires=TODAY + timedelta(days=365),
    )


def test_cwt_verifies_our_token() -> None:
    token = encode_token(current_claims(), KEY, KID)
    assert token.startswith("ZZ1:")
    cose = zlib.decompress(b45decode(token[4:]))
    decoded = cwt.decode(cose, cwt_public_key())
    assert decoded == current_claims().to_cwt()
    assert decoded[LICENCE_CLAIM_KEY][2] == "欧阳晓明"  # LicenceField.HOLDER_NAME


def test_cwt_rejects_our_token_under_another_key() -> None:
    cose = zlib.decompress(b45decode(encode_token(current_claims(), KEY, KID)[4:]))
    try:
        cwt.decode(cose, cwt_public_key(new_key()))
    except cwt.VerifyError:
        return
    raise AssertionError("cwt accepted a signature from another key")


def cwt_in_our_layout(claims: TokenClaims, key, kid: bytes = KID, alg: str = "ES256") -> bytes:
    """A COSE_Sign1 made by cwt with our header layout. cwt signs with a random nonce and does
    not normalise s, so for ES256 it signs again until s is low (each try: one chance in two)."""
    cose = cwt.COSE.new(alg_auto_inclusion=True, deterministic_header=True)
    payload = cbor2.dumps(claims.to_cwt(), canonical=True)
    for _ in range(64):
        message = cose.encode_and_sign(payload, cwt_private_key(key, kid, alg), protected={4: kid})
        if alg != "ES256" or int.from_bytes(cbor2.loads(message).value[3][32:], "big") <= (
                P256_ORDER // 2):
            return message
    raise AssertionError("64 high-S signatures in a row")


def test_we_verify_a_token_made_by_cwt_in_our_layout() -> None:
    cose = cwt_in_our_layout(current_claims(), KEY)
    assert cbor2.loads(cose).value[1] == {}
    verdict = verify_token(wrap(cose), {KID: [KEY.public_key()]}, TODAY)
    assert verdict.code is TokenCode.VALID
    assert verdict.claims == current_claims()


def test_cwts_default_layout_is_not_canonical() -> None:
    # cwt puts the kid in the unprotected header, as many EU DCC issuers do: outside the
    # signature, where anyone could change or add it. We never write that, so we refuse it.
    cose = cwt.encode(current_claims().to_cwt(), cwt_private_key(KEY, KID))
    assert cbor2.loads(cose).value[1] == {4: KID}
    verdict = verify_token(wrap(cose), {KID: [KEY.public_key()]}, TODAY)
    assert verdict.code is TokenCode.NON_CANONICAL


def test_a_cwt_es384_token_is_refused_by_the_allow_list() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    cose = cwt_in_our_layout(current_claims(), p384, alg="ES384")
    verdict = verify_token(wrap(cose), {KID: [p384.public_key()]}, TODAY)
    assert verdict.code is TokenCode.UNSUPPORTED_ALGORITHM


def test_a_cwt_token_signed_by_an_untrusted_key() -> None:
    cose = cwt_in_our_layout(current_claims(), new_key())
    verdict = verify_token(wrap(cose), {KID: [KEY.public_key()]}, TODAY)
    assert verdict.code is TokenCode.BAD_SIGNATURE


def test_realistic_tokens_fit_qr_version_13_at_level_m(capsys) -> None:
    # A fixed key makes the (deterministic) signature, and so the compressed size, repeatable.
    key = ec.derive_private_key(0x5A5A_1234_5678_9ABC_DEF0, ec.SECP256R1())
    person = encode_token(claims(), key, KID)
    company = encode_token(
        claims(
            licence=licence(
                holder_name="长春市朝阳区示例餐饮服务有限公司",
                holder_code="91220104MA0Y123456",
                holder_code_type="001",
                photo_sha256=None,
            )
        ),
        key,
        KID,
    )
    sizes = {}
    for label, token in (("person with photo", person), ("company", company)):
        qr = segno.make(token, error="m", micro=False, boost_error=False)
        assert qr.mode == "alphanumeric" and qr.error == "M"
        assert qr.version <= 13, (label, len(token), qr.version)
        sizes[label] = f"{len(token)} chars, QR v{qr.version}-M"
    with capsys.disabled():
        print(f"\n[token sizes] {sizes}")
