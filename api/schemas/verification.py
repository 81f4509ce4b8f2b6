"""Request and response models of the public routes (documented in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from elicense import MAX_QR_TEXT_CHARS
from signing import Indication


class VerifyTokenRequest(BaseModel):
    """A scanned QR code to verify: the token, or the verification link that holds it."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=MAX_QR_TEXT_CHARS,
                       description="the QR payload: the token (ZZ1:…) or the link "
                       "https://<office>/v#<token> (docs/tokens.md, section 10)")


class CheckPublic(BaseModel):
    check: str
    outcome: Indication
    code: str
    message_en: str
    message_zh: str


class TokenCheckPublic(BaseModel):
    """What the token check found (``elicense.TokenSummary``): its code and the key id the
    token names, base64url without padding (``null`` when its framing did not decode)."""

    code: str
    kid: str | None = None


class PdfSignaturePublic(BaseModel):
    """What the PAdES validation found (``elicense.PdfSignatureSummary``): the signer's key id
    as base64url without padding, the level reached and the signing time (ISO 8601)."""

    indication: Indication
    sub_indication: str
    signer_kid: str | None = None
    level: str | None = None
    signing_time: str | None = None


class OfdSealPublic(BaseModel):
    """What the OFD seal validation found (``elicense.OfdSealSummary``): the first seal's name,
    id, signer and claimed signing time, the anchor its chain reached (``issuer`` or
    ``trust_anchor``) and the ``ofd.*`` code of a package or seal that could not be read."""

    indication: Indication
    sub_indication: str
    seal_name: str | None = None
    seal_id: str | None = None
    signer: str | None = None
    signing_time: str | None = None
    anchor: str | None = None
    error_code: str | None = None


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
    pdf: PdfSignaturePublic | None
    token: TokenCheckPublic | None
    signed_by: dict[str, str] | None = None
    ofd: OfdSealPublic | None = None  # for an OFD licence (then ``pdf`` is null)


class Health(BaseModel):
    status: str
    trust_loaded: bool
