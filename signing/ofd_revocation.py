"""The revocation check of an OFD seal validation (``signing.ofd_validate``, check
``revocation``): each certificate of the signer's and the seal maker's chains below the trust
anchor against its issuer's SM2 CRLs (``signing.sm2_crl.sm2_revocation``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import x509

from signing.ofd_verdict import OfdCheck, OfdCheckId, failed, ok, unsure
from signing.pades_verdict import CheckOutcome, SubIndication
from signing.sm2_crl import Sm2CrlStatus, sm2_revocation

__all__ = ["check_revocation"]


_ROLES = (("the seal signer's", "签章人"), ("the seal maker's", "制章人"))
_UNKNOWN = {
    Sm2CrlStatus.NO_CRL: ("there is no CRL of its issuer", "缺少其签发者的证书撤销列表"),
    Sm2CrlStatus.STALE: ("its issuer's CRL is not current",
                         "其签发者的证书撤销列表已过期或尚未生效"),
    Sm2CrlStatus.UNVERIFIED: ("no CRL of its issuer verifies under the issuer's key",
                              "其签发者的证书撤销列表签名验证失败"),
}


def check_revocation(paths: Sequence[Sequence[x509.Certificate]],
                     crls: Sequence[asn1_crl.CertificateList], now: datetime) -> OfdCheck:
    """``paths`` are the chains the chain check built, the signer's then the seal maker's, each
    from the certificate up to its trust anchor. Every certificate below the anchor is checked
    against its issuer's CRLs: one listed is FAILED (``REVOKED``); one without a current CRL
    that verifies is INDETERMINATE (``TRY_LATER``). NOT_RUN when a chain is missing (the chain
    check already says why)."""
    if len(paths) < len(_ROLES):
        return OfdCheck(OfdCheckId.REVOCATION, CheckOutcome.NOT_RUN, None,
                        "not checked: no certificate chain", "未检查：没有证书链")
    seen: set[bytes] = set()
    unknown: OfdCheck | None = None
    for (role_en, role_zh), path in zip(_ROLES, paths, strict=True):
        for depth, (cert, issuer) in enumerate(zip(path, path[1:], strict=False)):
            der = cert.dump()
            if der in seen:
                continue  # the issuing CA, on both chains
            seen.add(der)
            who_en, who_zh = ((f"{role_en} certificate", f"{role_zh}证书") if depth == 0
                              else ("the issuing CA's certificate", "签发 CA 证书"))
            found = sm2_revocation(cert, issuer, crls, now)
            if found.status is Sm2CrlStatus.REVOKED:
                when = found.revoked_at.isoformat() if found.revoked_at else "?"
                return failed(OfdCheckId.REVOCATION, SubIndication.REVOKED,
                              f"{who_en} was revoked ({found.reason}, {when})",
                              f"{who_zh}已被撤销（{found.reason}，{when}）")
            if found.status is not Sm2CrlStatus.GOOD and unknown is None:
                en, zh = _UNKNOWN[found.status]
                unknown = unsure(OfdCheckId.REVOCATION, SubIndication.TRY_LATER,
                                 f"{who_en} revocation status is unknown: {en}",
                                 f"{who_zh}撤销状态未知：{zh}")
    return unknown or ok(OfdCheckId.REVOCATION)
