"""A strict, minimal reader of the PDF layout our issuer writes, for the PAdES fast path.

It reads classic cross-reference tables only (``xref`` ... ``trailer`` ... ``startxref`` ...
``%%EOF``), follows ``/Prev`` from the last one, and parses single objects on demand: numbers,
names (``#xx`` escapes decoded), literal and hex strings, arrays, dictionaries, references, the
three keywords and streams whose ``/Length`` is a direct integer. No cross-reference streams, no
object streams, no recovery of broken files: anything else raises :class:`LayoutError`, and
the caller hands the file to pyHanko (:mod:`signing.pades_validate`).

Owned by :mod:`signing.pades_fast`; no pyHanko, no cryptography here.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

WHITESPACE = b"\x00\t\n\f\r "
MAX_REVISIONS = 8
DOCUMENT_CACHE_SIZE = 4
MAX_CACHED_BYTES = 1024 * 1024  # ours are under 100 KB
MAX_OBJECTS = 10_000
_END = re.compile(rb"startxref(?:\r\n|\r|\n)(\d{1,12})(?:\r\n|\r|\n)%%EOF(\r\n|\r|\n)?")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_SUBSECTION = re.compile(rb"(\d{1,7}) (\d{1,7})(?:\r\n|\r|\n| \r\n| \n| \r)")
_OBJ_HEADER = re.compile(rb"(\d{1,7}) (\d{1,5}) obj")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
MAX_DEPTH = 32
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_BAD_ESCAPE = re.compile(rb"#(?![0-9A-Fa-f]{2})")
_COMMENT_END = re.compile(rb"[\r\n]")


class LayoutError(ValueError):
    """The bytes are not the exact layout this reader accepts (internal to the fast path)."""


class Name(str):
    """A PDF name, ``/Type`` (kept with its slash)."""

    __slots__ = ()


class Ref(NamedTuple):
    """An indirect reference ``number generation R`` (a named tuple: made by the thousand)."""

    number: int
    generation: int


@dataclass(frozen=True)
class HexString:
    value: bytes


@dataclass(frozen=True)
class Stream:
    """A stream object: its dictionary and its raw (encoded) bytes."""

    dictionary: dict[Name, PdfValue]
    raw: bytes


PdfValue = None | bool | int | float | Name | bytes | HexString | Ref | list | dict | Stream


@dataclass
class Revision:
    """One incremental section: its xref entries (number -> offset, in-use only), the free
    entries' numbers, its trailer, where its body starts and where it ends (after ``%%EOF``
    and its end-of-line), and where its ``xref`` keyword is."""

    entries: dict[int, int]
    free: set[int]
    trailer: dict[Name, PdfValue]
    xref_offset: int
    end: int
    start: int = 0


@dataclass
class Document:
    """A PDF read by :func:`read_document`: the raw bytes and its revisions, oldest first."""

    data: bytes
    revisions: list[Revision]
    _cache: dict[tuple[int, int], tuple[PdfValue, int]] = field(default_factory=dict)

    def offset(self, number: int, upto: int | None = None) -> int | None:
        """The offset of object ``number`` as revision ``upto`` (default: the last) sees it."""
        last = len(self.revisions) - 1 if upto is None else upto
        for index in range(last, -1, -1):
            revision = self.revisions[index]
            if number in revision.entries:
                return revision.entries[number]
            if number in revision.free:
                return None
        return None

    def object_at(self, offset: int, number: int) -> PdfValue:
        return self.object_span(offset, number)[0]

    def object_span(self, offset: int, number: int) -> tuple[PdfValue, int]:
        """Object ``number`` at ``offset`` and where its ``endobj`` ends (parsed once)."""
        key = (offset, number)
        if key not in self._cache:
            self._cache[key] = parse_indirect(self.data, offset, number)
        return self._cache[key]

    def get(self, number: int, upto: int | None = None) -> PdfValue:
        """Object ``number`` as revision ``upto`` (default: the last) sees it."""
        offset = self.offset(number, upto)
        if offset is None:
            raise LayoutError(f"object {number} not found")
        return self.object_at(offset, number)

    def resolve(self, value: PdfValue, upto: int | None = None) -> PdfValue:
        return self.get(value.number, upto) if isinstance(value, Ref) else value


def read_document_cached(data: bytes) -> Document:
    """:func:`read_document`, remembered for the last few files of up to
    :data:`MAX_CACHED_BYTES`: the licence verifier reads the same bytes twice in one call
    (attachments, then the signature). A parse, not a verdict."""
    if len(data) > MAX_CACHED_BYTES:
        return read_document(data)
    return _read_document_lru(data)


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _read_document_lru(data: bytes) -> Document:
    return read_document(data)


def clear_document_cache() -> None:
    """Forget every remembered parse (benchmarks of files never seen before; tests)."""
    _read_document_lru.cache_clear()


def read_document(data: bytes) -> Document:
    """The revisions of ``data``: the file must end in ``startxref``, its offset, ``%%EOF`` and at
    most one end-of-line, and every revision must be a classic table that ends right where the
    next revision's body begins."""
    tail_start = data.rfind(b"startxref", max(0, len(data) - 64))
    match = _END.fullmatch(data, tail_start) if tail_start >= 0 else None
    if match is None:
        raise LayoutError("the file does not end in startxref / %%EOF")
    revisions: list[Revision] = []
    xref_offset, end = int(match.group(1)), match.end()
    while True:
        if len(revisions) >= MAX_REVISIONS:
            raise LayoutError("too many revisions")
        revision = _read_xref(data, xref_offset, end)
        revisions.append(revision)
        prev = revision.trailer.get(Name("/Prev"))
        if prev is None:
            break
        if not isinstance(prev, int) or isinstance(prev, bool) or prev >= xref_offset:
            raise LayoutError("bad /Prev")
        # The previous revision ends with its own startxref/%%EOF right before this body.
        xref_offset = prev
        end = _previous_end(data, revision, prev)
    revisions.reverse()
    for earlier, later in zip(revisions, revisions[1:], strict=False):
        later.start = earlier.end
    return Document(data, revisions)


