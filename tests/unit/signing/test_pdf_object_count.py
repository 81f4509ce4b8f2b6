"""The object-count guard in front of pyHanko (``signing.pdf_streams``): object headers are
counted exactly, whatever runs of numbers surround them, and a PDF holding more than
``MAX_PDF_OBJECTS`` of them is refused before pyHanko parses anything."""

from __future__ import annotations

import pytest

from signing.pdf_streams import MAX_PDF_OBJECTS, PdfTooComplexError, open_untrusted_pdf

_END = b"\nstartxref\n0\n%%EOF\n"


def _pdf(objects: int, noise: bytes = b"") -> bytes:
    body = b"".join(b"%d 0 obj\nnull\nendobj\n" % (i + 1) + noise for i in range(objects))
    return b"%PDF-1.7\n" + body + b"trailer\n<< /Size 1 >>" + _END


def test_more_objects_than_allowed_are_refused_before_parsing() -> None:
    with pytest.raises(PdfTooComplexError, match="more than"):
        open_untrusted_pdf(_pdf(MAX_PDF_OBJECTS + 1))


def test_runs_of_numbers_do_not_count_as_objects() -> None:
    # Each object sits among a thousand numbers (as in an uncompressed content stream):
    # "7 8 9 ... 12 0 obj" holds one header, not one per digit or per number.
    noise = b" ".join(b"%d" % n for n in range(1000)) + b"\n"
    count = MAX_PDF_OBJECTS // 2
    try:
        open_untrusted_pdf(_pdf(count, noise))
    except PdfTooComplexError:
        pytest.fail("numbers around object headers were counted as objects")
    except Exception:  # noqa: BLE001 - past the guard, pyHanko may refuse this sketch of a PDF
        pass
    with pytest.raises(PdfTooComplexError):
        open_untrusted_pdf(_pdf(MAX_PDF_OBJECTS + 1, b"1 2 3 4 5\n"))


def test_an_attachment_length_is_not_an_object_count() -> None:
    """An embedded file's /Params /Size is its length in bytes: a PDF with a 150 KB attachment
    (another office's licence, say) is not refused as 150,000 objects. A trailer or
    cross-reference stream claiming that many still is."""
    attachment = (b"5 0 obj\n<< /Type /EmbeddedFile /Params << /Size 150000 /CheckSum <00> >>"
                  b" /Length 0 >>\nstream\n\nendstream\nendobj\n")
    pdf = _pdf(4).replace(b"trailer", attachment + b"trailer")
    try:
        open_untrusted_pdf(pdf)
    except PdfTooComplexError:
        pytest.fail("an attachment's length was counted as objects")
    except Exception:  # noqa: BLE001 - past the guard, pyHanko may refuse this sketch of a PDF
        pass
    with pytest.raises(PdfTooComplexError):
        open_untrusted_pdf(pdf.replace(b"<< /Size 1 >>", b"<< /Size 150000 >>"))
    xref_stream = b"9 0 obj\n<< /Type /XRef /Size 150000 /W [1 1 1] /Length 0 >>\nstream\n"
    with pytest.raises(PdfTooComplexError):
        open_untrusted_pdf(pdf.replace(b"trailer", xref_stream + b"endstream\nendobj\ntrailer"))
