"""What the pages call things, in Chinese and English: field keys, rule ids, material slots,
review decisions, licence statuses and application states. Every label a page shows comes from
these tables (issue 13, item 5: no ``birth_date``, ``form_name_matches_card`` or
``return_for_correction`` on a page); codes are for staff and are shown small.

Templates reach it as the global ``labels`` (:func:`register`): ``labels.field("birth_date")``
gives ``("出生日期", "Date of birth")``; the macro ``bi`` in ``_macros.html`` prints such a pair
as the page's two language spans. An unknown key gets a readable fallback (the key with
underscores as spaces), never an error."""

from __future__ import annotations

from typing import Any

__all__ = ["Labels", "LABELS", "register"]

Pair = tuple[str, str]

# Fields read from documents and forms, by key (ocr.documents and the service definitions).
FIELDS: dict[str, Pair] = {
    "name": ("姓名", "Name"),
    "sex": ("性别", "Sex"),
    "ethnicity": ("民族", "Ethnicity"),
    "birth_date": ("出生日期", "Date of birth"),
    "address": ("住址", "Address"),
    "id_number": ("公民身份号码", "ID number"),
    "issuing_authority": ("签发机关", "Issuing authority"),
    "valid_from": ("有效期起", "Valid from"),
    "valid_until": ("有效期至", "Valid until"),
}
# Review decisions (api.db.ReviewDecision values).
DECISIONS: dict[str, Pair] = {
    "approve": ("批准", "Approve"),
    "reject": ("不予批准", "Reject"),
    "return_for_correction": ("退回补正", "Return for correction"),
}
# Licence statuses (the registry's status values).
LICENCE_STATUSES: dict[str, Pair] = {
    "valid": ("有效", "Valid"),
    "revoked": ("已吊销", "Revoked"),
    "suspended": ("已中止", "Suspended"),
    "expired": ("已过期", "Expired"),
}
# Validation rules and finding codes, by id (verify.forms); filled per rule.
RULES: dict[str, Pair] = {}
# Material slots, by id, when a page has no service definition at hand.
SLOTS: dict[str, Pair] = {
    "id_front": ("居民身份证（人像面）", "ID card (photo side)"),
    "id_back": ("居民身份证（国徽面）", "ID card (emblem side)"),
    "form": ("申请表", "Application form"),
    "photo": ("相片", "Photo"),
}


def _fallback(key: str) -> Pair:
    text = str(key).replace("_", " ").replace(".", " ").strip()
    return text, text


class Labels:
    """Lookups over the tables; each returns a (Chinese, English) pair."""

    def field(self, key: str) -> Pair:
        return FIELDS.get(str(key).rsplit(".", 1)[-1]) or _fallback(key)

    def decision(self, key: str) -> Pair:
        return DECISIONS.get(str(getattr(key, "value", key))) or _fallback(key)

    def licence_status(self, key: str) -> Pair:
        return LICENCE_STATUSES.get(str(getattr(key, "value", key))) or _fallback(key)

    def rule(self, key: str) -> Pair:
        return RULES.get(str(key)) or _fallback(key)

    def slot(self, key: str) -> Pair:
        return SLOTS.get(str(key)) or _fallback(key)


LABELS = Labels()


def register(env: Any) -> None:
    """Make the tables a global of a Jinja environment."""
    env.globals["labels"] = LABELS
