"""A minimal DER reader that hands out the exact bytes of each element, for the PAdES fast path.

asn1crypto re-encodes a structure whose children it has touched (``dump()`` on a CMS it has
looked into took a second per call in :mod:`signing.pades_fast`), and a signature must be
checked over the bytes as received. So the fast path walks CMS with this module, which only
slices, and loads the few leaves it interprets (TSTInfo, ESS signing-certificate) with
asn1crypto from their own bytes. Definite lengths only (DER); anything else raises
:class:`DerError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core

SEQUENCE, SET, INTEGER, OCTET_STRING, OID = 0x30, 0x31, 0x02, 0x04, 0x06


class DerError(ValueError):
    """Not the DER this reader accepts."""


@dataclass(frozen=True)
class Element:
    """One TLV: its tag byte, the whole encoding and its content."""

    tag: int
    der: bytes
    content: bytes

    def children(self) -> list[Element]:
        return elements(self.content)

    def expect(self, tag: int) -> Element:
        if self.tag != tag:
            raise DerError(f"expected tag {tag:#x}, got {self.tag:#x}")
        return self


def read(data: bytes, pos: int = 0) -> tuple[Element, int]:
    """The element at ``pos`` and where it ends."""
    if pos + 2 > len(data):
        raise DerError("truncated")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not read")
    first = data[pos + 1]
    if first < 0x80:
        length, header = first, 2
    else:
        count = first & 0x7F
        if not 1 <= count <= 4:
            raise DerError("bad length")
        length = int.from_bytes(data[pos + 2:pos + 2 + count], "big")
        header = 2 + count
        if length < 0x80 or length >> (8 * (count - 1)) == 0:
            raise DerError("length not minimal")
    end = pos + header + length
    if end > len(data):
        raise DerError("truncated")
    return Element(tag, data[pos:end], data[pos + header:end]), end


def load(data: bytes) -> Element:
    """The single element that is all of ``data``."""
    element, end = read(data)
    if end != len(data):
        raise DerError("trailing bytes")
    return element


def elements(data: bytes) -> list[Element]:
    out, pos = [], 0
    while pos < len(data):
        element, pos = read(data, pos)
        out.append(element)
    return out


def oid(dotted: str) -> bytes:
    """The DER of an object identifier (for comparisons with :attr:`Element.der`)."""
    return core.ObjectIdentifier(dotted).dump()


def integer(element: Element) -> int:
    element.expect(INTEGER)
    return int.from_bytes(element.content, "big", signed=True)
