"""Issuer binding: a licence verified with one issuer's keys must name that issuer.

A key in a trust list proves only that the office which published the list signed the licence;
the office the licence *names* — the token's ``iss`` claim, the issuer segment of its GB/T 36904
identifier, its issuer name, and the same three facts in the PDF's ``licence.json`` — could be any
office, ours included. :func:`check_issuer_binding` compares them with the issuer whose keys
verified the token (:class:`IssuerNames`, read from that issuer's trust list by
:func:`elicense.load_trust`, so the name a verifier is shown comes from the trust list and never
from the token or the PDF alone). A disagreement FAILS with ``licence.issuer_mismatch``.

:func:`elicense.verify_licence_token` and :func:`elicense.verify_licence_pdf` run it on every
verdict, so every path (public API, ``/v/``, ``/verify``, materials, the CLI) checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elicense.identifier import parse_identifier
from elicense.verdict import LicenceCheck, LicenceCheckId, LicenceCode
from signing import Indication, IssuerInfo, TokenClaims


@dataclass(frozen=True)
class IssuerNames:
    """An issuing office as its trust list names it: credit code and Chinese and English
    names. What a verifier is shown as the office that signed a licence."""

    code: str
    name_zh: str
    name_en: str

    @classmethod
    def from_trust_list(cls, info: IssuerInfo) -> IssuerNames:
        return cls(code=info.code, name_zh=info.name_zh, name_en=info.name_en)

    @property
    def names(self) -> tuple[str, str]:
        return self.name_zh, self.name_en

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en}


def _identifier_issuer(identifier: Any) -> str | None:
    check = parse_identifier(identifier) if isinstance(identifier, str) else None
    if check is None or not check.ok or check.identifier is None:
        return None
    return check.identifier.issuer_code


def issuer_differences(issuer: IssuerNames, claims: TokenClaims,
                       record: Mapping[str, Any] | None = None) -> list[str]:
    """The facts of the token (and of the PDF's record, when given) that do not name
    ``issuer``: empty when the licence names the issuer whose keys verified it."""
    licence = claims.licence
    checks = [
        ("token.iss", claims.issuer == issuer.code),
        ("token.identifier", _identifier_issuer(licence.identifier) == issuer.code),
        ("token.issuer_name", licence.issuer_name in issuer.names),
    ]
    if record is not None:
        checks += [
            ("record.issuer_code", record.get("issuer_code") == issuer.code),
            ("record.identifier", _identifier_issuer(record.get("identifier")) == issuer.code),
            ("record.issuer", record.get("issuer") in issuer.names),
        ]
    return [name for name, ok in checks if not ok]


def check_issuer_binding(issuer: IssuerNames | None, claims: TokenClaims | None,
                         record: Mapping[str, Any] | None = None) -> LicenceCheck:
    """The issuer check of a verdict: PASSED when the token (and ``record``, the PDF's
    ``licence.json`` licence, when there is one) names ``issuer``, the office whose trust list
    holds the key that verified the token; FAILED (``licence.issuer_mismatch``) when it names
    another; not checked without a valid token; INDETERMINATE (``licence.issuer_unknown``)
    when the trust material does not say whose it is. Never raises."""
    if claims is None:
        return LicenceCheck(LicenceCheckId.ISSUER, Indication.INDETERMINATE,
                            LicenceCode.NOT_CHECKED, "not compared: the token is not valid",
                            "未比对：令牌无效")
    if issuer is None:
        return LicenceCheck(LicenceCheckId.ISSUER, Indication.INDETERMINATE,
                            LicenceCode.ISSUER_UNKNOWN,
                            "the trust material does not name its issuer",
                            "信任材料未载明签发机构")
    differences = issuer_differences(issuer, claims, record)
    if differences:
        listing = ", ".join(differences)
        return LicenceCheck(
            LicenceCheckId.ISSUER, Indication.FAILED, LicenceCode.ISSUER_MISMATCH,
            f"signed by {issuer.name_en} ({issuer.code}), but the licence names another issuer"
            f" in: {listing}",
            f"由{issuer.name_zh}（{issuer.code}）签名，但证照所载颁发机构与之不符：{listing}")
    return LicenceCheck(LicenceCheckId.ISSUER, Indication.PASSED, LicenceCode.OK,
                        f"issued and signed by {issuer.name_en} ({issuer.code})",
                        f"由{issuer.name_zh}（{issuer.code}）颁发并签名")
