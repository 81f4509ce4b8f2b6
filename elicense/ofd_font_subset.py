"""A fast TrueType subsetter for the OFD licence's font: the glyphs a page shows, cut straight
from the font file's tables.

fontTools' subsetter decompiles the whole face (glyph, metrics, cmap and post tables of 45,000
glyphs: half a second or more a licence); a licence needs a hundred glyphs. This module reads
the face's table directory, ``cmap`` (format 4 or 12) and ``loca`` once per process, and for a
set of characters writes a font with:

- ``glyf``/``loca``: the glyphs of those characters, of the components of composite glyphs and
  ``.notdef``, renumbered in their original order (composite glyphs patched to match);
- ``cmap``: format 4 (Windows BMP) and, when a character lies beyond the BMP, format 12;
- ``hmtx``/``hhea``/``maxp``: cut to the glyphs kept; ``post`` format 3 (no glyph names);
- ``head``, ``OS/2``, ``name``, ``cvt ``, ``gasp`` as they are (``head``'s checksum adjustment
  recomputed, long ``loca`` offsets).

Bitmap strikes, layout tables (GSUB, GPOS, GDEF) and vertical metrics are left out: a licence
is set horizontally with no ligatures. The output is deterministic; ``tests/unit/elicense/
test_render_ofd_font.py`` checks it with fontTools (each glyph's outline equals the original's).
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = ["FontFace", "load_face", "subset_face"]

_COPIED: Final = (b"OS/2", b"cvt ", b"gasp", b"name")
_MORE_COMPONENTS: Final = 0x20
_ARGS_ARE_WORDS: Final = 0x01
_HAVE_SCALE: Final = 0x08
_HAVE_XY_SCALE: Final = 0x40
_HAVE_2X2: Final = 0x80


@dataclass(frozen=True)
class FontFace:
    """What the subsetter keeps of a face: its file, table directory, character map (as sorted
    segment starts, ends and a function of the code), and glyph offsets."""

    path: Path
    tables: dict[bytes, tuple[int, int]]
    starts: tuple[int, ...]
    # (start, end, kind, value, delta): kind 0 maps by delta, 1 through format 4's glyph array
    # (value: the byte position of ``start``'s entry in ``glyph_array``), 2 (format 12) from
    # the glyph ``value`` on.
    segments: tuple[tuple[int, int, int, int, int], ...]
    glyph_array: bytes
    loca: tuple[int, ...]
    hmetrics: int

    def glyph_id(self, code: int) -> int:
        """The face's glyph for a character (0, ``.notdef``, when it has none)."""
        index = bisect_right(self.starts, code) - 1
        if index < 0:
            return 0
        start, end, kind, value, delta = self.segments[index]
        if code > end:
            return 0
        if kind == 0:
            return (code + delta) & 0xFFFF
        if kind == 2:
            return value + (code - start)
        position = value + 2 * (code - start)
        if position + 2 > len(self.glyph_array):
            return 0
        raw = struct.unpack_from(">H", self.glyph_array, position)[0]
        return 0 if raw == 0 else (raw + delta) & 0xFFFF


@lru_cache(maxsize=2)
def load_face(path: Path, face_index: int = 0) -> FontFace:
    """Read the face's directory, character map and glyph offsets (once per process)."""
    with path.open("rb") as handle:
        head = handle.read(12)
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            if not 0 <= face_index < count:
                raise ValueError(f"{path} has no face {face_index}")
            handle.seek(12 + 4 * face_index)
            offset = struct.unpack(">I", handle.read(4))[0]
        else:
            offset = 0
        handle.seek(offset)
        directory = handle.read(12)
        tables_count = struct.unpack(">H", directory[4:6])[0]
        entries = handle.read(16 * tables_count)
        tables = {}
        for i in range(tables_count):
            tag, _checksum, table_offset, length = struct.unpack_from(">4sIII", entries, 16 * i)
            tables[tag] = (table_offset, length)

        def read(tag: bytes) -> bytes:
            table_offset, length = tables[tag]
            handle.seek(table_offset)
            return handle.read(length)

        head_table = read(b"head")
        long_loca = struct.unpack(">h", head_table[50:52])[0] == 1
        glyphs = struct.unpack(">H", read(b"maxp")[4:6])[0]
        loca_bytes = read(b"loca")
        if long_loca:
            loca = struct.unpack(f">{glyphs + 1}I", loca_bytes[:4 * (glyphs + 1)])
        else:
            loca = tuple(2 * v for v in struct.unpack(f">{glyphs + 1}H",
                                                      loca_bytes[:2 * (glyphs + 1)]))
        hmetrics = struct.unpack(">H", read(b"hhea")[34:36])[0]
        starts, segments, array = _read_cmap(read(b"cmap"))
    return FontFace(path, tables, starts, segments, array, loca, hmetrics)


