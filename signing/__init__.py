"""Cryptography for e-licences: the issuing office's PKI and key store (root CA, issuing CA,
licence-signing and timestamp certificates, CRLs, key rotation), the signer interface (file keys
today, a PKCS#11 HSM later), the published trust list, the compact signed QR tokens (base45,
COSE_Sign1, CWT claims), the revocation status list, PAdES signing and validation of PDFs, and
the safe reading and deterministic writing of OFD packages (``signing.ofd_package``), and
GB/T 38540 electronic seals on them: seals and seal signatures (``signing.ses``), sealing
(``signing.ofd_seal``) and validation (``signing.ofd_validate``).

Imports only ``core``. ``elicense`` and ``api`` import it, only through the names below.
``import signing`` does not load pyHanko (half a second): the PAdES names are resolved on first
use (PEP 562 ``__getattr__``), ``FileSigner.pyhanko_signer`` and ``pyhanko_timestamper`` import
it when a PDF is actually signed. ``elicense`` reaches the lazy names as attributes at call time
(``signing.validate_pdf(...)``), so that importing it stays light too.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from signing.base45 import (
    BASE45_ALPHABET,
    b45decode,
    b45encode,
)
from signing.cose import (
    ALG_ES256,
    COSE_SIGN1_TAG,
    CWT_TAG,
    DerSigner,
    HeaderLabel,
    Sign1Message,
    SignatureCheck,
    SignatureResult,
    SigningKey,
    TrustedKeys,
    VerificationKey,
    check_signature,
    decode_cbor,
    decode_sign1,
    sign1,
    verify_signature,
)
from signing.errors import (
    KeysExistError,
    KeysInvalidError,
    KeysMissingError,
    KeysPassphraseError,
    OfdFormatError,
    PdfSigningError,
    SigningError,
    TokenMalformedError,
)
from signing.keystore import (
    InitResult,
    KeyStore,
    KeyStoreInfo,
)
from signing.keystore_crl import (
    CRL_PATH,
    DEFAULT_CRL_BASE_URL,
    crl_base_url_for,
    crl_file_name,
    crl_url,
)
from signing.keystore_sm2 import (
    SM2_CA_ROLES,
    Sm2Role,
    sm2_crl_file_name,
    sm2_crl_url,
)
from signing.ofd_package import (
    OFD_NAMESPACE,
    OfdLimits,
    OfdPackage,
    read_ofd,
    resolve_loc,
    write_ofd,
)
from signing.ofd_seal import (
    StampPlacement,
    seal_ofd,
)
from signing.ofd_validate import (
    OfdCheck,
    OfdCheckId,
    OfdSignatureResult,
    OfdSignatureVerdict,
    validate_ofd,
)
from signing.pades_verdict import (
    Indication,
    PadesLevel,
)
from signing.pdf_attachments import (
    read_pdf_attachments,
)
from signing.pki import (
    CertRole,
    IssuerIdentity,
)
from signing.ses import (
    Seal,
    SealPicture,
    SesSignature,
    SesVersion,
    make_seal,
    make_ses_signature,
    parse_seal,
    parse_ses_signature,
)
from signing.signer import (
    FileSigner,
    Signer,
    key_id,
    pyhanko_timestamper,
)
from signing.sm2 import (
    SM2_DEFAULT_ID,
    Sm2PrivateKey,
    Sm2PublicKey,
    der_to_raw,
    raw_to_der,
    sm2_sign,
    sm2_verify,
    sm3,
)
from signing.sm2_crl import (
    load_sm2_crl,
    make_sm2_crl,
    sm2_crl_facts,
    sm2_crl_issuer,
    sm2_crl_pem,
    verify_sm2_crl_signature,
)
from signing.sm2_x509 import (
    SM3_WITH_SM2_OID,
    build_sm2_certificate,
    load_sm2_certificate,
    sm2_certificate_pem,
    sm2_public_key_of,
    verify_sm2_cert_signature,
)
from signing.status_list import (
    MIN_STATUS_LIST_BITS,
    STATUS_LIST_CLAIM_KEY,
    RevocationStatus,
    StatusList,
    StatusListField,
    StatusListVerdict,
    sign_status_list,
    verify_status_list,
)
from signing.token_claims import (
    LICENCE_CLAIM_KEY,
    ClaimKey,
    LicenceClaims,
    LicenceField,
    TokenClaims,
    numeric_date,
)
from signing.tokens import (
    MAX_TOKEN_CHARS,
    TOKEN_PREFIX,
    TokenCode,
    TokenVerdict,
    decode_token,
    encode_token,
    verify_token,
)
from signing.trustlist import (
    IssuerInfo,
    TrustList,
    TrustListEntry,
    build_trust_list,
    decode_kid,
    encode_kid,
    parse_trust_list,
)

if TYPE_CHECKING:
    from signing.pades_sign import (
        PyHankoCapable,
        async_sign_pdf,
        sign_pdf,
    )
    from signing.pades_validate import (
        validate_pdf,
    )
    from signing.pdf_streams import (
        bounded_stream_data,
        open_untrusted_pdf,
    )

# Names whose modules import pyHanko: loaded on first access.
_LAZY: dict[str, str] = {
    "PyHankoCapable": "signing.pades_sign",
    "async_sign_pdf": "signing.pades_sign",
    "sign_pdf": "signing.pades_sign",
    "validate_pdf": "signing.pades_validate",
    "bounded_stream_data": "signing.pdf_streams",
    "open_untrusted_pdf": "signing.pdf_streams",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    # SM2/SM3 (the national profile: signing.sm2, sm2_x509, keystore_sm2)
    "SM2_DEFAULT_ID",
    "Sm2PrivateKey",
    "Sm2PublicKey",
    "der_to_raw",
    "raw_to_der",
    "sm2_sign",
    "sm2_verify",
    "sm3",
    "SM3_WITH_SM2_OID",
    "build_sm2_certificate",
    "load_sm2_certificate",
    "sm2_certificate_pem",
    "sm2_public_key_of",
    "verify_sm2_cert_signature",
    "Sm2Role",
    # SM2 CRLs (signing.sm2_crl)
    "load_sm2_crl",
    "make_sm2_crl",
    "sm2_crl_facts",
    "sm2_crl_issuer",
    "sm2_crl_pem",
    "sm2_crl_file_name",
    "sm2_crl_url",
    "verify_sm2_crl_signature",
    # the rest
    "ALG_ES256",
    "BASE45_ALPHABET",
    "COSE_SIGN1_TAG",
    "CWT_TAG",
    "CertRole",
    "ClaimKey",
    "CRL_PATH",
    "DEFAULT_CRL_BASE_URL",
    "SM2_CA_ROLES",
    "DerSigner",
    "FileSigner",
    "HeaderLabel",
    "Indication",
    "InitResult",
    "IssuerIdentity",
    "IssuerInfo",
    "KeyStore",
    "KeyStoreInfo",
    "KeysExistError",
    "KeysInvalidError",
    "KeysMissingError",
    "KeysPassphraseError",
    "LICENCE_CLAIM_KEY",
    "LicenceClaims",
    "LicenceField",
    "MAX_TOKEN_CHARS",
    "MIN_STATUS_LIST_BITS",
    "OFD_NAMESPACE",
    "OfdCheck",
    "OfdCheckId",
    "OfdFormatError",
    "OfdLimits",
    "OfdPackage",
    "OfdSignatureResult",
    "OfdSignatureVerdict",
    "PadesLevel",
    "PdfSigningError",
    "PyHankoCapable",
    "RevocationStatus",
    "STATUS_LIST_CLAIM_KEY",
    "Seal",
    "SealPicture",
    "SesSignature",
    "SesVersion",
    "Sign1Message",
    "SignatureCheck",
    "SignatureResult",
    "Signer",
    "SigningError",
    "SigningKey",
    "StampPlacement",
    "StatusList",
    "StatusListField",
    "StatusListVerdict",
    "TOKEN_PREFIX",
    "TokenClaims",
    "TokenCode",
    "TokenMalformedError",
    "TokenVerdict",
    "TrustList",
    "TrustListEntry",
    "TrustedKeys",
    "VerificationKey",
    "async_sign_pdf",
    "b45decode",
    "b45encode",
    "bounded_stream_data",
    "build_trust_list",
    "check_signature",
    "crl_base_url_for",
    "crl_file_name",
    "crl_url",
    "decode_cbor",
    "decode_kid",
    "decode_sign1",
    "decode_token",
    "encode_kid",
    "encode_token",
    "key_id",
    "make_seal",
    "make_ses_signature",
    "numeric_date",
    "open_untrusted_pdf",
    "parse_seal",
    "parse_ses_signature",
    "parse_trust_list",
    "pyhanko_timestamper",
    "read_ofd",
    "read_pdf_attachments",
    "resolve_loc",
    "seal_ofd",
    "sign1",
    "sign_pdf",
    "sign_status_list",
    "validate_ofd",
    "validate_pdf",
    "verify_signature",
    "verify_status_list",
    "verify_token",
    "write_ofd",
]
