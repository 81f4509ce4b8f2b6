"""The licence identifier (证照标识) after GB/T 36904, and its ISO/IEC 7064 MOD 37,36 check char.

Form: ``1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check char>``

- ``1.2.156.3005.2`` is the fixed OID arc for licence identifiers;
- the type code (证照类型代码) is 21 characters: the 18-character unified social credit code of
  the body that defined the licence type, then a 3-digit sequence number;
- the issuer code (颁发机构代码) is the issuing body's 18-character unified social credit code;
- the serial (流水号) is chosen by the issuer: we accept 1 to 32 digits or capital letters (the
  examples from real platforms carry 7 and 11 digits);
- the version is 3 digits, ``001`` for a first issue;
- the check character is ISO/IEC 7064 MOD 37,36 (the hybrid system over the alphabet 0-9A-Z)
  computed over type code + issuer code + serial + version concatenated *without* the dots and
  without the OID prefix.

The structure checks on the two embedded unified social credit codes are charset and length only:
their own GB 32100 check characters are checked by ``verify.forms``, which ``elicense`` may not
import (tests and ``api`` do).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

OID_PREFIX: Final = "1.2.156.3005.2"
MOD37_36_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARSET: Final = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
SERIAL_MAX_LENGTH: Final = 32
_M: Final = 36
_DIGITS: Final = frozenset("0123456789")
_ALPHABET: Final = frozenset(MOD37_36_ALPHABET)


class IdentifierProblem(StrEnum):
    """Why a string is not a valid licence identifier. Values are stable."""

    PREFIX = "prefix"
    PARTS = "parts"
    TYPE_CODE = "type_code"
    ISSUER_CODE = "issuer_code"
    SERIAL = "serial"
    VERSION = "version"
    CHECK_CHAR = "check_char"


def mod37_36_check_char(body: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character of ``body`` (characters from 0-9A-Z).

    Hybrid system with M = 36: start with P = M; for each character S = (P + value) mod M, with 0
    read as M; then P = 2S mod (M + 1). The check character's value makes (P + value) mod M = 1.
    Raises ``ValueError`` for an empty body or a character outside the alphabet.
    """
    if not body or not set(body) <= _ALPHABET:
        raise ValueError("a MOD 37,36 body is one or more characters from 0-9A-Z")
    product = _M
    for char in body:
        total = (product + MOD37_36_ALPHABET.index(char)) % _M or _M
        product = (2 * total) % (_M + 1)
    return MOD37_36_ALPHABET[(_M + 1 - product) % _M]


@dataclass(frozen=True, slots=True)
class LicenceIdentifier:
    """A well-formed identifier's parts; ``str()`` gives the dotted form with its check char.

    Build one with :meth:`create` (which checks the parts) or get one from
    :func:`parse_identifier`.
    """

    type_code: str
    issuer_code: str
    serial: str
    version: int = 1

    @classmethod
    def create(
        cls, type_code: str, issuer_code: str, serial: str, version: int = 1
    ) -> LicenceIdentifier:
        """Check the parts and build the identifier; ``ValueError`` names the bad part."""
        problems = _part_problems(type_code, issuer_code, serial, f"{version:03d}")
        if problems:
            raise ValueError(f"licence identifier part is malformed: {problems[0].value}")
        return cls(type_code, issuer_code, serial, version)

    @property
    def body(self) -> str:
        """Type code + issuer code + serial + version without dots: what the check char covers."""
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version:03d}"

    @property
    def check_char(self) -> str:
        return mod37_36_check_char(self.body)

    def __str__(self) -> str:
        return (f"{OID_PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}."
                f"{self.version:03d}.{self.check_char}")


@dataclass(frozen=True, slots=True)
class IdentifierCheck:
    """The outcome of :func:`parse_identifier`: ``problems`` is empty when the value is valid.

    ``identifier`` holds the parts whenever they are well formed, even if the check character is
    wrong (then ``expected_check`` is the character the body calls for).
    """

    value: str
    problems: tuple[IdentifierProblem, ...] = ()
    identifier: LicenceIdentifier | None = None
    expected_check: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_identifier(value: str) -> IdentifierCheck:
    """Split and check a licence identifier; never raises. Strict: no spaces, capitals only."""
    if not value.startswith(OID_PREFIX + "."):
        return IdentifierCheck(value, (IdentifierProblem.PREFIX,))
    parts = value[len(OID_PREFIX) + 1:].split(".")
    if len(parts) != 5:
        return IdentifierCheck(value, (IdentifierProblem.PARTS,))
    type_code, issuer_code, serial, version, check = parts
    problems = _part_problems(type_code, issuer_code, serial, version)
    if problems:
        return IdentifierCheck(value, tuple(problems))
    identifier = LicenceIdentifier(type_code, issuer_code, serial, int(version))
    expected = identifier.check_char
    if check != expected:
        return IdentifierCheck(value, (IdentifierProblem.CHECK_CHAR,), identifier, expected)
    return IdentifierCheck(value, (), identifier)


def is_type_code(code: str) -> bool:
    """21 characters: a unified social credit code (charset only) and a 3-digit sequence."""
    return len(code) == 21 and _is_uscc_shaped(code[:18]) and set(code[18:]) <= _DIGITS


def _is_uscc_shaped(code: str) -> bool:
    return len(code) == 18 and set(code) <= USCC_CHARSET


def _part_problems(
    type_code: str, issuer_code: str, serial: str, version: str
) -> list[IdentifierProblem]:
    problems = []
    if not is_type_code(type_code):
        problems.append(IdentifierProblem.TYPE_CODE)
    if not _is_uscc_shaped(issuer_code):
        problems.append(IdentifierProblem.ISSUER_CODE)
    if not (1 <= len(serial) <= SERIAL_MAX_LENGTH and set(serial) <= _ALPHABET):
        problems.append(IdentifierProblem.SERIAL)
    if not (len(version) == 3 and set(version) <= _DIGITS and version != "000"):
        problems.append(IdentifierProblem.VERSION)
    return problems
