"""Request and response models of the public routes (documented in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from signing import MAX_TOKEN_CHARS, Indication


class VerifyTokenRequest(BaseModel):
    """A scanned QR token to verify."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=MAX_TOKEN_CHARS,
                       description="the QR payload, starting with ZZ1:")


class CheckPublic(BaseModel):
    check: str
    outcome: Indication
    code: str
    message_en: str
    message_zh: str


class VerdictPublic(BaseModel):
    """The verdict on an e-licence (``elicense.LicenceVerdict.to_dict``); HTTP 200 whatever the
    indication. ``licence`` holds the public facts, the holder code masked; ``signed_by`` the
    office whose key verified the token (code and names from its trust list, not from the
    licence), ``null`` when no trusted office's key did."""

    indication: Indication
    sub_indication: str | None
    valid: bool
    checks: list[CheckPublic]
    licence: dict[str, Any] | None
    pdf: dict[str, Any] | None
    token: dict[str, Any] | None
    signed_by: dict[str, str] | None = None


class Health(BaseModel):
    status: str
    trust_loaded: bool