def _previous_end(data: bytes, revision: Revision, prev: int) -> int:
    """Where the revision before ``revision`` ends: after the first ``startxref`` following its
    xref at ``prev``, which must name ``prev``."""
    found = data.find(b"startxref", prev)
    match = _END.match(data, found) if found >= 0 else None
    if match is None or int(match.group(1)) != prev:
        raise LayoutError("the previous revision does not end cleanly")
    if revision.entries and min(revision.entries.values()) < match.end():
        raise LayoutError("a revision's objects start before the previous one ends")
    return match.end()


def _read_xref(data: bytes, offset: int, end: int) -> Revision:
    if data[offset:offset + 4] != b"xref":
        raise LayoutError("startxref does not point at a classic xref table")
    pos = offset + 4
    pos = _eol(data, pos)
    entries: dict[int, int] = {}
    free: set[int] = set()
    while not data.startswith(b"trailer", pos):
        sub = _SUBSECTION.match(data, pos)
        if sub is None:
            raise LayoutError("bad xref subsection")
        first, count = int(sub.group(1)), int(sub.group(2))
        pos = sub.end()
        if first + count > MAX_OBJECTS:
            raise LayoutError("too many objects")
        for number in range(first, first + count):
            entry = _XREF_ENTRY.match(data, pos)
            if entry is None:
                raise LayoutError("bad xref entry")
            pos = entry.end()
            if number in entries or number in free:
                raise LayoutError("object listed twice in one xref")
            if entry.group(3) == b"n":
                if int(entry.group(2)) != 0:
                    raise LayoutError("non-zero generation")
                entries[number] = int(entry.group(1))
            else:
                free.add(number)
    pos = _skip_ws(data, pos + len(b"trailer"))
    trailer, pos = parse_value(data, pos, 0)
    if not isinstance(trailer, dict):
        raise LayoutError("trailer is not a dictionary")
    pos = _skip_ws(data, pos)
    match = _END.match(data, pos)
    if match is None or int(match.group(1)) != offset or match.end() != end:
        raise LayoutError("the trailer is not followed by its startxref / %%EOF")
    return Revision(entries, free, trailer, offset, end)


def _eol(data: bytes, pos: int) -> int:
    if data.startswith(b"\r\n", pos):
        return pos + 2
    if data[pos:pos + 1] in (b"\n", b"\r"):
        return pos + 1
    if data.startswith(b" \n", pos) or data.startswith(b" \r", pos):
        return pos + 2
    raise LayoutError("expected an end of line")


def _skip_ws(data: bytes, pos: int) -> int:
    """Past white space and comments (``%`` to the end of the line)."""
    size = len(data)
    while pos < size:
        char = data[pos]
        if char in WHITESPACE:
            pos += 1
        elif char == 0x25:  # %
            match = _COMMENT_END.search(data, pos)
            pos = match.start() if match else size
        else:
            break
    return pos