def _read_cmap(cmap: bytes) -> tuple[tuple[int, ...],
                                      tuple[tuple[int, int, int, int, int], ...], bytes]:
    count = struct.unpack(">H", cmap[2:4])[0]
    found: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        found[(platform, encoding)] = offset
    if (3, 10) in found and struct.unpack_from(">H", cmap, found[(3, 10)])[0] == 12:
        offset = found[(3, 10)]
        groups = struct.unpack_from(">I", cmap, offset + 12)[0]
        segments = []
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", cmap, offset + 16 + 12 * g)
            segments.append((start, end, 2, glyph, 0))
        return tuple(s[0] for s in segments), tuple(segments), b""
    offset = found.get((3, 1), found.get((0, 3)))
    if offset is None or struct.unpack_from(">H", cmap, offset)[0] != 4:
        raise ValueError("the face has no Unicode cmap of format 4 or 12")
    length = struct.unpack_from(">H", cmap, offset + 2)[0]
    table = cmap[offset:offset + length]
    seg_count = struct.unpack_from(">H", table, 6)[0] // 2
    ends = struct.unpack_from(f">{seg_count}H", table, 14)
    starts = struct.unpack_from(f">{seg_count}H", table, 16 + 2 * seg_count)
    deltas = struct.unpack_from(f">{seg_count}h", table, 16 + 4 * seg_count)
    range_base = 16 + 6 * seg_count
    ranges = struct.unpack_from(f">{seg_count}H", table, range_base)
    segments = []
    for i in range(seg_count):
        if ranges[i] == 0:
            segments.append((starts[i], ends[i], 0, 0, deltas[i]))
        else:
            # Where the glyph id of ``start`` lies, as a byte position in ``table``.
            segments.append((starts[i], ends[i], 1, range_base + 2 * i + ranges[i], deltas[i]))
    return tuple(starts), tuple(segments), table


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """The glyph ids a composite glyph uses, with the byte position of each id (none for a
    simple or empty glyph)."""
    if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
        return []
    found, position = [], 10
    while position + 4 <= len(glyph):
        flags, component = struct.unpack_from(">HH", glyph, position)
        found.append((component, position + 2))
        position += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        if flags & _HAVE_SCALE:
            position += 2
        elif flags & _HAVE_XY_SCALE:
            position += 4
        elif flags & _HAVE_2X2:
            position += 8
        if not flags & _MORE_COMPONENTS:
            break
    return found


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _cmap_table(mapping: dict[int, int]) -> bytes:
    bmp = sorted(code for code in mapping if code <= 0xFFFF and code != 0xFFFF)
    codes = [*bmp, 0xFFFF]
    seg_count = len(codes)
    ends = struct.pack(f">{seg_count}H", *codes)
    starts = struct.pack(f">{seg_count}H", *codes)
    deltas = struct.pack(f">{seg_count}H", *[(mapping[c] - c) & 0xFFFF for c in bmp], 1)
    ranges = struct.pack(f">{seg_count}H", *([0] * seg_count))
    search = 2 ** (seg_count.bit_length() - 1)
    body = (struct.pack(">HHHH", 2 * seg_count, 2 * search, search.bit_length() - 1,
                        2 * seg_count - 2 * search)
            + ends + b"\0\0" + starts + deltas + ranges)
    format4 = struct.pack(">HHH", 4, 6 + len(body), 0) + body
    wide = sorted(code for code in mapping if code > 0xFFFF)
    subtables = [((3, 1), format4)]
    if wide:
        groups = b"".join(struct.pack(">III", c, c, mapping[c]) for c in wide)
        format12 = struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(wide)) + groups
        subtables.append(((3, 10), format12))
    header = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    records, blobs = b"", b""
    for (platform, encoding), blob in subtables:
        records += struct.pack(">HHI", platform, encoding, offset + len(blobs))
        blobs += blob
    return header + records + blobs


