"""Issuing an e-licence: token, page, attachment, PAdES signature, register entry — in that order,
so that a failure at any step leaves nothing in the register (at most an unused status index).

The QR token (CWT in COSE_Sign1, ES256) carries the public facts with the holder code masked and
a SHA-256 of the holder's photo; it cannot carry the PDF's own hash (the PDF contains the token),
so the register keeps the signed PDF's SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import signing
from elicense.attachment import embed_licence_json
from elicense.errors import LicenceExistsError, LicenceIssuerNotOursError
from elicense.model import Licence
from elicense.publish import fresh_crls, publish
from elicense.qr_link import verify_link
from elicense.registry import LicenceRegistry, RegistryEntry
from elicense.render import render_licence
from elicense.template import LicenceTemplate
from signing import (
    MIN_STATUS_LIST_BITS,
    KeyStore,
    LicenceClaims,
    PadesLevel,
    TokenClaims,
    encode_token,
    key_id,
    pyhanko_timestamper,
)

log = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class IssuedLicence:
    """A licence as issued: the signed PDF, its token and what the register keeps."""

    licence: Licence
    pdf: bytes
    token: str
    pdf_sha256: str
    status_index: int
    kid: bytes


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in China (licence dates are Beijing-time calendar days)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA) - timedelta(seconds=1)


def licence_claims(licence: Licence, photo: bytes | None, status_index: int) -> LicenceClaims:
    """The token's licence facts: public fields, masked holder code, photo hash, status index."""
    return LicenceClaims(
        identifier=licence.identifier, holder_name=licence.holder,
        holder_code=licence.masked_holder_code, holder_code_type=licence.holder_code_type.value,
        issuer_name=licence.issuer, issued_on=licence.issue_date, valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        photo_sha256=hashlib.sha256(photo).digest() if photo is not None else None,
        status_index=status_index)


def issue_licence(licence: Licence, template: LicenceTemplate, *, photo: bytes | None,
                  store: KeyStore, registry: LicenceRegistry, issuer_code: str,
                  published_dir: Path | None = None, now: datetime | None = None,
                  level: PadesLevel = PadesLevel.B_LTA, public_url: str | None = None
                  ) -> IssuedLicence:
    """Issue ``licence`` (its QR code a link to ``public_url``'s verification page when given,
    see :func:`sign_licence`). Raises (and records nothing) when the record names another
    issuer than this office (``issuer_code`` and the key store's own identity), the identifier
    was issued before, the record does not fit the template, a key cannot be loaded or signing
    fails."""
    now = now or datetime.now(UTC)
    check_issuer_is_ours(licence, store, issuer_code)
    if registry.get(licence.identifier) is not None:
        raise LicenceExistsError(licence.identifier)
    index = registry.reserve_index(MIN_STATUS_LIST_BITS)
    issued = sign_licence(licence, template, photo=photo, store=store, issuer_code=issuer_code,
                          status_index=index, now=now, level=level, public_url=public_url)
    registry.add(registry_entry(issued, now))
    log.info("issued licence type=%s index=%d kid=%s", licence.type_code, index,
             issued.kid.hex())
    if published_dir is not None and not (published_dir / "status-list.cose").exists():
        publish(store, registry, published_dir, issuer_code, now)
    return issued


def sign_licence(licence: Licence, template: LicenceTemplate, *, photo: bytes | None,
                 store: KeyStore, issuer_code: str, status_index: int,
                 now: datetime | None = None, level: PadesLevel = PadesLevel.B_LTA,
                 public_url: str | None = None) -> IssuedLicence:
    """Token, page, attachment and PAdES signature of ``licence`` at the status-list index the
    caller reserved; touches no register (the caller records :func:`registry_entry` of the
    result). The QR code holds ``<public_url>/v#<token>`` (:func:`elicense.qr_link.verify_link`;
    the office's ``ZZ_PUBLIC_URL``), or the bare token without one. Raises when the record
    names another issuer than this office, does not fit the template, a key cannot be loaded or
    signing fails."""
    now = now or datetime.now(UTC)
    check_issuer_is_ours(licence, store, issuer_code)
    signer = store.signer()
    kid = key_id(signer.certificate)
    claims = TokenClaims(
        issuer=issuer_code, issued_at=now,
        licence=licence_claims(licence, photo, status_index),
        expires=end_of_day(licence.valid_until) if licence.valid_until else None)
    token = encode_token(claims, signer, kid)
    page = render_licence(licence, template, photo=photo,
                          qr_payload=verify_link(token, public_url))
    attached = embed_licence_json(page, {
        "licence": licence.model_dump(mode="json"),
        "photo_sha256": hashlib.sha256(photo).hexdigest() if photo is not None else None,
        "token": token,
    }, created=now, photo=photo)
    timestamper = pyhanko_timestamper(store.timestamp_signer(), fixed_time=now)
    # ``signing.sign_pdf`` loads pyHanko on first use (``import elicense`` stays light).
    signed = signing.sign_pdf(attached, signer, timestamper,
                              crls=fresh_crls(store, now), level=level,
                              reason="电子证照签发 / e-licence issued",
                              location=licence.jurisdiction_code, signing_time=now)
    return IssuedLicence(licence=licence, pdf=signed, token=token,
                         pdf_sha256=hashlib.sha256(signed).hexdigest(),
                         status_index=status_index, kid=kid)


def registry_entry(issued: IssuedLicence, now: datetime) -> RegistryEntry:
    """What the register keeps of a licence signed at ``now``."""
    licence = issued.licence
    return RegistryEntry(
        identifier=licence.identifier, type_code=licence.type_code,
        holder_code_masked=licence.masked_holder_code, status_index=issued.status_index,
        pdf_sha256=issued.pdf_sha256, kid=issued.kid.hex(),
        issued_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        valid_until=licence.valid_until.isoformat() if licence.valid_until else None)


def check_issuer_is_ours(licence: Licence, store: KeyStore, issuer_code: str) -> None:
    """Raise :class:`LicenceIssuerNotOursError` unless the record's issuer code, the issuer
    segment of its identifier and its issuer name are this office's: ``issuer_code`` and the
    identity in the key store (what the published trust list names, and what every verifier
    binds the licence to)."""
    identity = store.info().identity
    if identity.code != issuer_code:
        raise LicenceIssuerNotOursError("key store")
    if licence.issuer_code != issuer_code or licence.identifier_parts.issuer_code != issuer_code:
        raise LicenceIssuerNotOursError("issuer_code")
    if licence.issuer not in (identity.name_zh, identity.name_en):
        raise LicenceIssuerNotOursError("issuer")


def revoke_licence(identifier: str, reason: str, *, store: KeyStore, registry: LicenceRegistry,
                   issuer_code: str, published_dir: Path, now: datetime | None = None
                   ) -> RegistryEntry:
    """Revoke in the register and re-publish the signed status list."""
    now = now or datetime.now(UTC)
    entry = registry.revoke(identifier, reason, now)
    publish(store, registry, published_dir, issuer_code, now)
    log.info("revoked licence index=%d", entry.status_index)
    return entry
