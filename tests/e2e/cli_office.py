"""What the CLI end-to-end tests share beside the ``office`` fixture (``conftest.py``): the sample
residence permit made unique, so that each test issues a licence of its own."""

from __future__ import annotations

import json
from pathlib import Path

from elicense import LicenceIdentifier, parse_identifier

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"
PHOTO = RECORDS / "holder_photo.jpg"

__all__ = ["PHOTO", "RECORDS", "ROOT", "permit_record"]


def permit_record(folder: Path, serial: str) -> Path:
    """The sample residence permit with its number and identifier ending in ``serial``, written
    to ``folder`` (a register refuses the same identifier twice)."""
    record = json.loads((RECORDS / "residence_permit.json").read_text("utf-8"))
    record["number"] = record["number"][:-len(serial)] + serial
    parts = parse_identifier(record["identifier"]).identifier
    record["identifier"] = str(LicenceIdentifier.create(
        parts.type_code, parts.issuer_code, parts.serial[:-len(serial)] + serial))
    path = folder / f"permit-{serial}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return path
