"""Validation of the electronic-seal signatures of an OFD package (GB/T 38540, GM/T 0031 v1).

:func:`validate_ofd` returns a frozen :class:`OfdSignatureVerdict`; it never raises for bad
input (a package or seal that cannot be read is a FORMAT_FAILURE verdict carrying the error's
stable code). For each signature listed in each document's ``Signatures.xml``:

1. ``references``: every ``Reference`` of ``Signature.xml`` names a file in the package whose
   digest is its ``CheckValue`` (``CheckMethod`` SM3: ``1.2.156.10197.1.401`` or ``SM3``; or
   ``1.2.156.10197.1.401.2``, SM3 with the signer's Z value, as iOFD writes them);
2. ``coverage``: every file of the package is covered, except the signature lists and each
   listed signature's own ``Signature.xml``, ``SignedValue.dat`` and seal file (stricter than
   "every file a page uses": any file added after signing fails);
3. ``seal_signature``: the seal maker's SM3withSM2 signature over the seal (v4: DER of
   SES_SealInfo; v1: SEQUENCE{esealInfo, cert, signatureAlgorithm});
4. ``seal_binding``: the signer's certificate is one the seal names (the certificate or its
   digest); a genuine seal used with another signer's key (a resealed package) FAILS;
5. ``seal_validity``: the signing time lies within the seal's validity period;
6. ``signature_value``: ``dataHash`` is SM3 of the exact bytes of ``Signature.xml`` and the
   signature value verifies over the DER of TBS_Sign with the signer's key;
7. ``certificate_chain``: the signer's and the seal maker's certificates chain (SM3withSM2
   certificate signatures) to one of ``trust_roots_sm2``, valid at the signing time and now;
   every intermediate is a CA (basic constraints, ``keyCertSign``), a leaf with key usage
   allows signing. No path: INDETERMINATE (``NO_CERTIFICATE_CHAIN_FOUND``), never PASSED;
8. ``revocation``, only when the caller gives CRLs (``crls_sm2``, even none: the chain's own
   issuer's, which then must cover it): every certificate of both paths below the anchor (the
   signer's, the seal maker's, the CA's) is checked against its issuer's CRLs
   (``signing.sm2_crl.sm2_revocation``): listed by one that verifies, FAILED (``REVOKED``); no
   current CRL that verifies (missing, stale, or signed by another key), INDETERMINATE
   (``TRY_LATER``: fail closed, as for the PDFs). Without ``crls_sm2`` (a third party's OFD)
   revocation is not checked, as before.

The signing time is the signer's own claim (``TBS_Sign.timeInfo``); there is no timestamp
check, so a certificate expired now is INDETERMINATE (``OUT_OF_BOUNDS_NO_POE``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from asn1crypto import algos, x509
from asn1crypto import crl as asn1_crl

from core import ErrorCode
from signing import der_walk
from signing.errors import OfdFormatError
from signing.ofd_package import OFD_NAMESPACE, OFD_ROOT_FILE, OfdPackage, read_ofd, resolve_loc
from signing.ofd_revocation import check_revocation
from signing.ofd_verdict import (
    OfdCheck,
    OfdCheckId,
    OfdSignatureResult,
    OfdSignatureVerdict,
    combine,
    failed,
    ok,
    unsure,
)
from signing.pades_verdict import Indication, SubIndication
from signing.ses import OID_SM2_SM3, SesSignature, SesVersion, parse_ses_signature
from signing.sm2 import Sm2PublicKey, sm2_verify, sm2_verify_digest, sm2_z, sm3

logger = logging.getLogger(__name__)

__all__ = ["MAX_SIGNATURES", "OfdCheck", "OfdCheckId", "OfdSignatureResult", "OfdSignatureVerdict",
           "validate_ofd"]

_NS = f"{{{OFD_NAMESPACE}}}"
_SM3_METHODS = {"1.2.156.10197.1.401", "1.2.156.10197.1.401.1", "sm3"}
_SM3_Z_METHOD = "1.2.156.10197.1.401.2"
_MAX_CHAIN = 6
# A licence carries one or two seals; each signature costs SM3 over the files it covers (up to
# the reader's 64 MB) and a few SM2 verifications, so a package listing more is refused.
MAX_SIGNATURES = 16


def _format_verdict(exc: OfdFormatError) -> OfdSignatureVerdict:
    check = unsure(OfdCheckId.FORMAT, SubIndication.FORMAT_FAILURE, exc.message_en,
                   exc.message_zh, exc.code.value)
    return OfdSignatureVerdict(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE, (),
                               (check,))


def validate_ofd(data: bytes, *, trust_roots_sm2: Sequence[x509.Certificate], now: datetime,
                 intermediates: Sequence[x509.Certificate] = (),
                 crls_sm2: Sequence[asn1_crl.CertificateList] | None = None
                 ) -> OfdSignatureVerdict:
    """Validate every electronic-seal signature of an OFD package (see the module docstring).
    ``crls_sm2`` None: no revocation check; a sequence (even empty): revocation required."""
    try:
        package = read_ofd(data)
        listed = _listed_signatures(package)
    except OfdFormatError as exc:
        return _format_verdict(exc)
    if not listed:
        check = unsure(OfdCheckId.FORMAT, SubIndication.NO_SIGNATURE, "the OFD has no signature",
                       "OFD 文件没有签章")
        return OfdSignatureVerdict(Indication.INDETERMINATE, SubIndication.NO_SIGNATURE, (),
                                   (check,))
    own_files = {path for entry in listed for path in entry[1]}
    list_files = {entry[2] for entry in listed}
    digests: dict[tuple[bytes, str], bytes] = {}
    results = tuple(
        _validate_one(package, path, own_files | list_files, trust_roots_sm2, intermediates, now,
                      digests, crls_sm2)
        for path, _own, _list in listed)
    indication, sub = _overall(results)
    return OfdSignatureVerdict(indication, sub, results)


def _overall(results: Sequence[OfdSignatureResult]) -> tuple[Indication, SubIndication | None]:
    for indication in (Indication.FAILED, Indication.INDETERMINATE):
        found = next((r for r in results if r.indication is indication), None)
        if found is not None:
            return indication, found.sub_indication
    return Indication.PASSED, None


def _child(element: Element, name: str) -> Element | None:
    return element.find(_NS + name)


def _listed_signatures(package: OfdPackage) -> list[tuple[str, set[str], str]]:
    """(Signature.xml path, the files that signature owns, its list's path) for each signature
    of each document."""
    listed = []
    for index in range(len(package.document_paths())):
        list_path = package.signatures_path(index)
        if list_path is None:
            continue
        for entry in package.xml(list_path).findall(_NS + "Signature"):
            loc = entry.get("BaseLoc")
            if not loc:
                continue
            path = resolve_loc(list_path, loc, package.limits)
            if any(path == seen for seen, _own, _list in listed):
                continue
            if len(listed) == MAX_SIGNATURES:
                raise OfdFormatError(
                    ErrorCode.OFD_TOO_LARGE, f"more than {MAX_SIGNATURES} signatures",
                    f"签章数量超过 {MAX_SIGNATURES} 个", list_path)
            own = {path}
            root = package.xml(path)
            value = _child(root, "SignedValue")
            if value is not None and value.text:
                own.add(resolve_loc(path, value.text, package.limits))
            info = _child(root, "SignedInfo")
            seal = _child(info, "Seal") if info is not None else None
            base = _child(seal, "BaseLoc") if seal is not None else None
            if base is not None and base.text:
                own.add(resolve_loc(path, base.text, package.limits))
            listed.append((path, own, list_path))
    return listed


def _validate_one(package: OfdPackage, path: str, exempt: set[str],
                  roots: Sequence[x509.Certificate], intermediates: Sequence[x509.Certificate],
                  now: datetime, digests: dict[tuple[bytes, str], bytes],
                  crls: Sequence[asn1_crl.CertificateList] | None) -> OfdSignatureResult:
    try:
        root = package.xml(path)
        info = _child(root, "SignedInfo")
        value_el = _child(root, "SignedValue")
        if info is None or value_el is None or not value_el.text:
            raise _xml_error(path, "has no SignedInfo or SignedValue")
        value_path = resolve_loc(path, value_el.text, package.limits)
        if value_path not in package.files:
            raise _xml_error(path, f"names a missing SignedValue {value_path}")
        ses = parse_ses_signature(package.files[value_path])
    except OfdFormatError as exc:
        check = unsure(OfdCheckId.FORMAT, SubIndication.FORMAT_FAILURE, exc.message_en,
                       exc.message_zh, exc.code.value)
        return OfdSignatureResult(path, Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE,
                                  (check,))
    signer = _certificate(ses.signer_cert)
    maker = _certificate(ses.seal.maker_cert)
    paths: list[list[_Cert]] = []  # the chains _check_chains found: signer's, seal maker's
    checks = [
        _guarded(OfdCheckId.REFERENCES, _check_references, package, info, signer, digests),
        _guarded(OfdCheckId.COVERAGE, _check_coverage, package, info, exempt),
        _guarded(OfdCheckId.SEAL_SIGNATURE, _check_seal_signature, ses, maker),
        _guarded(OfdCheckId.SEAL_BINDING, _check_binding, ses),
        _guarded(OfdCheckId.SEAL_VALIDITY, _check_seal_validity, ses, now),
        _guarded(OfdCheckId.SIGNATURE_VALUE, _check_signature_value, ses,
                 package.files[path], signer),
        _guarded(OfdCheckId.CERTIFICATE_CHAIN, _check_chains, signer, maker, ses.time_info,
                 roots, intermediates, now, paths),
    ]
    if crls is not None:
        checks.append(_guarded(OfdCheckId.REVOCATION, check_revocation,
                               [[c.parsed for c in p] for p in paths], crls, now))
    indication, sub = combine(checks)
    return OfdSignatureResult(
        path, indication, sub, tuple(checks), ses.version, ses.seal.name, ses.seal.es_id,
        _subject(signer), ses.time_info)


# What asn1crypto raises when a certificate inside a well-formed seal is not what it claims
# (it parses lazily, so this can surface in any check that reads one).
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


def _guarded(check_id: OfdCheckId, run: Callable[..., OfdCheck], *args: object) -> OfdCheck:
    try:
        return run(*args)
    except _DECODE_ERRORS as exc:
        return unsure(check_id, SubIndication.FORMAT_FAILURE,
                      f"a structure needed by this check is malformed ({type(exc).__name__})",
                      "该项检查所需的数据结构格式错误", ErrorCode.OFD_SEAL_MALFORMED.value)


def _subject(cert: _Cert | None) -> str | None:
    try:
        return cert.parsed.subject.human_friendly if cert is not None else None
    except _DECODE_ERRORS:
        return None


def _xml_error(path: str, what: str) -> OfdFormatError:
    return OfdFormatError(ErrorCode.OFD_XML_INVALID, f"{path} {what}", f"{path} 结构不完整", path)


@dataclass(frozen=True)
class _Cert:
    """A certificate with the exact bytes its issuer signed, cut from the DER as received:
    asn1crypto re-encodes a certificate whose fields have been read (slow, and not always the
    same bytes), so signatures are checked over these slices."""

    der: bytes
    tbs: bytes
    algorithm: str
    signature: bytes
    parsed: x509.Certificate
    key: Sm2PublicKey | None


def _certificate(der: bytes) -> _Cert | None:
    try:
        top, end = der_walk.read(der)
        tbs, algorithm, value = top.children()[:3]
        if end != len(der) or value.content[:1] != b"\x00":
            return None
        parsed = x509.Certificate.load(der, strict=True)
        oid = algos.SignedDigestAlgorithm.load(algorithm.der).native["algorithm"]
        try:
            key: Sm2PublicKey | None = Sm2PublicKey.from_der(parsed.public_key.dump())
        except (ValueError, TypeError, KeyError):
            key = None
        return _Cert(der, tbs.der, oid, value.content[1:], parsed, key)
    except (der_walk.DerError, ValueError, TypeError, KeyError, IndexError):
        return None


def _public(cert: _Cert | None) -> Sm2PublicKey | None:
    return cert.key if cert is not None else None


def _check_references(package: OfdPackage, info: Element, signer: _Cert | None,
                      digests: dict[tuple[bytes, str], bytes]) -> OfdCheck:
    refs_el = _child(info, "References")
    if refs_el is None:
        return failed(OfdCheckId.REFERENCES, SubIndication.HASH_FAILURE,
                      "Signature.xml has no References", "Signature.xml 缺少 References")
    method = (refs_el.get("CheckMethod") or "").strip().lower()
    prefix = b""
    if method == _SM3_Z_METHOD:
        key = _public(signer)
        if key is None:
            return unsure(OfdCheckId.REFERENCES, SubIndication.FORMAT_FAILURE,
                          "the signer's key needed by the digests is unreadable",
                          "无法读取计算摘要所需的签章人公钥")
        prefix = sm2_z(key)
    elif method not in _SM3_METHODS:
        return unsure(OfdCheckId.REFERENCES, SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
                      f"digest method {method!r} is not SM3", f"摘要算法 {method} 不是 SM3")
    bad = []
    for ref in refs_el.findall(_NS + "Reference"):
        loc = ref.get("FileRef") or ""
        value = _child(ref, "CheckValue")
        try:
            name = resolve_loc(OFD_ROOT_FILE, loc, package.limits)
            expected = base64.b64decode((value.text or "") if value is not None else "",
                                        validate=True)
        except (OfdFormatError, binascii.Error, ValueError):
            bad.append(loc)
            continue
        data = package.files.get(name)
        if data is None or _digest(digests, prefix, name, data) != expected:
            bad.append(name)
    if bad:
        return failed(OfdCheckId.REFERENCES, SubIndication.HASH_FAILURE,
                      f"changed or missing protected files: {', '.join(sorted(bad)[:5])}",
                      f"受保护文件被修改或缺失：{', '.join(sorted(bad)[:5])}")
    return ok(OfdCheckId.REFERENCES)


def _digest(cache: dict[tuple[bytes, str], bytes], prefix: bytes, name: str,
            data: bytes) -> bytes:
    """SM3(prefix || data), once per file and prefix in a validation: a Signature.xml may name
    a large file many times, and every signature names most files."""
    key = (prefix, name)
    if key not in cache:
        cache[key] = sm3(prefix + data)
    return cache[key]


def _check_coverage(package: OfdPackage, info: Element, exempt: set[str]) -> OfdCheck:
    refs_el = _child(info, "References")
    covered = set()
    for ref in refs_el.findall(_NS + "Reference") if refs_el is not None else ():
        try:
            covered.add(resolve_loc(OFD_ROOT_FILE, ref.get("FileRef") or "", package.limits))
        except OfdFormatError:
            continue
    loose = sorted(set(package.files) - covered - exempt)
    if loose:
        return failed(OfdCheckId.COVERAGE, SubIndication.MODIFIED,
                      f"files the signature does not cover: {', '.join(loose[:5])}",
                      f"签章未保护的文件：{', '.join(loose[:5])}")
    return ok(OfdCheckId.COVERAGE)


def _check_seal_signature(ses: SesSignature, maker: _Cert | None) -> OfdCheck:
    seal = ses.seal
    key = _public(maker)
    if key is None:
        return unsure(OfdCheckId.SEAL_SIGNATURE, SubIndication.FORMAT_FAILURE,
                      "the seal maker's certificate is not an SM2 certificate",
                      "制章人证书不是可读的 SM2 证书")
    if seal.signature_algorithm != OID_SM2_SM3:
        return unsure(OfdCheckId.SEAL_SIGNATURE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
                      f"seal signed with {seal.signature_algorithm}, not SM3withSM2",
                      "印章签名算法不是 SM3withSM2")
    if not sm2_verify(key, seal.signed_bytes, seal.signature):
        return failed(OfdCheckId.SEAL_SIGNATURE, SubIndication.SIG_CRYPTO_FAILURE,
                      "the seal maker's signature over the seal does not verify",
                      "制章人对印章的签名验证失败")
    return ok(OfdCheckId.SEAL_SIGNATURE)


def _check_binding(ses: SesSignature) -> OfdCheck:
    seal = ses.seal
    if ses.signer_cert in seal.signer_certs:
        return ok(OfdCheckId.SEAL_BINDING)
    for kind, digest in seal.signer_cert_digests:
        name = kind.strip().lower().replace("-", "")
        if name == "sm3" and sm3(ses.signer_cert) == digest:
            return ok(OfdCheckId.SEAL_BINDING)
        if name in {"sha1", "sha256"} and hashlib.new(name, ses.signer_cert).digest() == digest:
            return ok(OfdCheckId.SEAL_BINDING)
    if not seal.signer_certs and not seal.signer_cert_digests:
        return unsure(OfdCheckId.SEAL_BINDING, SubIndication.SIG_CONSTRAINTS_FAILURE,
                      "the seal names no signer certificate", "印章未指定签章人证书")
    return failed(OfdCheckId.SEAL_BINDING, SubIndication.SIG_CONSTRAINTS_FAILURE,
                  "the signer is not one the seal was made for",
                  "签章人证书不在印章绑定的证书列表中")


def _check_seal_validity(ses: SesSignature, now: datetime) -> OfdCheck:
    seal, when = ses.seal, ses.time_info
    if when is None or seal.valid_start is None or seal.valid_end is None:
        return unsure(OfdCheckId.SEAL_VALIDITY, SubIndication.FORMAT_FAILURE,
                      "the signing time or the seal's validity is unreadable",
                      "签章时间或印章有效期无法读取")
    if when > now:
        return failed(OfdCheckId.SEAL_VALIDITY, SubIndication.NOT_YET_VALID,
                      "the signing time is in the future", "签章时间晚于当前时间")
    if when < seal.valid_start:
        return failed(OfdCheckId.SEAL_VALIDITY, SubIndication.NOT_YET_VALID,
                      "signed before the seal's validity period", "签章时间早于印章有效期")
    if when > seal.valid_end:
        # As for a certificate (signing.pades_verdict): signed after expiry is INDETERMINATE.
        return unsure(OfdCheckId.SEAL_VALIDITY, SubIndication.EXPIRED,
                      "signed after the seal's validity period", "签章时间晚于印章有效期")
    return ok(OfdCheckId.SEAL_VALIDITY)


def _check_signature_value(ses: SesSignature, signature_xml: bytes,
                           signer: _Cert | None) -> OfdCheck:
    key = _public(signer)
    if key is None:
        return unsure(OfdCheckId.SIGNATURE_VALUE, SubIndication.FORMAT_FAILURE,
                      "the signer's certificate is not an SM2 certificate",
                      "签章人证书不是可读的 SM2 证书")
    if ses.signature_algorithm != OID_SM2_SM3:
        return unsure(OfdCheckId.SIGNATURE_VALUE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
                      f"signed with {ses.signature_algorithm}, not SM3withSM2",
                      "签名算法不是 SM3withSM2")
    accepted = {sm3(signature_xml)}
    if ses.version is SesVersion.V1:  # iOFD's v1 hashes with the signer's Z value (401.2)
        accepted.add(sm3(sm2_z(key) + signature_xml))
    if ses.data_hash not in accepted:
        return failed(OfdCheckId.SIGNATURE_VALUE, SubIndication.HASH_FAILURE,
                      "Signature.xml changed after signing (dataHash does not match)",
                      "Signature.xml 在签章后被修改（原文杂凑值不符）")
    if sm2_verify(key, ses.tbs_bytes, ses.signature):
        return ok(OfdCheckId.SIGNATURE_VALUE)
    if ses.version is SesVersion.V1 and sm2_verify_digest(key, ses.data_hash, ses.signature):
        # iOFD's v1 signs e = dataHash: the seal and the time are not under the signature.
        return unsure(OfdCheckId.SIGNATURE_VALUE, SubIndication.SIG_CONSTRAINTS_FAILURE,
                      "the v1 signature covers the data hash only, not the seal or the time",
                      "v1 签名仅覆盖原文杂凑值，未覆盖印章和时间")
    return failed(OfdCheckId.SIGNATURE_VALUE, SubIndication.SIG_CRYPTO_FAILURE,
                  "the signature value does not verify", "签名值验证失败")


def _check_chains(signer: _Cert | None, maker: _Cert | None, when: datetime | None,
                  roots: Sequence[x509.Certificate], intermediates: Sequence[x509.Certificate],
                  now: datetime, paths: list[list[_Cert]]) -> OfdCheck:
    """The chain check; every path it completes is appended to ``paths`` (for revocation)."""
    anchors = [c for c in (_certificate(r.dump()) for r in roots) if c is not None]
    pool = anchors + [c for c in (_certificate(i.dump()) for i in intermediates) if c is not None]
    for role_en, role_zh, cert in (("signer", "签章人", signer), ("seal maker", "制章人", maker)):
        if cert is None:
            return unsure(OfdCheckId.CERTIFICATE_CHAIN, SubIndication.FORMAT_FAILURE,
                          f"the {role_en} certificate is unreadable", f"{role_zh}证书无法读取")
        problem = _chain_problem(cert, {a.der for a in anchors}, pool, when, now, paths)
        if problem is not None:
            sub, en, zh, is_failure = problem
            make = failed if is_failure else unsure
            return make(OfdCheckId.CERTIFICATE_CHAIN, sub, f"{role_en}: {en}", f"{role_zh}：{zh}")
    return ok(OfdCheckId.CERTIFICATE_CHAIN)


def _chain_problem(cert: _Cert, anchors: set[bytes], pool: list[_Cert], when: datetime | None,
                   now: datetime, paths: list[list[_Cert]]
                   ) -> tuple[SubIndication, str, str, bool] | None:
    path = [cert]
    while path[-1].der not in anchors:
        if len(path) > _MAX_CHAIN:
            return (SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "chain too long", "证书链过长", False)
        current = path[-1]
        issuer = (_issuer_in(pool, current, anchors, exact=True)
                  or _issuer_in(pool, current, anchors, exact=False))
        if issuer is None:
            return (SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                    "no chain to a trusted SM2 root", "无法构建到受信任 SM2 根证书的证书链",
                    False)
        path.append(issuer)
    paths.append(path)
    usage = cert.parsed.key_usage_value
    if usage is not None and not {"digital_signature", "non_repudiation"} & set(usage.native):
        return (SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                "the certificate's key usage does not allow signing", "证书密钥用法不允许签名",
                False)
    for link in path:
        validity = link.parsed["tbs_certificate"]["validity"]
        start, end = validity["not_before"].native, validity["not_after"].native
        if when is not None and when < start:
            return (SubIndication.NOT_YET_VALID, "signed before a certificate's validity",
                    "签章时间早于证书有效期", True)
        if when is not None and when > end:
            return (SubIndication.EXPIRED, "signed after a certificate expired",
                    "签章时间晚于证书有效期", False)
        if now > end:
            return (SubIndication.OUT_OF_BOUNDS_NO_POE,
                    "a certificate has expired and no timestamp proves the signing time",
                    "证书已过期且无时间戳证明签章时间", False)
    return None


def _issuer_in(pool: list[_Cert], cert: _Cert, anchors: set[bytes], *, exact: bool
               ) -> _Cert | None:
    """The certificate of ``pool`` that issued ``cert``: its subject is ``cert``'s issuer
    (with ``exact``, encoded identically, as every issuer we know writes it; without, equal by
    RFC 5280 name matching, which in asn1crypto normalises every attribute and cost a third of
    a validation), it may issue certificates and its key verifies ``cert``'s signature."""
    issuer_name = cert.parsed.issuer
    wanted = issuer_name.dump()
    for candidate in pool:
        if candidate.der == cert.der or not (candidate.der in anchors or _may_issue(candidate)):
            continue
        subject = candidate.parsed.subject
        if exact and subject.dump() != wanted:
            continue
        if not exact and (subject.dump() == wanted or subject != issuer_name):
            continue  # the identical ones were tried first
        if _signed_by(cert, candidate):
            return candidate
    return None


def _may_issue(cert: _Cert) -> bool:
    """An intermediate must be a CA (basic constraints) allowed to sign certificates (key usage,
    when present); trust anchors are trusted as they are."""
    constraints = cert.parsed.basic_constraints_value
    if constraints is None or not constraints["ca"].native:
        return False
    usage = cert.parsed.key_usage_value
    return usage is None or "key_cert_sign" in usage.native


def _signed_by(cert: _Cert, issuer: _Cert) -> bool:
    if issuer.key is None or cert.algorithm != OID_SM2_SM3:
        return False
    return sm2_verify(issuer.key, cert.tbs, cert.signature)

