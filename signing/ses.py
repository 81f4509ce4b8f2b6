"""Electronic seals (电子印章) and electronic-seal signatures (电子签章): the ASN.1 of GB/T 38540
(``SESeal`` and ``SES_Signature`` version 4) and of GM/T 0031-2014 (version 1, still found in
OFD files), their decoding into frozen values, and the making of version 4 seals and signatures.

Structures (GB/T 38540-2020, section 7)::

    SESeal        ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING (maker's cert),
                                 signAlgID OBJECT IDENTIFIER, signedValue BIT STRING }
    SES_SealInfo  ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
                                 picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
    SES_Header    ::= SEQUENCE { ID IA5String ("ES"), version INTEGER (4), Vid IA5String }
    SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
                                 certList SES_CertList, createDate, validStart, validEnd
                                 GeneralizedTime }
    SES_CertList  ::= CHOICE { certs SEQUENCE OF OCTET STRING (certListType 1),
                               certDigestList SEQUENCE OF CertDigestObj (certListType 2) }
    CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
    SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width, height INTEGER }
    SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING (signer's cert),
                                 signatureAlgID OBJECT IDENTIFIER, signature BIT STRING,
                                 timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
    TBS_Sign      ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
                                 dataHash BIT STRING, propertyInfo IA5String,
                                 extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }

Version 1 (GM/T 0031-2014) differs: the seal is ``SEQUENCE { esealInfo, signInfo SEQUENCE {
cert, signatureAlgorithm, signData BIT STRING } }``, its property has no certListType (a plain
``SEQUENCE OF`` certificates) and UTCTime dates, and ``TBS_Sign`` is ``{ version, eseal, timeInfo
BIT STRING, dataHash BIT STRING, propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm
OBJECT IDENTIFIER }`` with ``SES_Signature ::= SEQUENCE { toSign, signature BIT STRING }``.

What is signed, checked against every sealed sample in ofdrw's test resources (government tax
offices, antchain, ofdrw itself, iOFD): a version 4 seal's ``signedValue`` is SM3withSM2 over
the DER of ``SES_SealInfo``; a version 1 seal's ``signData`` over the DER of ``SEQUENCE {
esealInfo, cert, signatureAlgorithm }``; a signature's value over the DER of ``TBS_Sign``
(version 4; for version 1 the same, or, as iOFD makes them, e = ``dataHash`` itself).
``dataHash`` is SM3 of the bytes of ``Signature.xml`` (see :mod:`signing.ofd_seal`).

The signed parts are cut from the bytes as received (:mod:`signing.der_walk`, which accepts DER
only), never re-encoded. Decoding raises :class:`~signing.errors.OfdFormatError` with
``ofd.seal_malformed`` for anything that is not the structure, never another exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from asn1crypto import core, x509

from core import ErrorCode
from signing import der_walk
from signing.errors import OfdFormatError
from signing.sm2 import Sm2PrivateKey, sm2_sign

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_SES_BYTES",
    "OID_SM2_SM3",
    "OID_SM3",
    "Seal",
    "SealPicture",
    "SesSignature",
    "SesVersion",
    "make_seal",
    "make_ses_signature",
    "parse_seal",
    "parse_ses_signature",
]

OID_SM2_SM3 = "1.2.156.10197.1.501"  # SM3withSM2 (GM/T 0006)
OID_SM3 = "1.2.156.10197.1.401"
MAX_SES_BYTES = 4 * 1024 * 1024  # a seal's picture is tens of KB; anything this big is refused


class SesVersion(IntEnum):
    V1 = 1  # GM/T 0031-2014
    V4 = 4  # GB/T 38540-2020


# --- ASN.1 (asn1crypto) -------------------------------------------------------------------


class ExtData(core.Sequence):
    _fields = [
        ("extn_id", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extn_value", core.OctetString),
    ]


class ExtensionDatas(core.SequenceOf):
    _child_spec = ExtData


class SesHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertInfoList(core.SequenceOf):
    _child_spec = core.OctetString


class CertDigestObj(core.Sequence):
    _fields = [("type", core.PrintableString), ("value", core.OctetString)]


class CertDigestList(core.SequenceOf):
    _child_spec = CertDigestObj


class SesPictureInfo(core.Sequence):
    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SesPropertyInfoV4(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", core.Any),  # CertInfoList or CertDigestList, as cert_list_type says
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class SesSealInfoV4(core.Sequence):
    _fields = [
        ("header", SesHeader),
        ("es_id", core.IA5String),
        ("property", SesPropertyInfoV4),
        ("picture", SesPictureInfo),
        ("ext_datas", ExtensionDatas, {"optional": True}),
    ]


class SESealV4(core.Sequence):
    _fields = [
        ("eseal_info", SesSealInfoV4),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TbsSignV4(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SESealV4),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
        ("ext_datas", ExtensionDatas, {"explicit": 0, "optional": True}),
    ]


class SesSignatureV4(core.Sequence):
    _fields = [
        ("to_sign", TbsSignV4),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
        ("time_stamp", core.OctetBitString, {"explicit": 0, "optional": True}),
    ]


class _Time(core.Choice):
    """v1 dates are UTCTime by the standard; some makers write GeneralizedTime."""

    _alternatives = [("utc", core.UTCTime), ("general", core.GeneralizedTime)]


class SesPropertyInfoV1(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list", core.SequenceOf, {"spec": core.Any}),  # certificates (OCTET STRING)
        ("create_date", _Time),
        ("valid_start", _Time),
        ("valid_end", _Time),
    ]


class SesSealInfoV1(core.Sequence):
    _fields = [
        ("header", SesHeader),
        ("es_id", core.IA5String),
        ("property", SesPropertyInfoV1),
        ("picture", SesPictureInfo),
        ("ext_datas", ExtensionDatas, {"optional": True}),
    ]


class SesSignInfoV1(core.Sequence):
    _fields = [
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
        ("sign_data", core.OctetBitString),
    ]


class SESealV1(core.Sequence):
    _fields = [("eseal_info", SesSealInfoV1), ("sign_info", SesSignInfoV1)]


class _OctetsOrBits(core.Choice):
    """v1 timeInfo and dataHash are BIT STRINGs; some makers write OCTET STRINGs."""

    _alternatives = [("bits", core.OctetBitString), ("octets", core.OctetString)]


class TbsSignV1(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SESealV1),
        ("time_info", _OctetsOrBits),
        ("data_hash", _OctetsOrBits),
        ("property_info", core.IA5String),
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
    ]


class SesSignatureV1(core.Sequence):
    _fields = [("to_sign", TbsSignV1), ("signature", core.OctetBitString)]


# --- decoded values ------------------------------------------------------------------------


@dataclass(frozen=True)
class SealPicture:
    """The seal's appearance: ``kind`` as the seal says it (``PNG``, ``GIF``, ``OFD``, ...),
    the image bytes, and its size in millimetres."""

    kind: str
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Seal:
    """A decoded SESeal. ``signed_bytes`` is what the maker signed (cut from the bytes received),
    ``signature`` the maker's signature value as stored (DER SEQUENCE{r, s} when well made)."""

    version: SesVersion
    vid: str
    es_id: str
    seal_type: int
    name: str
    signer_certs: tuple[bytes, ...]  # DER certificates of the signers this seal is bound to
    signer_cert_digests: tuple[tuple[str, bytes], ...]  # (algorithm, digest) pairs instead
    created: datetime | None
    valid_start: datetime | None
    valid_end: datetime | None
    picture: SealPicture
    maker_cert: bytes
    signature_algorithm: str
    signature: bytes
    signed_bytes: bytes
    der: bytes


