"""PAdES signing: the structure of what ``sign_pdf`` writes, read back with pyHanko's reader and
plain byte parsing (not with our validator), and the levels B-B .. B-LTA."""

from __future__ import annotations

import io
import json

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pades_fixtures import (
    check_time,
    sign_time,
    sign_with,
    signature_cms,
    signed_licence,  # noqa: F401 - fixture
    simple_pdf,
    validate_with,
)
from pyhanko.pdf_utils.reader import PdfFileReader

from core import ErrorCode
from signing import CertRole, KeyStore, encode_kid, key_id
from signing.errors import PdfSigningError
from signing.pades_sign import sign_pdf
from signing.pades_verdict import Indication, PadesLevel, PdfCheckId, SubIndication


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_b_lta_structure(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    reader = PdfFileReader(io.BytesIO(signed_licence))
    kinds = [(s.field_name, s.sig_object_type) for s in reader.embedded_signatures]
    assert kinds == [("Licence", "/Sig"), ("LicenceTimestamp", "/DocTimeStamp")]
    signature, stamp = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert stamp.sig_object["/SubFilter"] == "/ETSI.RFC3161"
    assert signature.sig_object["/Reason"] == "licence issued"
    # Three revisions: the original, the signature, DSS + document timestamp.
    assert signed_licence.count(b"%%EOF") == 3
    dss = reader.root["/DSS"]
    dss_certs = {bytes(ref.get_object().data) for ref in dss["/Certs"]}
    for role in CertRole:
        assert der(pki_store.certificate(role)) in dss_certs, role
    dss_crls = {bytes(ref.get_object().data) for ref in dss["/CRLs"]}
    assert dss_crls == {crl.public_bytes(serialization.Encoding.DER) for crl in pki_store.crls()}


def test_cms_is_ecdsa_sha256_with_a_signature_timestamp(pki_store: KeyStore,
                                                        signed_licence: bytes) -> None:  # noqa: F811
    der_cms, _, _ = signature_cms(signed_licence)
    signed_data = cms.ContentInfo.load(der_cms)["content"]
    info = signed_data["signer_infos"][0]
    assert info["digest_algorithm"]["algorithm"].native == "sha256"
    assert info["signature_algorithm"]["algorithm"].native in {"sha256_ecdsa", "ecdsa"}
    unsigned = {attr["type"].native: attr for attr in info["unsigned_attrs"]}
    assert "signature_time_stamp_token" in unsigned
    certs = {c.chosen.dump() for c in signed_data["certificates"]}
    assert der(pki_store.signer().certificate) in certs


def test_signed_b_lta_passes_and_reports_the_signer(pki_store: KeyStore,
                                                    signed_licence: bytes) -> None:  # noqa: F811
    verdict = validate_with(pki_store, signed_licence)
    assert verdict.indication is Indication.PASSED, verdict
    assert verdict.sub_indication is None
    assert verdict.level is PadesLevel.B_LTA
    assert verdict.signing_time == sign_time(pki_store)
    cert = pki_store.signer().certificate
    assert verdict.signer_kid == encode_kid(key_id(cert))
    assert verdict.signer_subject == cert.subject.rfc4514_string()
    assert {c.check for c in verdict.checks} == set(PdfCheckId)
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["indication"] == "PASSED" and data["level"] == "B-LTA"
    assert data["signing_time"] == sign_time(pki_store).isoformat()
    assert len(data["checks"]) == len(PdfCheckId)


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T, PadesLevel.B_LT])
def test_lower_levels(pki_store: KeyStore, level: PadesLevel) -> None:
    signed = sign_with(pki_store, level=level)
    reader = PdfFileReader(io.BytesIO(signed))
    assert [s.sig_object_type for s in reader.embedded_signatures] == ["/Sig"]
    assert ("/DSS" in reader.root) == (level is PadesLevel.B_LT)
    strict = validate_with(pki_store, signed)
    assert strict.indication is Indication.INDETERMINATE
    assert strict.level is level
    relaxed = validate_with(pki_store, signed, required_level=level)
    assert relaxed.indication is Indication.PASSED, relaxed
    assert relaxed.level is level
    # Without a timestamp the signing time is unproven.
    assert (relaxed.signing_time is None) == (level is PadesLevel.B_B)


def test_lower_level_is_reported_as_a_constraint_failure(pki_store: KeyStore) -> None:
    verdict = validate_with(pki_store, sign_with(pki_store, level=PadesLevel.B_LT))
    assert verdict.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    stamp = verdict.check(PdfCheckId.DOCUMENT_TIMESTAMP)
    assert stamp is not None and stamp.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE


def test_timestamped_levels_need_a_timestamper(pki_store: KeyStore) -> None:
    with pytest.raises(ValueError, match="timestamper"):
        sign_pdf(simple_pdf(), pki_store.signer(), None, level=PadesLevel.B_T)


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"])
def test_unreadable_input_raises_a_coded_error(pki_store: KeyStore, data: bytes) -> None:
    with pytest.raises(PdfSigningError) as caught:
        sign_with(pki_store, data)
    assert caught.value.code is ErrorCode.INPUT_CORRUPT


def test_a_signed_licence_is_signed_at_the_given_time(pki_store: KeyStore,
                                                      signed_licence: bytes) -> None:  # noqa: F811
    reader = PdfFileReader(io.BytesIO(signed_licence))
    claimed = reader.embedded_signatures[0].self_reported_timestamp
    assert claimed == sign_time(pki_store)
    assert check_time(pki_store) > claimed
