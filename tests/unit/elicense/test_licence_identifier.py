"""GB/T 36904 licence identifiers and their ISO/IEC 7064 MOD 37,36 check character: the two
identifiers from real platforms quoted in issue 4, an independent verifier, single-character
substitutions, and the problems ``parse_identifier`` names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from licence_helpers import (  # noqa: I001 - a sibling module, put on sys.path by pytest
    ALPHABET,
    iso7064_hybrid_valid,
    serials,
    type_codes,
    uscc_shaped,
    versions,
)

from elicense import (
    IdentifierProblem,
    LicenceIdentifier,
    mod37_36_check_char,
    parse_identifier,
)

REAL = (
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
)


def test_reproduces_both_check_chars_of_the_real_identifiers() -> None:
    # The body is type code + issuer code + serial + version without dots (written out here).
    assert mod37_36_check_char("11100000000013338W032" "11220000013544541J" "2430599" "001") == "F"
    assert mod37_36_check_char("11100000000013338W011" "11430000006122244L" "20230000403"
                               "001") == "U"


@pytest.mark.parametrize("value", REAL)
def test_real_identifiers_parse(value: str) -> None:
    check = parse_identifier(value)
    assert check.ok and check.problems == ()
    assert check.identifier is not None
    assert str(check.identifier) == value
    assert iso7064_hybrid_valid(check.identifier.body + value[-1])


def test_parts_of_a_real_identifier() -> None:
    parts = parse_identifier(REAL[1]).identifier
    assert parts == LicenceIdentifier("11100000000013338W011", "11430000006122244L",
                                      "20230000403", 1)


def test_independent_verifier_accepts_generated_and_rejects_others() -> None:
    body = "11100000000013338W032" "11220000013544541J" "2430599" "001"
    for char in ALPHABET:
        assert iso7064_hybrid_valid(body + char) == (char == "F")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
def test_generated_check_char_passes_the_verifier(body: str) -> None:
    assert iso7064_hybrid_valid(body + mod37_36_check_char(body))


@settings(max_examples=300, deadline=None)
@given(type_codes, uscc_shaped, serials, versions, st.data())
def test_every_single_character_substitution_is_detected(
    type_code: str, issuer: str, serial: str, version: int, data: st.DataObject
) -> None:
    valid = str(LicenceIdentifier.create(type_code, issuer, serial, version))
    assert parse_identifier(valid).ok
    # Any position after the OID prefix that is not a dot, the check char included.
    positions = [i for i, c in enumerate(valid) if i > len("1.2.156.3005.2") and c != "."]
    index = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != valid[index]]))
    forged = valid[:index] + replacement + valid[index + 1:]
    check = parse_identifier(forged)
    assert not check.ok
    if check.identifier is not None:  # still well formed: only the check char can catch it
        assert check.problems == (IdentifierProblem.CHECK_CHAR,)


def test_wrong_check_char_names_the_expected_one() -> None:
    check = parse_identifier(REAL[0][:-1] + "G")
    assert check.problems == (IdentifierProblem.CHECK_CHAR,)
    assert check.expected_check == "F"
    assert check.identifier is not None and check.identifier.serial == "2430599"


@pytest.mark.parametrize(("value", "problems"), [
    ("", (IdentifierProblem.PREFIX,)),
    ("1.2.156.3005.1.11100000000013338W032.11220000013544541J.2430599.001.F",
     (IdentifierProblem.PREFIX,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.F",
     (IdentifierProblem.PARTS,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430.599.001.F",
     (IdentifierProblem.PARTS,)),
    ("1.2.156.3005.2.11100000000013338W32.11220000013544541J.2430599.001.F",
     (IdentifierProblem.TYPE_CODE,)),
    ("1.2.156.3005.2.11100000000013338WA32.11220000013544541J.2430599.001.F",
     (IdentifierProblem.TYPE_CODE,)),
    ("1.2.156.3005.2.11100000000013338W032.1122000001354454IJ.2430599.001.F",
     (IdentifierProblem.ISSUER_CODE,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J..001.F",
     (IdentifierProblem.SERIAL,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599a.001.F",
     (IdentifierProblem.SERIAL,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J." + "1" * 33 + ".001.F",
     (IdentifierProblem.SERIAL,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F",
     (IdentifierProblem.VERSION,)),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F",
     (IdentifierProblem.VERSION,)),
    ("1.2.156.3005.2.1110000000001333W032.1122000001354454J.2430599.1000.F",
     (IdentifierProblem.TYPE_CODE, IdentifierProblem.ISSUER_CODE,
      IdentifierProblem.VERSION)),
])
def test_problems_are_named(value: str, problems: tuple[IdentifierProblem, ...]) -> None:
    check = parse_identifier(value)
    assert check.problems == problems
    assert not check.ok and check.identifier is None


def test_lower_case_and_spaces_are_not_accepted() -> None:
    assert not parse_identifier(REAL[0].lower()).ok
    assert not parse_identifier(" " + REAL[0]).ok
    assert not parse_identifier(REAL[0] + " ").ok


def test_version_is_printed_with_three_digits() -> None:
    identifier = LicenceIdentifier.create("11100000000013338W032", "11220000013544541J",
                                          "2430599", 12)
    assert str(identifier).split(".")[-2] == "012"
    assert parse_identifier(str(identifier)).identifier == identifier


@pytest.mark.parametrize(("args", "part"), [
    (("11100000000013338W03", "11220000013544541J", "1", 1), "type_code"),
    (("11100000000013338W032", "11220000013544541", "1", 1), "issuer_code"),
    (("11100000000013338W032", "11220000013544541J", "", 1), "serial"),
    (("11100000000013338W032", "11220000013544541J", "1", 0), "version"),
    (("11100000000013338W032", "11220000013544541J", "1", 1000), "version"),
])
def test_create_refuses_malformed_parts(args: tuple, part: str) -> None:
    with pytest.raises(ValueError, match=part):
        LicenceIdentifier.create(*args)


@pytest.mark.parametrize("body", ["", "abc", "12.3", "Ä"])
def test_check_char_refuses_a_bad_body(body: str) -> None:
    with pytest.raises(ValueError):
        mod37_36_check_char(body)