def parse_indirect(data: bytes, offset: int, number: int) -> tuple[PdfValue, int]:
    """The object ``number 0 obj ... endobj`` at ``offset`` and where ``endobj`` ends."""
    header = _OBJ_HEADER.match(data, offset)
    if header is None or int(header.group(1)) != number or header.group(2) != b"0":
        raise LayoutError(f"object {number} is not where the xref says")
    pos = _skip_ws(data, header.end())
    value, pos = parse_value(data, pos, 0)
    pos = _skip_ws(data, pos)
    if data.startswith(b"stream", pos):
        if not isinstance(value, dict):
            raise LayoutError("stream without a dictionary")
        length = value.get(Name("/Length"))
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            raise LayoutError("stream /Length is not a direct integer")
        pos += len(b"stream")
        if data.startswith(b"\r\n", pos):
            pos += 2
        elif data[pos:pos + 1] == b"\n":
            pos += 1
        else:
            raise LayoutError("bad stream keyword end")
        raw = data[pos:pos + length]
        if len(raw) != length:
            raise LayoutError("stream runs past the end of the file")
        pos = _skip_ws(data, pos + length)
        if not data.startswith(b"endstream", pos):
            raise LayoutError("no endstream where /Length says")
        pos = _skip_ws(data, pos + len(b"endstream"))
        value = Stream(value, raw)
    if not data.startswith(b"endobj", pos):
        raise LayoutError("no endobj")
    return value, pos + len(b"endobj")


_REGULAR = rb"[^\x00\t\n\f\r ()<>\[\]{}/%]"
_WS = rb"[\x00\t\n\f\r ]"
_TOKEN = re.compile(
    _WS + rb"*(?:%[^\r\n]*" + _WS + rb"*)*"
    rb"(?:(<<)|(>>)|(\[)|(\])|(/" + _REGULAR + rb"*)|<([0-9A-Fa-f\x00\t\n\f\r ]*)>|(\()"
    rb"|(\d{1,10})" + _WS + rb"+(\d{1,5})" + _WS + rb"+R(?!" + _REGULAR + rb")"
    rb"|([+-]?(?:\d+\.?\d*|\.\d+))(?!" + _REGULAR + rb")"
    rb"|(true|false|null|R)(?!" + _REGULAR + rb"))")
_DICT_OPEN, _DICT_CLOSE, _ARRAY_OPEN, _ARRAY_CLOSE = 1, 2, 3, 4
_NAME, _HEX, _LITERAL, _REF, _NUM, _KEYWORD = 5, 6, 7, 9, 10, 11
# Names seen so far, decoded (a PDF uses few distinct ones; the table stops growing at the cap).
_NAMES: dict[bytes, Name] = {}
_MAX_NAMES = 4096
_KEYWORDS = {b"true": True, b"false": False, b"null": None}
_LITERAL_SPECIAL = re.compile(rb"[()\\\r]")
_OCTAL = re.compile(rb"[0-7]{1,3}")
_SIMPLE_LITERAL = re.compile(rb"[^()\\\r]*\)")