def subset_face(face: FontFace, text: str) -> bytes:
    """A TrueType font holding the glyphs of the characters of ``text`` (see the module doc)."""
    mapping = {ord(char): face.glyph_id(ord(char)) for char in set(text)}
    mapping = {code: glyph for code, glyph in mapping.items() if glyph}
    with face.path.open("rb") as handle:

        def read(tag: bytes) -> bytes:
            table_offset, length = face.tables[tag]
            handle.seek(table_offset)
            return handle.read(length)

        glyf_offset = face.tables[b"glyf"][0]

        def glyph(gid: int) -> bytes:
            start, end = face.loca[gid], face.loca[gid + 1]
            if end <= start:
                return b""
            handle.seek(glyf_offset + start)
            return handle.read(end - start)

        data: dict[int, bytes] = {}
        pending = [0, *mapping.values()]
        while pending:
            gid = pending.pop()
            if gid not in data:
                data[gid] = glyph(gid)
                pending.extend(c for c, _ in _components(data[gid]) if c not in data)
        # New ids: .notdef first, then the kept glyphs in their original order; composite
        # glyphs are patched to name their components by the new ids.
        order = sorted(data)
        new_id = {gid: index for index, gid in enumerate(order)}
        count = len(order)
        glyf, loca = bytearray(), []
        for gid in order:
            loca.append(len(glyf))
            body = bytearray(data[gid])
            for component, position in _components(data[gid]):
                body[position:position + 2] = struct.pack(">H", new_id[component])
            glyf += body + b"\0" * (-len(body) % 4)
        loca.append(len(glyf))
        hmtx_source = read(b"hmtx")
        last_advance = hmtx_source[4 * (face.hmetrics - 1):4 * face.hmetrics - 2]
        hmtx = bytearray()
        for gid in order:
            if gid < face.hmetrics:
                hmtx += hmtx_source[4 * gid:4 * gid + 4]
            else:
                # Past numberOfHMetrics a glyph has the last advance and its own side bearing.
                at = 4 * face.hmetrics + 2 * (gid - face.hmetrics)
                hmtx += last_advance + hmtx_source[at:at + 2]
        mapping = {code: new_id[gid] for code, gid in mapping.items()}
        long_metrics = count
        head = bytearray(read(b"head"))
        head[8:12] = b"\0\0\0\0"
        head[50:52] = struct.pack(">h", 1)
        hhea = bytearray(read(b"hhea"))
        hhea[34:36] = struct.pack(">H", long_metrics)
        maxp = bytearray(read(b"maxp"))
        maxp[4:6] = struct.pack(">H", count)
        post = struct.pack(">I", 0x00030000) + read(b"post")[4:32]
        tables = {b"cmap": _cmap_table(mapping), b"glyf": bytes(glyf), b"head": bytes(head),
                  b"hhea": bytes(hhea), b"hmtx": bytes(hmtx), b"loca": struct.pack(f">{count + 1}I",
                                                                            *loca),
                  b"maxp": bytes(maxp), b"post": post}
        tables.update({tag: read(tag) for tag in _COPIED if tag in face.tables})
    return _assemble(tables)


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    search = 2 ** (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, 16 * search, search.bit_length() - 1,
                         16 * count - 16 * search)
    offset = 12 + 16 * count
    directory, body = b"", b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head_at = 12 + 16 * count + sum(len(tables[t]) + (-len(tables[t]) % 4)
                                    for t in tags[:tags.index(b"head")])
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_at + 8:head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)
