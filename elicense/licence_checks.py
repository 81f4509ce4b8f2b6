"""The licence-level checks that do not depend on the file a licence came in: the token check,
the agreement of ``licence.json`` with its token, revocation (the signed status list) and the
validity period, and the public facts and signing office a verdict shows.

:mod:`elicense.verify_ofd` uses them for OFD licences. They are the same logic as the private
helpers of :mod:`elicense.verify` (PDF and token), with the document named in the messages
(``PDF`` or ``OFD``); ``elicense.verify`` still has its own copies until it is switched over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elicense.errors import LicenceTemplateMissingError
from elicense.issue import CHINA
from elicense.model import HolderCodeType, mask_holder_code
from elicense.publish import TrustMaterial
from elicense.template import load_templates
from elicense.verdict import LicenceCheck, LicenceCheckId, LicenceCode, TokenSummary
from signing import (
    Indication,
    RevocationStatus,
    TokenClaims,
    TokenVerdict,
    verify_status_list,
)

__all__ = ["check", "consistency_check", "public_facts", "signed_by", "status_checks",
           "token_check", "token_summary"]

P, F, I = Indication.PASSED, Indication.FAILED, Indication.INDETERMINATE  # noqa: E741


def check(check_id: LicenceCheckId, outcome: Indication, code: str, en: str, zh: str
          ) -> LicenceCheck:
    return LicenceCheck(check_id, outcome, str(code), en, zh)


def token_check(verdict: TokenVerdict) -> LicenceCheck:
    if verdict.valid:
        return check(LicenceCheckId.TOKEN, P, verdict.code.value,
                     "token signed by a trusted issuer key", "令牌由受信任的签发密钥签名")
    code = verdict.code.value
    return check(LicenceCheckId.TOKEN, F, code, f"token not valid ({code}): {verdict.message_en}",
                 f"令牌无效（{code}）：{verdict.message_zh}")


def consistency_check(data: dict[str, Any], claims: TokenClaims | None, verdict: TokenVerdict,
                      *, document: str, signer_kid: bytes | None = None) -> LicenceCheck:
    """``licence.json`` (``data``) against the valid token's claims; ``signer_kid``, when the
    document's signature names one, must be the token's key id."""
    if claims is None:
        return check(LicenceCheckId.CONSISTENCY, I, LicenceCode.NOT_CHECKED,
                     "not compared: the token is not valid", "未比对：令牌无效")
    record = data.get("licence")
    record = record if isinstance(record, dict) else {}
    token = claims.licence
    try:
        code_type = HolderCodeType(str(record.get("holder_code_type")))
        masked = mask_holder_code(str(record.get("holder_code")), code_type)
    except ValueError:
        masked = None
    photo = data.get("photo_sha256")
    differences = [name for name, ok in (
        ("identifier", record.get("identifier") == token.identifier),
        ("holder", record.get("holder") == token.holder_name),
        ("holder_code", masked == token.holder_code),
        ("issuer", record.get("issuer") == token.issuer_name),
        ("issue_date", record.get("issue_date") == token.issued_on.isoformat()),
        ("valid_from", record.get("valid_from") == token.valid_from.isoformat()),
        ("valid_until", record.get("valid_until") == (
            token.valid_until.isoformat() if token.valid_until else None)),
        ("photo", photo == (token.photo_sha256.hex() if token.photo_sha256 else None)),
        ("signer", signer_kid is None or verdict.kid is None or verdict.kid == signer_kid),
    ) if not ok]
    if differences:
        listing = ", ".join(differences)
        return check(LicenceCheckId.CONSISTENCY, F, LicenceCode.INCONSISTENT,
                     f"the {document} and its token disagree on: {listing}",
                     f"{document} 与令牌不一致：{listing}")
    return check(LicenceCheckId.CONSISTENCY, P, LicenceCode.OK,
                 f"the {document} and its token agree", f"{document} 与令牌一致")


def status_checks(claims: TokenClaims | None, trust: TrustMaterial, now: datetime
                  ) -> list[LicenceCheck]:
    """Revocation (the trust material's signed status list) and the validity period."""
    if claims is None:
        return [check(LicenceCheckId.REVOCATION, I, LicenceCode.NOT_CHECKED,
                      "not checked: no valid token", "未检查：无有效令牌"),
                check(LicenceCheckId.VALIDITY_PERIOD, I, LicenceCode.NOT_CHECKED,
                      "not checked: no valid token", "未检查：无有效令牌")]
    return [_revocation(claims, trust, now), _period(claims, now)]


def _revocation(claims: TokenClaims, trust: TrustMaterial, now: datetime) -> LicenceCheck:
    index = claims.licence.status_index
    if trust.status_list is None or index is None:
        return check(LicenceCheckId.REVOCATION, I, LicenceCode.REVOCATION_UNKNOWN,
                     "revocation status unknown (no status list)", "吊销状态未知（无状态列表）")
    status = verify_status_list(trust.status_list, trust.trusted_keys, now).status(index)
    if status is RevocationStatus.REVOKED:
        return check(LicenceCheckId.REVOCATION, F, LicenceCode.REVOKED,
                     "the licence has been revoked", "该证照已被吊销/注销")
    if status is RevocationStatus.UNKNOWN:
        return check(LicenceCheckId.REVOCATION, I, LicenceCode.REVOCATION_UNKNOWN,
                     "revocation status unknown (status list invalid or out of date)",
                     "吊销状态未知（状态列表无效或已过期）")
    return check(LicenceCheckId.REVOCATION, P, LicenceCode.OK, "not revoked", "未被吊销")


def _period(claims: TokenClaims, now: datetime) -> LicenceCheck:
    today = now.astimezone(CHINA).date()
    licence = claims.licence
    if today < licence.valid_from:
        return check(LicenceCheckId.VALIDITY_PERIOD, F, LicenceCode.NOT_YET_VALID,
                     "the licence is not yet in force", "证照尚未生效")
    if licence.valid_until is not None and today > licence.valid_until:
        return check(LicenceCheckId.VALIDITY_PERIOD, F, LicenceCode.EXPIRED,
                     "the licence has expired", "证照已过有效期")
    return check(LicenceCheckId.VALIDITY_PERIOD, P, LicenceCode.OK,
                 "within its validity period", "在有效期内")


def public_facts(claims: TokenClaims | None, record: Any = None) -> dict[str, Any] | None:
    """The facts a verifier may see: the token's own (holder code already masked), with the
    licence name from the signed record or the type's template when the token has none."""
    if claims is None:
        return None
    facts = claims.licence.to_dict()
    if not facts.get("name"):
        name = record.get("name") if isinstance(record, dict) else None
        facts["name"] = name if isinstance(name, str) and name else _type_name(facts)
    return facts


def _type_name(facts: dict[str, Any]) -> str | None:
    type_code = facts.get("type_code")
    if not isinstance(type_code, str):
        return None
    try:
        return load_templates().get(type_code).name
    except LicenceTemplateMissingError:
        return None


def signed_by(claims: TokenClaims | None, trust: TrustMaterial) -> dict[str, str] | None:
    """The office whose key verified the token, as its trust list names it."""
    return None if claims is None or trust.issuer is None else trust.issuer.to_dict()


def token_summary(verdict: TokenVerdict) -> TokenSummary:
    return TokenSummary(code=verdict.code.value, kid=verdict.kid)