@dataclass(frozen=True)
class SesSignature:
    """A decoded SES_Signature (the content of an OFD ``SignedValue.dat``).

    ``tbs_bytes`` is the DER of ``TBS_Sign`` as received, which the signature value signs;
    ``time_info`` is the signing time the signer claims (``time_text`` as written, for a v1
    time that is not a readable date)."""

    version: SesVersion
    seal: Seal
    time_info: datetime | None
    time_text: str
    data_hash: bytes
    property_info: str
    signer_cert: bytes
    signature_algorithm: str
    signature: bytes
    tbs_bytes: bytes
    timestamp: bytes | None
    der: bytes


# --- decoding --------------------------------------------------------------------------------

# What asn1crypto and the DER walker raise for bytes that are not the structure.
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError,
                  AttributeError)


def _malformed(what: str) -> OfdFormatError:
    return OfdFormatError(
        ErrorCode.OFD_SEAL_MALFORMED,
        f"the electronic seal data is malformed: {what}",
        f"电子签章数据格式错误：{what}",
    )


def _checked_der(data: bytes) -> der_walk.Element:
    if not isinstance(data, bytes | bytearray) or not data:
        raise _malformed("empty")
    if len(data) > MAX_SES_BYTES:
        raise _malformed(f"{len(data)} bytes (at most {MAX_SES_BYTES})")
    try:
        top, end = der_walk.read(bytes(data))
    except der_walk.DerError as exc:
        raise _malformed(str(exc)) from None
    if end != len(data):
        raise _malformed("bytes after the structure")
    if top.tag != der_walk.SEQUENCE:
        raise _malformed("not a SEQUENCE")
    return top


