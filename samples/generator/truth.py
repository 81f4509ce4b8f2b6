"""Ground truth: what a renderer returns and the JSON written next to every generated image.

The JSON (one file ``X.json`` beside ``X.jpg`` / ``X.png`` / ``X.pdf``)::

    {"file": "X.jpg", "doc_type": "id_card_front", "fields": {"name": "张伟", ...},
     "checkboxes": {"男": true, "女": false}, "degradations": {...}, "clean": false,
     "card_quad": [[x, y], [x, y], [x, y], [x, y]], "seed": 123, "case": 0, "extra": {...}}

``fields`` keys are the ``core.documents`` field enums for ID cards and licences and the printed
label (no colon, no spaces) for forms. Dates are ``YYYY-MM-DD``; open-ended ends are ``长期``.
``card_quad`` holds the document's corners in output pixels, clockwise from the document's own
top-left (so a card lying upside down starts at the bottom right); for PDFs the pixels are those
of the page rendered at 150 dpi.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from core.documents import DocType

Quad = list[list[float]]


@dataclass(slots=True)
class Rendered:
    """A clean rendering of one document (RGBA, transparent outside the card) and its truth."""

    image: Image.Image
    doc_type: DocType
    fields: dict[str, str]
    checkboxes: dict[str, bool] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. layout, form title, seal text


def truth_record(file: str, rendered: Rendered, *, degradations: dict[str, Any],
                 card_quad: Quad | None, seed: int, case: int) -> dict[str, Any]:
    """The JSON-ready truth for one written file."""
    return {
        "file": file,
        "doc_type": rendered.doc_type.value,
        "fields": dict(rendered.fields),
        "checkboxes": dict(rendered.checkboxes),
        "degradations": degradations,
        "clean": not degradations,
        "card_quad": card_quad,
        "seed": seed,
        "case": case,
        "extra": dict(rendered.extra),
    }


def write_truth(path: Path, record: dict[str, Any]) -> None:
    """Write a truth record as pretty UTF-8 JSON."""
    text = json.dumps(record, ensure_ascii=False, indent=2)
    # Keep number pairs such as corner points on one line: [x, y] rather than four lines.
    text = re.sub(r"\[\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\]", r"[\1, \2]", text)
    text = re.sub(r"\[\s*(-?[\d.]+),\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\]", r"[\1, \2, \3]", text)
    path.write_text(text + "\n", encoding="utf-8")


def read_truth(path: Path) -> dict[str, Any]:
    """Read a truth record."""
    return json.loads(path.read_text(encoding="utf-8"))
