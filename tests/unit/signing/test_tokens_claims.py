"""The token claim set: CWT keys, the licence claim map, masking and strict reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokens_support import IDENTIFIER, claims, licence

from core import ErrorCode
from signing.errors import TokenMalformedError
from signing.token_claims import (
    LICENCE_CLAIM_KEY,
    ClaimKey,
    LicenceClaims,
    LicenceField,
    TokenClaims,
    numeric_date,
)


def test_claim_keys_are_the_rfc_8392_ones() -> None:
    assert (ClaimKey.ISS, ClaimKey.EXP, ClaimKey.NBF, ClaimKey.IAT) == (1, 4, 5, 6)
    assert LICENCE_CLAIM_KEY < -65536  # the private-use range of RFC 8392


def test_cwt_map_layout() -> None:
    cwt = claims().to_cwt()
    assert cwt[1] == "11220000013544541J"
    assert cwt[6] == 1772357400  # 2026-03-01T09:30:00Z, seconds since the epoch
    assert cwt[4] == 1930089600  # 2031-03-01T00:00:00Z
    licence_map = cwt[LICENCE_CLAIM_KEY]
    assert licence_map[LicenceField.IDENTIFIER] == IDENTIFIER
    assert licence_map[LicenceField.HOLDER_CODE] == "1****************X"
    assert licence_map[LicenceField.ISSUED_ON] == 20513  # days from 1970-01-01 to 2026-03-01
    assert all(type(key) is int for key in (*cwt, *licence_map))


def test_day_counts_match_known_dates() -> None:
    cwt = claims(licence=licence(issued_on=date(2000, 1, 1), valid_until=date(1970, 1, 2))).to_cwt()
    assert cwt[LICENCE_CLAIM_KEY][LicenceField.ISSUED_ON] == 10957
    assert cwt[LICENCE_CLAIM_KEY][LicenceField.VALID_UNTIL] == 1


def test_round_trip() -> None:
    assert TokenClaims.from_cwt(claims().to_cwt()) == claims()


def test_optional_fields_are_left_out() -> None:
    open_ended = licence(valid_until=None, photo_sha256=None, status_index=None)
    licence_map = open_ended.to_cwt()
    for field in (LicenceField.VALID_UNTIL, LicenceField.PHOTO_SHA256, LicenceField.NAME):
        assert field not in licence_map
    assert LicenceClaims.from_cwt(licence_map) == open_ended
    bare = claims(not_before=None, expires=None).to_cwt()
    assert ClaimKey.NBF not in bare and ClaimKey.EXP not in bare


def test_times_keep_whole_seconds_and_any_timezone() -> None:
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2026, 3, 1, 17, 30, 0, 999_999, tzinfo=beijing)
    cwt = claims(issued_at=moment).to_cwt()
    assert cwt[ClaimKey.IAT] == 1772357400
    assert numeric_date(cwt[ClaimKey.IAT]) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_type_and_issuer_codes_come_from_the_identifier() -> None:
    assert licence().type_code == "11100000000013338W032"
    assert licence().issuer_code == "11220000013544541J"
    other = licence(identifier="LIC-2026-0001")
    assert other.type_code is None and other.issuer_code is None


def test_a_resident_id_must_be_masked() -> None:
    unmasked = claims(licence=licence(holder_code="110101199003071234"))
    with pytest.raises(TokenMalformedError) as caught:
        unmasked.to_cwt()
    assert caught.value.code is ErrorCode.TOKEN_MALFORMED
    assert "110101199003071234" not in str(caught.value)
    company = licence(holder_code="91220104MA0Y123456", holder_code_type="001")
    assert company.to_cwt()[LicenceField.HOLDER_CODE] == "91220104MA0Y123456"


@pytest.mark.parametrize(
    "changes",
    [
        {"photo_sha256": b"\x00" * 20},
        {"status_index": -1},
        {"issued_on": date(1969, 12, 31)},
    ],
)
def test_impossible_values_are_refused(changes: dict) -> None:
    with pytest.raises(TokenMalformedError):
        licence(**changes).to_cwt()


def test_naive_times_are_refused() -> None:
    with pytest.raises(TokenMalformedError):
        claims(issued_at=datetime(2026, 3, 1)).to_cwt()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (LicenceField.IDENTIFIER, None),
        (LicenceField.IDENTIFIER, ""),
        (LicenceField.HOLDER_NAME, b"bytes"),
        (LicenceField.HOLDER_CODE_TYPE, "11"),
        (LicenceField.ISSUED_ON, "2026-03-01"),
        (LicenceField.VALID_FROM, -1),
        (LicenceField.VALID_UNTIL, True),
        (LicenceField.VALID_UNTIL, 10**9),
        (LicenceField.PHOTO_SHA256, "ab" * 32),
        (LicenceField.STATUS_INDEX, 1.0),
        (LicenceField.STATUS_INDEX, -5),
    ],
)
def test_wrong_field_types_are_malformed(field: LicenceField, value: object) -> None:
    licence_map = licence().to_cwt()
    licence_map[field] = value
    with pytest.raises(TokenMalformedError):
        LicenceClaims.from_cwt(licence_map)


@pytest.mark.parametrize(
    ("key", "value"),
    [(ClaimKey.IAT, None), (ClaimKey.IAT, "2026"), (ClaimKey.EXP, True), (ClaimKey.ISS, 7),
     (LICENCE_CLAIM_KEY, [1, 2]), (ClaimKey.NBF, 10**30)],
)
def test_wrong_claims_are_malformed(key: int, value: object) -> None:
    cwt = claims().to_cwt()
    cwt[key] = value
    with pytest.raises(TokenMalformedError):
        TokenClaims.from_cwt(cwt)


def test_unknown_claims_and_fields_are_ignored() -> None:
    cwt = claims().to_cwt()
    cwt[7] = b"token id"
    cwt[LICENCE_CLAIM_KEY][99] = "a later field"
    assert TokenClaims.from_cwt(cwt) == claims()


def test_float_numeric_dates_are_read() -> None:
    assert numeric_date(1.5) == datetime(1970, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)


TEXT = st.text(min_size=1, max_size=20)
DAYS = st.dates(min_value=date(1970, 1, 1))


@given(
    st.builds(
        LicenceClaims,
        identifier=st.text(min_size=1, max_size=80),
        holder_name=TEXT,
        holder_code=TEXT,
        holder_code_type=st.just("001") | st.from_regex(r"\d{3}", fullmatch=True),
        issuer_name=TEXT,
        issued_on=DAYS,
        valid_from=DAYS,
        valid_until=st.none() | DAYS,
        name=st.none() | TEXT,
        photo_sha256=st.none() | st.binary(min_size=32, max_size=32),
        status_index=st.none() | st.integers(min_value=0, max_value=2**40),
    )
)
def test_whatever_we_may_encode_we_read_back(licence_claims: LicenceClaims) -> None:
    if licence_claims.holder_code_type == "111" and "*" not in licence_claims.holder_code:
        with pytest.raises(TokenMalformedError):
            licence_claims.to_cwt()
        return
    assert LicenceClaims.from_cwt(licence_claims.to_cwt()) == licence_claims
