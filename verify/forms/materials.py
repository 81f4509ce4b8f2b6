"""The inputs of a validation besides the service: extraction results read back from JSON, and
the outcome of a portrait-photo check (done by ``verify.photo`` or a clerk)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import DocumentResult
from verify.forms.errors import MaterialInvalidError


@dataclass(frozen=True, slots=True)
class PhotoEvidence:
    """A portrait photo was checked against ``profile`` (e.g. ``cn-resident-id``)."""

    profile: str
    passed: bool
    file: str = ""


@dataclass(frozen=True, slots=True)
class LicenceEvidence:
    """A material handed in as an e-licence that did not verify: ``code`` is the finding code
    (``licence.forged``, ``licence.revoked`` ...); none of its fields were trusted."""

    material: str
    code: str
    file: str = ""


def document_from_dict(data: Any, source: str = "<data>") -> DocumentResult:
    """An extraction result from its JSON form (``zhengzhao ocr --json``), checked enough that a
    wrong file (a truth file, a service definition) is a clear error rather than a crash."""
    if not isinstance(data, dict) or "doc_type" not in data:
        raise MaterialInvalidError(source, "expected an object with doc_type and fields")
    fields = data.get("fields", {})
    if not isinstance(fields, dict) or any(
        not isinstance(v, dict) or "value" not in v for v in fields.values()
    ):
        raise MaterialInvalidError(
            source, 'every field must be an object {"value": ..., "confidence": ...}')
    try:
        return DocumentResult.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise MaterialInvalidError(source, f"{type(exc).__name__} while reading it") from None


def read_documents_json(path: str | Path) -> list[DocumentResult]:
    """The extraction result(s) in a JSON file: one object, or an array of them (what
    ``zhengzhao ocr --json`` prints for one file and for several)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MaterialInvalidError(path.name, f"not readable JSON ({type(exc).__name__})") \
            from None
    items = data if isinstance(data, list) else [data]
    return [document_from_dict(item, path.name) for item in items]
