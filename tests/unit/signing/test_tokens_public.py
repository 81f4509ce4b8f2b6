"""The public surface of the token modules (and of ``signing.errors``, whose errors they raise)
is deliberate: lock each module's ``__all__``."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "signing.base45": {"BASE45_ALPHABET", "b45decode", "b45encode"},
    "signing.cose": {
        "ALG_ES256", "COSE_SIGN1_TAG", "CWT_TAG", "DerSigner", "HeaderLabel", "P256_ORDER",
        "SignatureCheck", "SignatureResult", "Sign1Message", "SigningKey", "TrustedKeys",
        "VerificationKey", "canonical_payload", "check_signature", "decode_cbor", "decode_sign1",
        "sign1", "verify_signature",
    },
    "signing.token_claims": {
        "LICENCE_CLAIM_KEY", "ClaimKey", "LicenceClaims", "LicenceField", "TokenClaims",
        "numeric_date",
    },
    "signing.tokens": {
        "MAX_TOKEN_CHARS", "TOKEN_MESSAGES", "TOKEN_PREFIX", "TokenCode", "TokenVerdict",
        "decode_token", "encode_token", "verify_token",
    },
    "signing.status_list": {
        "MIN_STATUS_LIST_BITS", "STATUS_LIST_CLAIM_KEY", "RevocationStatus", "StatusList",
        "StatusListField", "StatusListVerdict", "sign_status_list", "verify_status_list",
    },
    "signing.errors": {
        "KeysExistError", "KeysInvalidError", "KeysMissingError", "KeysPassphraseError",
        "OfdFormatError", "PdfSigningError", "SigningError", "TokenMalformedError",
        "TokenNonCanonicalError",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_curated_and_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name}"


def test_verdict_codes_are_stable() -> None:
    from signing.tokens import TokenCode

    assert {code.value for code in TokenCode} == {
        "token.valid", "token.malformed", "token.unsupported_algorithm", "token.unknown_kid",
        "token.bad_signature", "token.signer_not_valid", "token.expired", "token.not_yet_valid",
        "token.error", "token.non_canonical",
    }


def test_verdicts_are_frozen() -> None:
    import dataclasses

    from signing.status_list import StatusListVerdict
    from signing.tokens import TokenCode, TokenVerdict

    verdict = TokenVerdict(TokenCode.MALFORMED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.code = TokenCode.VALID  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        StatusListVerdict(TokenCode.MALFORMED).code = TokenCode.VALID  # type: ignore[misc]
