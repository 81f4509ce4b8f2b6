"""The issuing office's PKI, built with pyca/cryptography: ECDSA P-256 keys, the root CA, the
issuing CA, licence-signing and timestamp-authority certificates, CRLs, and the encrypted PEM
files they are stored in (files 0600, directories 0700).

Owned by ``signing``; other packages reach it through ``signing.__all__`` (mostly
:class:`signing.KeyStore`). Imports only ``core``.
"""

from signing.pki.certificates import is_issued_by, issue_certificate, new_key
from signing.pki.crl import RevokedCertificate, make_crl
from signing.pki.pem import (
    DIR_MODE,
    FILE_MODE,
    certificate_pem,
    crl_pem,
    decrypt_private_key,
    encrypt_private_key,
    load_certificate,
    load_crl,
    make_private_dir,
    read_bytes,
    write_private_file,
)
from signing.pki.profiles import (
    CRL_LIFETIME,
    DEMO_ORGANISATION,
    VALIDITY,
    CertRole,
    IssuerIdentity,
    subject_for,
)

__all__ = [
    "CRL_LIFETIME",
    "DEMO_ORGANISATION",
    "DIR_MODE",
    "FILE_MODE",
    "VALIDITY",
    "CertRole",
    "IssuerIdentity",
    "RevokedCertificate",
    "certificate_pem",
    "crl_pem",
    "decrypt_private_key",
    "encrypt_private_key",
    "is_issued_by",
    "issue_certificate",
    "load_certificate",
    "load_crl",
    "make_crl",
    "make_private_dir",
    "new_key",
    "read_bytes",
    "subject_for",
    "write_private_file",
]