def parse_value(data: bytes, pos: int, depth: int = 0) -> tuple[PdfValue, int]:
    """One direct value at ``pos`` (after skipping white space and comments) and where it
    ends. One regular-expression match per token (a whole ``N G R`` is one token);
    containers on an explicit stack."""
    match_token = _TOKEN.match
    stack: list[tuple[bool, list]] = []  # (is a dictionary, items so far)
    current: tuple[bool, list] | None = None
    while True:
        match = match_token(data, pos)
        if match is None:
            raise LayoutError("unexpected bytes")
        pos = match.end()
        kind = match.lastindex
        value: PdfValue
        if kind == _NAME:
            raw = match.group(_NAME)
            value = _NAMES.get(raw) or _name(raw)
        elif kind == _REF:
            value = Ref(int(match.group(8)), int(match.group(9)))
        elif kind == _NUM:
            token = match.group(_NUM)
            if len(token) > 32:
                raise LayoutError("number too long")
            value = float(token) if b"." in token else int(token)
        elif kind == _DICT_OPEN or kind == _ARRAY_OPEN:
            if current is not None:
                stack.append(current)
            if len(stack) + depth > MAX_DEPTH:
                raise LayoutError("nested too deeply")
            current = (kind == _DICT_OPEN, [])
            continue
        elif kind == _DICT_CLOSE or kind == _ARRAY_CLOSE:
            if current is None or current[0] != (kind == _DICT_CLOSE):
                raise LayoutError("unbalanced container")
            value = _make_dict(current[1]) if current[0] else current[1]
            current = stack.pop() if stack else None
        elif kind == _HEX:
            digits = match.group(_HEX).translate(None, WHITESPACE)
            if len(digits) % 2:
                digits += b"0"
            value = HexString(bytes.fromhex(digits.decode("ascii")))
        elif kind == _LITERAL:
            simple = _SIMPLE_LITERAL.match(data, pos)
            if simple is not None:
                value, pos = data[pos:simple.end() - 1], simple.end()
            else:
                value, pos = _parse_literal(data, pos)
        else:
            keyword = match.group(_KEYWORD)
            if keyword == b"R":  # N G R split by a comment: the two numbers are already in
                items = current[1] if current is not None else []
                if len(items) < 2 or not all(type(v) is int and v >= 0 for v in items[-2:]):
                    raise LayoutError("bad reference")
                generation, number = items.pop(), items.pop()
                items.append(Ref(number, generation))
                continue
            value = _KEYWORDS[keyword]
        if current is None:
            return value, pos
        current[1].append(value)


def _name(raw: bytes) -> Name:
    name = _NAMES.get(raw)
    if name is None:
        name = _decode_name(raw)
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[raw] = name
    return name


def _decode_name(raw: bytes) -> Name:
    if len(raw) > 128:
        raise LayoutError("name too long")
    if b"#" in raw:
        if _BAD_ESCAPE.search(raw):
            raise LayoutError("bad name escape")
        raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    return Name(raw.decode("latin-1"))


def _make_dict(values: list[PdfValue]) -> dict:
    if len(values) % 2:
        raise LayoutError("odd dictionary")
    result: dict[Name, PdfValue] = {}
    for key, value in zip(values[::2], values[1::2], strict=True):
        if not isinstance(key, Name) or key in result:
            raise LayoutError("bad or repeated dictionary key")
        result[key] = value
    return result


def _parse_literal(data: bytes, pos: int) -> tuple[bytes, int]:
    """A literal string from just after its ``(``: balanced parentheses, the standard escapes
    (octal too, and line continuations); a bare carriage return is refused."""
    out = bytearray()
    depth = 1
    while True:
        match = _LITERAL_SPECIAL.search(data, pos)
        if match is None:
            raise LayoutError("unterminated literal string")
        special = match.start()
        out += data[pos:special]
        char = data[special]
        pos = special + 1
        if char == 0x5C:  # backslash
            nxt = data[pos:pos + 1]
            if not nxt:
                raise LayoutError("unterminated literal string")
            code = nxt[0]
            if code in _ESCAPES:
                out += _ESCAPES[code]
                pos += 1
            elif 0x30 <= code <= 0x37:
                digits = _OCTAL.match(data, pos).group()
                out.append(int(digits, 8) & 0xFF)
                pos += len(digits)
            elif nxt == b"\n":
                pos += 1
            elif nxt == b"\r":
                pos += 2 if data.startswith(b"\r\n", pos) else 1
            else:
                raise LayoutError("unknown escape in a literal string")
        elif char == 0x28:
            depth += 1
            out.append(char)
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), pos
            out.append(char)
        else:
            raise LayoutError("bare carriage return in a literal string")


def stream_data(stream: Stream, limit: int) -> bytes | None:
    """A stream's decoded bytes under ``limit`` (no filter, or a plain FlateDecode: the rule of
    :func:`signing.pdf_streams.bounded_stream_data`), else ``None``."""
    filters = stream.dictionary.get(Name("/Filter"))
    if isinstance(filters, Ref) or isinstance(stream.dictionary.get(Name("/DecodeParms")), Ref):
        raise LayoutError("indirect stream filters are not read here")
    names = ([str(f) for f in filters] if isinstance(filters, list)
             else [] if filters is None else [str(filters)])
    if names not in ([], ["/FlateDecode"]) or stream.dictionary.get(
            Name("/DecodeParms")) is not None:
        return None
    if not names:
        return stream.raw if len(stream.raw) <= limit else None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(stream.raw, limit + 1)
    except zlib.error:
        return None
    return data if len(data) <= limit else None