def _children(element: der_walk.Element, count: int) -> list[der_walk.Element]:
    kids = element.children()
    if len(kids) < count:
        raise der_walk.DerError("too few elements")
    return kids


def _utc(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _version_of(info: der_walk.Element) -> int:
    """The header version of an SES_SealInfo: its first child's second element."""
    header = _children(info, 1)[0]
    return int(core.Integer.load(_children(header, 2)[1].der, strict=True).native)


def parse_seal(data: bytes) -> Seal:
    """Decode a DER SESeal (version 4 or 1, by its header). OfdFormatError
    (``ofd.seal_malformed``) for anything else."""
    top = _checked_der(data)
    try:
        return _seal_from(top)
    except _DECODE_ERRORS + (der_walk.DerError,) as exc:
        raise _malformed(type(exc).__name__) from None


def _seal_from(top: der_walk.Element) -> Seal:
    # As ofdrw does, the shape decides: version 1 seals have two elements, version 4 four (a
    # v1 header may carry another number); a version 4 shape must say 4 in its header.
    kids = top.children()
    if len(kids) == 2:
        return _seal_v1(top)
    if len(kids) == 4 and _version_of(kids[0]) == SesVersion.V4:
        return _seal_v4(top)
    raise der_walk.DerError("not a version 1 or 4 seal")


def _picture(value: SesPictureInfo) -> SealPicture:
    return SealPicture(kind=value["type"].native, data=value["data"].native,
                       width=int(value["width"].native), height=int(value["height"].native))


def _seal_v4(top: der_walk.Element) -> Seal:
    parsed = SESealV4.load(top.der, strict=True)
    info = parsed["eseal_info"]
    prop = info["property"]
    list_type = int(prop["cert_list_type"].native)
    certs: tuple[bytes, ...] = ()
    digests: tuple[tuple[str, bytes], ...] = ()
    raw_list = prop["cert_list"].dump()
    if list_type == 1:
        certs = tuple(c.native for c in CertInfoList.load(raw_list, strict=True))
    elif list_type == 2:
        digests = tuple((d["type"].native, d["value"].native)
                        for d in CertDigestList.load(raw_list, strict=True))
    else:
        raise der_walk.DerError(f"certListType {list_type}")
    header = info["header"]
    if header["id"].native != "ES":
        raise der_walk.DerError("header ID is not ES")
    return Seal(
        version=SesVersion.V4, vid=header["vid"].native, es_id=info["es_id"].native,
        seal_type=int(prop["type"].native), name=prop["name"].native,
        signer_certs=certs, signer_cert_digests=digests,
        created=_utc(prop["create_date"].native), valid_start=_utc(prop["valid_start"].native),
        valid_end=_utc(prop["valid_end"].native), picture=_picture(info["picture"]),
        maker_cert=parsed["cert"].native, signature_algorithm=parsed["sign_alg_id"].dotted,
        signature=parsed["signed_value"].native,
        signed_bytes=_children(top, 4)[0].der, der=top.der,
    )


def _seal_v1(top: der_walk.Element) -> Seal:
    parsed = SESealV1.load(top.der, strict=True)
    info = parsed["eseal_info"]
    prop = info["property"]
    sign_info = parsed["sign_info"]
    header = info["header"]
    if header["id"].native != "ES":
        raise der_walk.DerError("header ID is not ES")
    # The standard's certList holds OCTET STRINGs; iOFD writes other things there, kept out.
    certs = tuple(core.OctetString.load(item.dump(), strict=True).native
                  for item in prop["cert_list"] if item.dump()[:1] == b"\x04")
    info_el, sign_el = _children(top, 2)
    cert_el, alg_el = _children(sign_el, 3)[:2]
    body = info_el.der + cert_el.der + alg_el.der
    return Seal(
        version=SesVersion.V1, vid=header["vid"].native, es_id=info["es_id"].native,
        seal_type=int(prop["type"].native), name=prop["name"].native,
        signer_certs=certs, signer_cert_digests=(),
        created=_utc(prop["create_date"].native), valid_start=_utc(prop["valid_start"].native),
        valid_end=_utc(prop["valid_end"].native), picture=_picture(info["picture"]),
        maker_cert=sign_info["cert"].native,
        signature_algorithm=sign_info["signature_algorithm"].dotted,
        signature=sign_info["sign_data"].native,
        signed_bytes=_sequence(body), der=top.der,
    )


def _sequence(body: bytes) -> bytes:
    """DER SEQUENCE around ``body`` (already DER)."""
    return core.Sequence(contents=body).dump()


def parse_ses_signature(data: bytes) -> SesSignature:
    """Decode a DER SES_Signature (version 4 or 1, by TBS_Sign's version). OfdFormatError
    (``ofd.seal_malformed``) for anything else."""
    top = _checked_der(data)
    try:
        tbs = _children(top, 2)[0]
        if tbs.tag != der_walk.SEQUENCE:
            raise der_walk.DerError("TBS_Sign is not a SEQUENCE")
        count = len(top.children())
        # The shape decides, as for seals: v1 {toSign, signature}, v4 four or five elements.
        if count == 2:
            return _signature_v1(top, tbs)
        if count in (4, 5):
            return _signature_v4(top, tbs)
        raise der_walk.DerError("not a version 1 or 4 signature")
    except _DECODE_ERRORS + (der_walk.DerError,) as exc:
        raise _malformed(type(exc).__name__) from None


def _signature_v4(top: der_walk.Element, tbs_el: der_walk.Element) -> SesSignature:
    parsed = SesSignatureV4.load(top.der, strict=True)
    tbs = parsed["to_sign"]
    if tbs["version"].native != SesVersion.V4:
        raise der_walk.DerError("a version 4 signature whose TBS_Sign is not version 4")
    seal = _seal_from(_children(tbs_el, 2)[1])
    if seal.version is not SesVersion.V4:
        raise der_walk.DerError("a version 4 signature over a version 1 seal")
    stamp = parsed["time_stamp"]
    time_info = _utc(tbs["time_info"].native)
    return SesSignature(
        version=SesVersion.V4, seal=seal, time_info=time_info,
        time_text=tbs["time_info"].native.isoformat(), data_hash=tbs["data_hash"].native,
        property_info=tbs["property_info"].native, signer_cert=parsed["cert"].native,
        signature_algorithm=parsed["signature_alg_id"].dotted,
        signature=parsed["signature"].native, tbs_bytes=tbs_el.der,
        timestamp=None if isinstance(stamp, core.Void) else stamp.native, der=top.der,
    )


def _v1_time(text: str) -> datetime | None:
    for form in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y%m%d%H%M%SZ",
                 "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _signature_v1(top: der_walk.Element, tbs_el: der_walk.Element) -> SesSignature:
    parsed = SesSignatureV1.load(top.der, strict=True)
    tbs = parsed["to_sign"]
    seal = _seal_from(_children(tbs_el, 2)[1])
    time_raw = tbs["time_info"].chosen.native
    time_text = time_raw.decode("ascii", "replace") if isinstance(time_raw, bytes) else ""
    return SesSignature(
        version=SesVersion.V1, seal=seal, time_info=_v1_time(time_text), time_text=time_text,
        data_hash=tbs["data_hash"].chosen.native, property_info=tbs["property_info"].native,
        signer_cert=tbs["cert"].native, signature_algorithm=tbs["signature_algorithm"].dotted,
        signature=parsed["signature"].native, tbs_bytes=tbs_el.der, timestamp=None,
        der=top.der,
    )


# --- making (version 4) ------------------------------------------------------------------------


def _generalized(moment: datetime) -> core.GeneralizedTime:
    if moment.tzinfo is None:
        raise ValueError("seal times must be timezone-aware")
    return core.GeneralizedTime(moment.astimezone(UTC).replace(microsecond=0))


def make_seal(maker_key: Sm2PrivateKey, maker_cert: x509.Certificate,
              signer_certs: list[x509.Certificate], picture: SealPicture, *, es_id: str,
              name: str, created: datetime, valid_start: datetime, valid_end: datetime,
              seal_type: int = 1, vid: str = "zhengzhao") -> bytes:
    """A DER GB/T 38540 SESeal (version 4): the seal-maker signs (SM3withSM2, default ID) the DER
    of SES_SealInfo, which binds the seal to ``signer_certs`` (certListType 1, the certificates
    themselves). ``seal_type`` is the standard's 印章类型 (1 official seal, 2 personal seal, ...);
    ``es_id`` an ASCII identifier unique to this seal."""
    if valid_end <= valid_start:
        raise ValueError("the seal's validity ends before it starts")
    info = SesSealInfoV4({
        "header": {"id": "ES", "version": SesVersion.V4, "vid": vid},
        "es_id": es_id,
        "property": {
            "type": seal_type,
            "name": name,
            "cert_list_type": 1,
            "cert_list": CertInfoList([c.dump() for c in signer_certs]),
            "create_date": _generalized(created),
            "valid_start": _generalized(valid_start),
            "valid_end": _generalized(valid_end),
        },
        "picture": {"type": picture.kind, "data": picture.data, "width": picture.width,
                    "height": picture.height},
    })
    info_der = info.dump()
    seal = SESealV4({
        "eseal_info": SesSealInfoV4.load(info_der),
        "cert": maker_cert.dump(),
        "sign_alg_id": OID_SM2_SM3,
        "signed_value": sm2_sign(maker_key, info_der),
    })
    return seal.dump()


def make_ses_signature(signer_key: Sm2PrivateKey, signer_cert: x509.Certificate, seal: bytes,
                       data_hash: bytes, property_info: str, time_info: datetime) -> bytes:
    """A DER GB/T 38540 SES_Signature (version 4) over ``seal`` (DER SESeal, version 4), the
    ``data_hash`` (SM3 of the OFD's Signature.xml) and ``property_info`` (the path of that
    Signature.xml): the signer signs (SM3withSM2, default ID) the DER of TBS_Sign."""
    if parse_seal(seal).version is not SesVersion.V4:
        raise ValueError("a version 4 signature needs a version 4 seal")
    tbs = TbsSignV4({
        "version": SesVersion.V4,
        "eseal": SESealV4.load(seal),
        "time_info": _generalized(time_info),
        "data_hash": data_hash,
        "property_info": property_info,
    })
    tbs_der = tbs.dump()
    signature = SesSignatureV4({
        "to_sign": TbsSignV4.load(tbs_der),
        "cert": signer_cert.dump(),
        "signature_alg_id": OID_SM2_SM3,
        "signature": sm2_sign(signer_key, tbs_der),
    })
    return signature.dump()
