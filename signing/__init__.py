"""Cryptography for e-licences: the issuing office's PKI and key store (root CA, issuing CA,
licence-signing and timestamp certificates, CRLs, key rotation), the signer interface (file keys
today, a PKCS#11 HSM later), the published trust list, and the compact signed QR tokens and
revocation status list.

Imports only ``core``. ``elicense`` and ``api`` import it, only through the names below.
"""

from signing.errors import (
    KeysExistError,
    KeysInvalidError,
    KeysMissingError,
    KeysPassphraseError,
    SigningError,
)
from signing.keystore import InitResult, KeyStore, KeyStoreInfo
from signing.keystore_crl import DEFAULT_CRL_BASE_URL, crl_url
from signing.pki import CertRole, IssuerIdentity
from signing.signer import FileSigner, Signer, key_id, pyhanko_timestamper
from signing.trustlist import (
    IssuerInfo,
    TrustList,
    TrustListEntry,
    build_trust_list,
    decode_kid,
    encode_kid,
    parse_trust_list,
)

__all__ = [
    "DEFAULT_CRL_BASE_URL",
    "CertRole",
    "FileSigner",
    "InitResult",
    "IssuerIdentity",
    "IssuerInfo",
    "KeyStore",
    "KeyStoreInfo",
    "KeysExistError",
    "KeysInvalidError",
    "KeysMissingError",
    "KeysPassphraseError",
    "Signer",
    "SigningError",
    "TrustList",
    "TrustListEntry",
    "build_trust_list",
    "crl_url",
    "decode_kid",
    "encode_kid",
    "key_id",
    "parse_trust_list",
    "pyhanko_timestamper",
]
