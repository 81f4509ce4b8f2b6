"""GB/T 2260 administrative divisions: matching and safely correcting the place names that OCR
reads in addresses (住址, 住所) and authority names (签发机关, 登记机关).

Owns the packaged division data (``gbt2260.tsv``: provinces, prefectures and counties in force
since 2004, renamed ones included; made by scripts/make_divisions.py), its lazily built
per-process index and the prefix matcher. A name is corrected only when exactly one division
name, consistent with the names before it, is one edit away; anything ambiguous is left as
read. Imports only the standard library; the ``ocr.documents`` extractors may import it.
"""

from ocr.divisions.index import Division, DivisionIndex, Level, division_index, short_form
from ocr.divisions.matching import DivisionMatch, match_address, match_authority

__all__ = [
    "Division",
    "DivisionIndex",
    "DivisionMatch",
    "Level",
    "division_index",
    "match_address",
    "match_authority",
    "short_form",
]
