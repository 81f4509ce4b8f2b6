"""The embedded font of an OFD licence: a TrueType subset of the face the PDF pages use
(WenQuanYi Zen Hei, face 0 of the Debian ``.ttc``, :mod:`elicense.render_fonts`), holding only
the characters the page shows.

The whole collection is 17 MB; a licence's subset is about 16 KB (10 KB deflated in the
package), cut in about 3 ms by :mod:`elicense.ofd_font_subset` straight from the font file's
tables (fontTools' subsetter decompiles the whole face first: half a second or more).
"""

from __future__ import annotations

from typing import Final

from elicense.errors import LicenceFontMissingError
from elicense.ofd_font_subset import load_face, subset_face
from elicense.render_fonts import FONT_PATH

OFD_FONT_NAME: Final = "WenQuanYi Zen Hei"


def font_subset(text: str) -> bytes:
    """A TrueType font with the glyphs of every character of ``text`` (and ``.notdef``)."""
    if not FONT_PATH.is_file():
        raise LicenceFontMissingError(str(FONT_PATH))
    return subset_face(load_face(FONT_PATH, 0), text)
