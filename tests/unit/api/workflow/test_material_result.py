"""The material-result codec reads every shape databases already hold — written here as the
literal dicts the jobs stored before results were typed — and writes them back unchanged: an
OCR result, an unreadable file, a job past its deadline, a verified e-licence (with and without
a holder digest), a forged one and one of a type the material does not accept. A stored result
that is no longer an extraction result loads as unreadable, never as an exception."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from api.workflow.material_result import (
    DocumentRead,
    ElicenceRead,
    ElicenceSummary,
    Unreadable,
    decode,
    encode,
)
from core import DocType, DocumentResult, ExtractedField

USCC = "91610113MA26Y1127U"
DIGEST = "ab" * 32

# What process_material stored for an ID card the OCR read (DocumentResult.to_dict()).
OLD_DOCUMENT: dict[str, Any] = {
    "schema_version": 1, "file": "material-3.jpg", "doc_type": "id_card_front", "pages": 1,
    "fields": {"name": {"value": "张伟", "confidence": 0.9876,
                        "box": [[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]]},
               "id_number": {"value": "11010519491231002X", "confidence": 0.91, "box": None,
                             "corrected": True, "raw": "110105194912310021",
                             "notes": ["check_digit_corrected"]}},
    "checkboxes": {}, "readings": ["whole"], "warnings": [{"code": "blurred", "score": 0.71}],
    "lines": [{"text": "姓名 张伟", "score": 0.99, "box": [[0.0, 0.0], [1.0, 0.0],
                                                        [1.0, 1.0], [0.0, 1.0]], "page": 0}],
    "timings": {"load": 0.004, "det": 0.061},
}
OLD_UNREADABLE = {"error": {"code": "input.unreadable", "message_en": "the file is not an image",
                            "message_zh": "文件不是图片"}}
OLD_TIMEOUT = {"error": {"code": "jobs.timeout",
                         "message_en": "processing took longer than 60 s and was abandoned",
                         "message_zh": "处理时间超过 60 秒，已放弃"}}


def _old_summary(code: str, verified: bool, status: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "verified": verified, "indication": "PASSED", "sub_indication": None,
            "issuer_code": "12610100MB2960370P", "issuer_name": "西安市行政审批服务局",
            "identifier": "1.2.156.3005.2.11100000000013338W001.12610100MB2960370P.2025"
                          "00000001.001.X", "type_code": "11100000000013338W001",
            "name": "营业执照", "holder": "西安德润建筑工程有限公司",
            "holder_code_masked": USCC, "valid_until": None, "status": status, **extra}


def _old_elicence(fields: dict[str, str], summary: dict[str, Any]) -> dict[str, Any]:
    """The OCR-shaped dict process_material stored for an e-licence before results were
    typed."""
    return {"schema_version": 1, "file": "material-7.pdf", "doc_type": "business_licence",
            "pages": 1,
            "fields": {key: {"value": value, "confidence": 1.0, "box": None,
                             "source": "elicence"} for key, value in fields.items()},
            "checkboxes": {}, "warnings": [], "lines": [], "timings": {},
            "source": "elicence", "elicence": summary}


VERIFIED_FIELDS = {"uscc": USCC, "legal_representative": "段海", "term_until": "长期"}
OLD_VERIFIED = _old_elicence(VERIFIED_FIELDS, _old_summary("licence.verified", True, "valid"))
OLD_VERIFIED_PERSON = _old_elicence(
    {"name": "张伟"}, _old_summary("licence.verified", True, "valid",
                                   holder_id_sha256=DIGEST, holder_code_masked="1" + "*" * 16
                                   + "X"))
OLD_FORGED = _old_elicence({}, {**_old_summary("licence.forged", False, "invalid"),
                                "indication": "FAILED", "sub_indication": "HASH_FAILURE"})
OLD_NOT_ACCEPTED = _old_elicence({}, _old_summary("licence.type_not_accepted", False, "valid"))
OLD_SHAPES = [OLD_DOCUMENT, OLD_UNREADABLE, OLD_TIMEOUT, OLD_VERIFIED, OLD_VERIFIED_PERSON,
              OLD_FORGED, OLD_NOT_ACCEPTED]


@pytest.mark.parametrize("stored", OLD_SHAPES)
def test_every_stored_shape_loads_and_is_written_back_unchanged(stored: dict[str, Any]) -> None:
    before = copy.deepcopy(stored)
    assert encode(decode(stored)) == before
    assert stored == before  # decoding does not touch the row's JSON


def test_an_ocr_result_is_a_document_with_its_fields() -> None:
    result = decode(OLD_DOCUMENT)
    assert isinstance(result, DocumentRead)
    assert result.document.doc_type is DocType.ID_CARD_FRONT
    name = result.document.fields["name"]
    assert (name.value, name.confidence) == ("张伟", 0.9876)
    assert result.document.fields["id_number"].raw == "110105194912310021"
    assert result.field_values() == {"name": "张伟", "id_number": "11010519491231002X"}


@pytest.mark.parametrize("stored", [OLD_UNREADABLE, OLD_TIMEOUT])
def test_an_error_is_unreadable(stored: dict[str, Any]) -> None:
    result = decode(stored)
    assert isinstance(result, Unreadable)
    assert result.to_dict() == stored["error"] and result.field_values() == {}


def test_a_verified_e_licence_gives_its_fields_and_summary() -> None:
    result = decode(OLD_VERIFIED)
    assert isinstance(result, ElicenceRead) and result.verified
    assert result.doc_type is DocType.BUSINESS_LICENCE and result.file == "material-7.pdf"
    assert result.field_values() == VERIFIED_FIELDS
    assert result.summary.code == "licence.verified" and result.summary.status == "valid"
    assert result.summary.holder_binding is None  # a company: nothing to bind
    document = result.document()
    assert document.doc_type is DocType.BUSINESS_LICENCE and document.file == "material-7.pdf"
    assert document.fields["uscc"] == ExtractedField(USCC, 1.0)
    # The same document the jobs built from the stored dict before.
    assert document.to_dict() == DocumentResult.from_dict(OLD_VERIFIED).to_dict()


def test_a_verified_licence_of_a_person_names_the_holder_to_bind() -> None:
    result = decode(OLD_VERIFIED_PERSON)
    assert isinstance(result, ElicenceRead)
    assert result.summary.holder_binding == (DIGEST, "1" + "*" * 16 + "X")


@pytest.mark.parametrize("stored", [OLD_FORGED, OLD_NOT_ACCEPTED])
def test_an_e_licence_that_did_not_verify_gives_no_fields(stored: dict[str, Any]) -> None:
    result = decode(stored)
    assert isinstance(result, ElicenceRead) and not result.verified
    assert result.field_values() == {} and result.document().fields == {}
    assert result.summary.code == stored["elicence"]["code"]
    assert result.summary.holder_binding is None


def test_a_tampered_summary_reads_non_text_facts_as_none() -> None:
    stored = _old_elicence({}, {**_old_summary("licence.forged", False, "invalid"),
                                "holder": {"x": 1}, "identifier": 42})
    result = decode(stored)
    assert isinstance(result, ElicenceRead)
    assert result.summary.holder is None and result.summary.identifier is None


@pytest.mark.parametrize("stored", [{"fields": {}}, {"doc_type": "id_card_front",
                                                     "fields": {"name": "张伟"}},
                                    {**OLD_VERIFIED, "doc_type": "passport"}])
def test_a_stored_result_that_is_no_extraction_result_loads_as_unreadable(
        stored: dict[str, Any]) -> None:
    result = decode(stored, "material-9")
    assert isinstance(result, Unreadable) and result.code == "material.invalid"
    assert "material-9" in result.message_en


def test_a_new_e_licence_is_stored_in_the_shape_of_the_old_rows() -> None:
    summary = ElicenceSummary.from_dict(OLD_VERIFIED_PERSON["elicence"])
    assert summary.holder_id_sha256 == DIGEST
    result = ElicenceRead(summary=summary, doc_type=DocType.BUSINESS_LICENCE,
                          file="material-7.pdf", fields={"name": "张伟"})
    assert encode(result) == OLD_VERIFIED_PERSON
