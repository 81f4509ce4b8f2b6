"""The GB/T 36903 metadata model: the sample records (checked with verify.forms, which elicense
itself may not import), the rules a record must follow, errors that name the field but never
the personal data, and the masked holder code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from licence_helpers import (  # noqa: I001 - a sibling module, put on sys.path by pytest
    SAMPLE_NAMES,
    SAMPLES,
    sample_record,
)
from pydantic import ValidationError

from core import ErrorCode
from elicense import (
    HolderCodeType,
    LicenceRecordInvalidError,
    load_licence,
    mask_holder_code,
    parse_identifier,
    parse_licence,
)
from verify.forms import validate_id_number, validate_person_name, validate_uscc

PERSON_DETAILS = ("经营者", "法定代表人（负责人）")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_records_load(name: str) -> None:
    licence = load_licence(SAMPLES / f"{name}.json")
    assert licence.identifier == sample_record(name)["identifier"]
    assert parse_identifier(licence.identifier).ok


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_records_carry_valid_check_digits(name: str) -> None:
    licence = load_licence(SAMPLES / f"{name}.json")
    assert validate_uscc(licence.issuer_code).ok
    assert validate_uscc(licence.type_code[:18]).ok  # the type-defining authority
    if licence.holder_code_type is HolderCodeType.USCC:
        assert validate_uscc(licence.holder_code).ok
    else:
        assert validate_id_number(licence.holder_code).ok
        assert validate_person_name(licence.holder).ok
    for label in PERSON_DETAILS:
        if licence.detail(label) is not None:
            assert validate_person_name(licence.detail(label)).ok


def test_the_three_samples_cover_both_holder_code_types() -> None:
    kinds = {load_licence(SAMPLES / f"{n}.json").holder_code_type for n in SAMPLE_NAMES}
    assert kinds == {HolderCodeType.USCC, HolderCodeType.RESIDENT_ID}


def test_open_ended_validity() -> None:
    record = sample_record("individual_business_licence")
    assert record["valid_until"] == "长期"
    licence = parse_licence(record)
    assert licence.valid_until is None
    assert licence.in_force_on(date(2099, 1, 1))
    assert not licence.in_force_on(date(2024, 5, 5))
    assert parse_licence({**record, "valid_until": None}).valid_until is None


def test_validity_boundaries_are_inclusive() -> None:
    licence = parse_licence(sample_record("food_business_licence"))
    assert licence.in_force_on(date(2024, 3, 1)) and licence.in_force_on(date(2029, 2, 28))
    assert not licence.in_force_on(date(2029, 3, 1))


def test_details_keep_their_order_and_are_looked_up_by_label() -> None:
    record = sample_record("residence_permit")
    licence = parse_licence(record)
    assert [label for label, _ in licence.details] == list(record["details"])
    assert licence.detail("民族") == "汉"
    assert licence.detail("不存在") is None


def test_the_model_is_frozen() -> None:
    licence = parse_licence(sample_record("food_business_licence"))
    with pytest.raises(ValidationError):
        licence.holder = "别人"  # type: ignore[misc]


@pytest.mark.parametrize(("change", "path"), [
    ({"identifier": "1.2.156.3005.2.111000000000002892902.11110000000000019K.20240000042.001.Q"},
     "identifier"),
    ({"type_code": "11100000000000289290"}, "type_code"),
    ({"issuer_code": "1111000000000001IK"}, "issuer_code"),
    ({"holder_code_type": "999"}, "holder_code_type"),
    ({"jurisdiction_code": "11010"}, "jurisdiction_code"),
    ({"issue_date": "2024-02-30"}, "issue_date"),
    ({"holder": ""}, "holder"),
    ({"colour": "red"}, "colour"),
    ({"details": [["住所", "甲"], ["住所", "乙"]]}, "details"),
])
def test_bad_fields_are_named(change: dict, path: str) -> None:
    record = {**sample_record("food_business_licence"), **change}
    with pytest.raises(LicenceRecordInvalidError) as caught:
        parse_licence(record, "food.json")
    assert caught.value.code is ErrorCode.LICENCE_RECORD_INVALID
    assert caught.value.path == path
    assert caught.value.source == "food.json"


@pytest.mark.parametrize("missing", ["holder", "identifier", "valid_until", "issuer_code"])
def test_missing_fields_are_named(missing: str) -> None:
    record = sample_record("food_business_licence")
    del record[missing]
    with pytest.raises(LicenceRecordInvalidError) as caught:
        parse_licence(record)
    assert caught.value.path == missing


@pytest.mark.parametrize(("change", "words"), [
    ({"holder_code": "43010219900307126"}, "holder_code"),
    ({"holder_code": "91110105MA0000F292"}, "holder_code"),  # a USCC where 111 is declared
    ({"valid_until": "2024-05-31"}, "valid_until is before valid_from"),
    ({"issue_date": "2027-06-01"}, "issue_date is after valid_until"),
    ({"issuer_code": "111101050000007136"}, "issuer_code"),  # not the identifier's
])
def test_cross_field_rules(change: dict, words: str) -> None:
    record = {**sample_record("residence_permit"), **change}
    with pytest.raises(LicenceRecordInvalidError, match=words) as caught:
        parse_licence(record)
    message = caught.value.message_en + caught.value.message_zh
    assert record["holder_code"] not in message and record["holder"] not in message


def test_errors_never_echo_personal_data() -> None:
    record = {**sample_record("residence_permit"), "holder_code": "43010219900307126A"}
    with pytest.raises(LicenceRecordInvalidError) as caught:
        parse_licence(record)
    text = str(caught.value) + caught.value.message_zh
    assert "43010219900307126" not in text and "林晓雨" not in text


def test_unreadable_and_non_object_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    with pytest.raises(LicenceRecordInvalidError, match="unreadable JSON"):
        load_licence(broken)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([1, 2]), "utf-8")
    with pytest.raises(LicenceRecordInvalidError, match="JSON object"):
        load_licence(listed)
    with pytest.raises(LicenceRecordInvalidError):
        load_licence(tmp_path / "absent.json")


def test_masking_a_resident_id_keeps_the_first_and_last_character() -> None:
    assert mask_holder_code("430102199003071269", HolderCodeType.RESIDENT_ID) \
        == "4****************9"
    assert mask_holder_code("11010519491231002X", HolderCodeType.RESIDENT_ID) \
        == "1****************X"
    licence = parse_licence(sample_record("residence_permit"))
    assert licence.masked_holder_code == "4****************9"


def test_a_unified_social_credit_code_is_public_and_not_masked() -> None:
    licence = parse_licence(sample_record("food_business_licence"))
    assert licence.masked_holder_code == licence.holder_code == "91110105MA0000F292"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_masked_id_reveals_nothing_of_the_middle(body: str, check: str) -> None:
    masked = mask_holder_code(body + check, HolderCodeType.RESIDENT_ID)
    assert len(masked) == 18
    assert masked[1:17] == "*" * 16
    assert masked[0] == body[0] and masked[17] == check


def test_masking_short_codes_hides_everything() -> None:
    assert mask_holder_code("12", HolderCodeType.RESIDENT_ID) == "**"


def test_several_problems_are_counted() -> None:
    record = {**sample_record("food_business_licence"), "holder": "", "jurisdiction_code": "1"}
    with pytest.raises(LicenceRecordInvalidError, match=r"and 1 more"):
        parse_licence(record)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_fact_reads_as_the_signed_record_writes_it(name: str) -> None:
    """``Licence.fact`` (what a material's e-licence fields are mapped from) gives each fact as
    the record's JSON has it: the same text the job used to read from the record dict."""
    licence = load_licence(SAMPLES / f"{name}.json")
    written = licence.model_dump(mode="json")
    for field in ("name", "type_code", "number", "identifier", "holder", "holder_code",
                  "holder_code_type", "issuer", "issuer_code", "issue_date", "valid_from",
                  "jurisdiction_code"):
        assert licence.fact(field) == written[field]
    assert licence.fact("valid_until") == (written["valid_until"] or "长期")
    for label, value in written["details"]:
        assert licence.fact(f"details.{label}") == value
    assert licence.fact("details.no such label") is None
    assert licence.fact("details") is None and licence.fact("no_such_fact") is None
