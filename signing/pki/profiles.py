"""Who the certificates name and how long they live: the issuer's identity, the four certificate
roles and their validity periods, and the distinguished names built from them.

A development PKI labels itself in every subject (``O=zhengzhao demo``) so that a certificate
made by ``zhengzhao keys init`` can never pass for a real government one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from cryptography.x509 import Name, NameAttribute
from cryptography.x509.oid import NameOID

from core import Environment, Settings

DEMO_ORGANISATION = "zhengzhao demo"
# ETSI EN 319 412-1 semantics identifier for a national trade register number: "NTR" + country
# + "-" + the number; the issuer's USCC (统一社会信用代码) is China's register number.
ORG_ID_PREFIX = "NTRCN-"
# New certificates start a little in the past so that a verifier whose clock lags ours by a few
# minutes does not see them as "not yet valid".
BACKDATE = timedelta(minutes=10)
CRL_LIFETIME = timedelta(days=30)


class CertRole(StrEnum):
    """The certificates of the issuing office's PKI."""

    ROOT = "root-ca"
    ISSUING_CA = "issuing-ca"
    LICENCE_SIGNING = "signing"
    TIMESTAMP = "timestamp"


VALIDITY: dict[CertRole, timedelta] = {
    CertRole.ROOT: timedelta(days=20 * 365),
    CertRole.ISSUING_CA: timedelta(days=10 * 365),
    # Short-lived and rotated: a licence outlives its signing certificate because the PAdES
    # B-LTA timestamps prove it was signed while the certificate was valid.
    CertRole.LICENCE_SIGNING: timedelta(days=2 * 365),
    CertRole.TIMESTAMP: timedelta(days=6 * 365),
}

_CN_SUFFIX: dict[CertRole, str] = {
    CertRole.ROOT: "Root CA",
    CertRole.ISSUING_CA: "Issuing CA",
    CertRole.LICENCE_SIGNING: "e-licence signing",
    CertRole.TIMESTAMP: "Timestamp Authority",
}


@dataclass(frozen=True)
class IssuerIdentity:
    """The issuing office named in the certificates and the trust list.

    ``demo`` is true for a development PKI; its subjects then say ``O=zhengzhao demo``.
    """

    name_zh: str
    name_en: str
    code: str
    jurisdiction_code: str
    demo: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> IssuerIdentity:
        return cls(
            name_zh=settings.issuer_name,
            name_en=settings.issuer_name_en,
            code=settings.issuer_code,
            jurisdiction_code=settings.jurisdiction_code,
            demo=settings.environment is Environment.DEV,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "code": self.code,
            "jurisdiction_code": self.jurisdiction_code,
            "demo": self.demo,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> IssuerIdentity:
        return cls(
            name_zh=str(data["name_zh"]),
            name_en=str(data["name_en"]),
            code=str(data["code"]),
            jurisdiction_code=str(data["jurisdiction_code"]),
            demo=bool(data["demo"]),
        )


def subject_for(role: CertRole, identity: IssuerIdentity) -> Name:
    """The distinguished name of a certificate of ``role``.

    Demo: ``C=CN, O=zhengzhao demo, OU=<issuer name>, organizationIdentifier=NTRCN-<USCC>,
    CN=zhengzhao demo <role>``. Otherwise the organisation is the issuer itself.
    """
    organisation = DEMO_ORGANISATION if identity.demo else identity.name_zh
    label = DEMO_ORGANISATION if identity.demo else identity.name_en
    attributes = [
        NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if identity.demo:
        attributes.append(NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.name_zh))
    attributes += [
        NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, ORG_ID_PREFIX + identity.code),
        NameAttribute(NameOID.COMMON_NAME, f"{label} {_CN_SUFFIX[role]}"),
    ]
    return Name(attributes)
