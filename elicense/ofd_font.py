"""The embedded font of an OFD licence: a TrueType subset of the face the PDF pages use
(WenQuanYi Zen Hei, face 0 of the Debian ``.ttc``, :mod:`elicense.render_fonts`), holding only
the characters the page shows, cut with fontTools' subsetter.

The whole collection is 17 MB; a licence's subset is about 20 KB. fontTools (already installed
with the runtime dependencies, ``requirements.lock``) loads when a page is first drawn, not with
the package. Cutting a subset decompiles the face's glyph table (about half a second), so the
result is cached per set of characters: a licence re-rendered with the same text costs nothing.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Final

from elicense.errors import LicenceFontMissingError
from elicense.render_fonts import FONT_PATH

OFD_FONT_NAME: Final = "WenQuanYi Zen Hei"
# Tables the licence's text does not need: bitmap strikes, layout features (a licence sets no
# ligatures or vertical forms), the font editor's own data.
_DROPPED_TABLES: Final = ("BDF ", "EBDT", "EBLC", "EBSC", "FFTM", "GDEF", "GPOS", "GSUB")


def font_subset(text: str) -> bytes:
    """A TrueType font with the glyphs of every character of ``text`` (and ``.notdef``)."""
    return _subset("".join(sorted(set(text))))


@lru_cache(maxsize=16)
def _subset(characters: str) -> bytes:
    # fontTools loads when a page is drawn (``import elicense`` stays light).
    from fontTools import subset  # noqa: PLC0415
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    if not FONT_PATH.is_file():
        raise LicenceFontMissingError(str(FONT_PATH))
    with TTFont(str(FONT_PATH), fontNumber=0, lazy=True) as font:
        for tag in _DROPPED_TABLES:
            if tag in font:
                del font[tag]
        options = subset.Options()
        options.layout_features = []
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.glyph_names = False
        options.drop_tables = [*options.drop_tables, *_DROPPED_TABLES]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        out = io.BytesIO()
        # A fixed modification time in the head table: the same text gives the same bytes.
        font["head"].modified = font["head"].created
        font.recalcTimestamp = False
        font.save(out)
    return out.getvalue()
