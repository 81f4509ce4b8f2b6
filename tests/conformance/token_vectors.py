"""The shared conformance vectors of the two licence-token verifiers (issue 14, item 6): the
Python one (:func:`elicense.verify_licence_token`, with the fallback to an imported issuer the
service applies) and the offline page's (``/verify/offline``, ``api/static/offline``).

Each vector is a token, the trust material it is checked against (the Python
:class:`elicense.TrustMaterial` of this office and of the imported issuers, and the same as the
page's JSON from :func:`api.workflow.offline_trust.offline_trust`), the evaluation time, and the
expected indication and sub-indication (the first FAILED or INDETERMINATE check's code).

Deterministic: the keys are fixed (P-256 scalars from SHA-256 of a label, certificates signed
by a fixed Ed25519 root), ES256 is signed per RFC 6979, so :func:`build_vectors` gives the same
bytes on every run. The keys are throw-away test keys: never trust them for anything."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from api.workflow.offline_trust import offline_trust
from core.checkdigits import uscc_check_char
from elicense import IssuerNames, LicenceIdentifier, TrustMaterial
from signing import (
    MIN_STATUS_LIST_BITS,
    LicenceClaims,
    StatusList,
    TokenClaims,
    b45encode,
    encode_token,
    key_id,
    sign_status_list,
)

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
# CWT claim keys (RFC 8392): expiry, not before, issued at.
CLAIM_EXP, CLAIM_NBF, CLAIM_IAT = 4, 5, 6
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
REVOKED_INDEX = 98765
GOOD_INDEX = 4242


@dataclass(frozen=True)
class Issuer:
    """A test issuing office: names, signing key, certificate, key id."""

    names: IssuerNames
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    root: x509.Certificate

    @property
    def kid(self) -> bytes:
        return key_id(self.certificate)

    def material(self, status_list: bytes | None) -> TrustMaterial:
        return TrustMaterial(root=self.root, trusted_keys={self.kid: [self.certificate]},
                             crls=(), status_list=status_list, issuer=self.names)

    def status_list(self, *, revoked: tuple[int, ...] = (), issued_at: datetime,
                    expires: datetime) -> bytes:
        bits = StatusList.empty(MIN_STATUS_LIST_BITS).with_revoked(revoked)
        return sign_status_list(bits, self.key, self.kid, issuer=self.names.code,
                                issued_at=issued_at, expires=expires)

    def claims(self, **changes: Any) -> TokenClaims:
        identifier = LicenceIdentifier.create("11100000000013338W032", self.names.code, "2430599")
        licence = LicenceClaims(
            identifier=str(identifier), holder_name="欧阳晓明", holder_code="1****************X",
            holder_code_type="111", issuer_name=self.names.name_zh,
            issued_on=date(2026, 3, 1), valid_from=date(2026, 3, 1),
            valid_until=date(2031, 2, 28), name="居住证",
            photo_sha256=hashlib.sha256(b"photo").digest(), status_index=GOOD_INDEX)
        licence = replace(licence, **{k: v for k, v in changes.items()
                                      if k in LicenceClaims.__dataclass_fields__})
        signed = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
        token: dict[str, Any] = {"issuer": self.names.code, "issued_at": signed,
                                 "not_before": signed, "expires": datetime(2031, 3, 1, tzinfo=UTC)}
        token.update({k: v for k, v in changes.items() if k in ("not_before", "expires")})
        return TokenClaims(licence=licence, **token)

    def token(self, **changes: Any) -> str:
        return encode_token(self.claims(**changes), self.key, self.kid)

    def float_time_token(self, expires: float) -> str:
        """A token whose ``iat``, ``nbf`` and ``exp`` are CBOR floats (RFC 8392 NumericDate
        allows them; we write integers, readers accept both: docs/tokens.md §2)."""
        cwt = self.claims().to_cwt()
        cwt[CLAIM_IAT] = float(cwt[CLAIM_IAT]) + 0.25
        cwt[CLAIM_NBF] = float(cwt[CLAIM_NBF]) + 0.25
        cwt[CLAIM_EXP] = expires
        return encode_token(cwt, self.key, self.kid)


def _scalar(label: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(hashlib.sha256(label.encode()).digest(), "big"),
                                 ec.SECP256R1())


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _issuer(label: str, code_body: str, name_zh: str, name_en: str) -> Issuer:
    root_key = ed25519.Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"{label} root".encode()).digest())
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    root = (x509.CertificateBuilder().subject_name(_name(f"{label} root"))
            .issuer_name(_name(f"{label} root")).public_key(root_key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(root_key, None))
    key = _scalar(f"zhengzhao conformance vector {label}")
    certificate = (x509.CertificateBuilder().subject_name(_name(f"{label} signer"))
                   .issuer_name(root.subject).public_key(key.public_key())
                   .serial_number(2).not_valid_before(start).not_valid_after(end)
                   .sign(root_key, None))
    code = code_body + uscc_check_char(code_body)
    return Issuer(IssuerNames(code, name_zh, name_en), key, certificate, root)


@cache
def issuers() -> tuple[Issuer, Issuer, Issuer]:
    """This office (A), an imported issuer (B), and one nobody trusts (C)."""
    return (_issuer("A", "11220000013544541", "吉林省长春市朝阳区市场监督管理局",
                    "Chaoyang District Market Regulation Administration, Changchun"),
            _issuer("B", "11330100MB0000001", "杭州市数据资源管理局",
                    "Hangzhou Data Resources Bureau"),
            _issuer("C", "11440300MB0000002", "深圳市某局", "A Shenzhen bureau"))


@dataclass(frozen=True)
class Vector:
    """One token, what it is checked against, and the verdict both verifiers must give."""

    name: str
    token: str
    expected: str  # PASSED, FAILED or INDETERMINATE
    sub_indication: str | None
    own: TrustMaterial
    imported: tuple[TrustMaterial, ...] = ()
    now: datetime = NOW
    note: str = field(default="")

    def trust_json(self) -> dict[str, Any]:
        """The page's trust material for this vector (the same function the page's route
        uses)."""
        return offline_trust(self.own, self.imported, generated_at=self.now)

    def to_page(self) -> dict[str, Any]:
        """What the browser test hands the page."""
        return {"name": self.name, "token": self.token, "expected": self.expected,
                "sub_indication": self.sub_indication, "now": int(self.now.timestamp()),
                "trust": self.trust_json()}


def recompose(token: str, *, payload: bytes | None = None,
               signature: bytes | None = None) -> str:
    """``token`` with its payload or signature replaced, signature untouched otherwise: what
    anyone without the key can make."""
    from signing import decode_token  # noqa: PLC0415 - local: only this helper needs it

    message = decode_token(token)
    cose = cbor2.dumps(cbor2.CBORTag(18, [message.protected, {}, payload or message.payload,
                                          signature or message.signature]))
    return "ZZ1:" + b45encode(zlib.compress(cose, 9))


def build_vectors() -> list[Vector]:
    """The conformance vectors (see the module doc)."""
    a, b, c = issuers()
    fresh = a.status_list(revoked=(REVOKED_INDEX,), issued_at=NOW - timedelta(days=1),
                          expires=NOW + timedelta(days=6))
    stale = a.status_list(revoked=(REVOKED_INDEX,), issued_at=NOW - timedelta(days=9),
                          expires=NOW - timedelta(days=2))
    b_list = b.status_list(issued_at=NOW - timedelta(hours=3), expires=NOW + timedelta(days=7))
    own = a.material(fresh)
    imported = (b.material(b_list),)
    genuine = a.token()
    edited = recompose(genuine, payload=cbor2.dumps(
        a.claims(holder_name="欧阳晓明明").to_cwt(), canonical=True))
    signature = _signature(genuine)
    high_s = signature[:32] + (P256_ORDER - int.from_bytes(signature[32:], "big")).to_bytes(
        32, "big")
    b45 = lambda data: "ZZ1:" + b45encode(data)  # noqa: E731
    return [
        Vector("genuine", genuine, "PASSED", None, own, imported),
        Vector("edited_field", edited, "FAILED", "token.bad_signature", own, imported,
               note="holder name changed, signature kept"),
        Vector("unknown_kid", c.token(), "FAILED", "token.unknown_kid", own, imported),
        Vector("expired", a.token(expires=NOW - timedelta(seconds=1)), "FAILED",
               "token.expired", own, imported),
        Vector("not_yet_valid", a.token(not_before=NOW + timedelta(days=1)), "FAILED",
               "token.not_yet_valid", own, imported),
        Vector("licence_expired", a.token(valid_until=date(2026, 5, 31)), "FAILED",
               "licence.expired", own, imported, note="token fine, licence period over"),
        Vector("revoked", a.token(status_index=REVOKED_INDEX), "FAILED", "licence.revoked",
               own, imported),
        Vector("stale_status_list", genuine, "INDETERMINATE", "licence.revocation_unknown",
               a.material(stale), imported),
        Vector("no_status_list", genuine, "INDETERMINATE", "licence.revocation_unknown",
               a.material(None), imported),
        Vector("imported_issuer", b.token(), "PASSED", None, own, imported),
        Vector("issuer_mismatch", a.token(issuer_name=b.names.name_zh), "FAILED",
               "licence.issuer_mismatch", own, imported),
        Vector("float_times", a.float_time_token(NOW.timestamp() + 86400.5), "PASSED", None,
               own, imported, note="iat, nbf and exp written as CBOR floats"),
        Vector("float_expired", a.float_time_token(NOW.timestamp() - 0.5), "FAILED",
               "token.expired", own, imported, note="a float exp half a second ago"),
        Vector("high_s", recompose(genuine, signature=high_s), "FAILED",
               "token.non_canonical", own, imported),
        Vector("malformed_base45", "ZZ1:abc!", "FAILED", "token.malformed", own, imported),
        Vector("malformed_zlib", b45(b"\x78\xda not a deflate stream"), "FAILED",
               "token.malformed", own, imported),
        Vector("malformed_cbor", b45(zlib.compress(b"\xd2\x84\xff\x00 not cbor", 9)), "FAILED",
               "token.malformed", own, imported),
        Vector("not_cose", b45(zlib.compress(cbor2.dumps({"a": 1}), 9)), "FAILED",
               "token.malformed", own, imported),
        Vector("oversized", "ZZ1:" + "0" * 4293, "FAILED", "token.malformed", own, imported,
               note="4,297 characters, one over the QR maximum"),
    ]


def _signature(token: str) -> bytes:
    from signing import decode_token  # noqa: PLC0415

    return decode_token(token).signature
