"""Builders for the forms tests: extraction results from the sample set's truth files (values
as printed, a chosen confidence), the hand-built 安全生产许可证变更 documents, and edits."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from core import DocumentResult
from verify.forms import BUNDLED_SERVICES_DIR

ROOT = Path(__file__).resolve().parents[4]
SAMPLES = ROOT / "samples" / "documents"
SERVICES = BUNDLED_SERVICES_DIR
DATA = Path(__file__).resolve().parent / "data"
# The generator's reference date: every sample case is current on it.
TODAY = date(2025, 6, 30)
# The service each generated form title belongs to.
SERVICE_OF_TITLE = {
    "居民身份证申领登记表": "id-card-renewal",
    "营业执照法定代表人变更登记申请表": "legal-representative-change",
    "个体工商户设立登记申请书": "individual-business-registration",
}


def truth_as_result(truth: dict[str, Any], confidence: float = 0.99) -> dict[str, Any]:
    """A truth file as the JSON ``zhengzhao ocr --json`` prints (forms get their title line)."""
    title = truth.get("extra", {}).get("title")
    lines = [{"text": title, "score": 0.99, "box": [[0, 0], [1, 0], [1, 1], [0, 1]], "page": 0}]
    return {
        "schema_version": 1,
        "file": truth["file"],
        "doc_type": truth["doc_type"],
        "pages": 1,
        "fields": {k: {"value": v, "confidence": confidence, "box": None}
                   for k, v in truth["fields"].items()},
        "checkboxes": dict(truth["checkboxes"]),
        "warnings": [],
        "lines": lines if title else [],
        "timings": {},
    }


def case_truths(case: int) -> list[dict[str, Any]]:
    """The four truth files of sample case ``case`` (ID front, back, licence, form)."""
    paths = [p for i in range(case * 4, case * 4 + 4)
             for p in sorted(SAMPLES.glob(f"{i:04d}_*.json"))]
    return [json.loads(p.read_text("utf-8")) for p in paths]


def case_documents(case: int, confidence: float = 0.99) -> list[DocumentResult]:
    return [DocumentResult.from_dict(truth_as_result(t, confidence)) for t in case_truths(case)]


def case_service_id(case: int) -> str:
    form = next(t for t in case_truths(case) if t["doc_type"] == "form")
    return SERVICE_OF_TITLE[form["extra"]["title"]]


def permit_json() -> dict[str, dict[str, Any]]:
    """The hand-built safety-permit documents as JSON, by file stem."""
    return {p.stem: json.loads(p.read_text("utf-8"))
            for p in sorted((DATA / "safety_permit").glob("*.json"))}


def permit_documents() -> list[DocumentResult]:
    return [DocumentResult.from_dict(d) for d in permit_json().values()]


def edited(documents: list[DocumentResult], doc_type: str, key: str, value: str | None,
           confidence: float | None = None) -> list[DocumentResult]:
    """A copy of ``documents`` with one field of the first ``doc_type`` document changed
    (``value=None`` removes it)."""
    out = copy.deepcopy(documents)
    target = next(d for d in out if d.doc_type.value == doc_type)
    data = target.to_dict()
    if value is None:
        data["fields"].pop(key)
    else:
        old = data["fields"].get(key, {"confidence": 0.99, "box": None})
        data["fields"][key] = {"value": value, "box": old["box"],
                               "confidence": old["confidence"] if confidence is None
                               else confidence}
    out[out.index(target)] = DocumentResult.from_dict(data)
    return out


def without(documents: list[DocumentResult], doc_type: str) -> list[DocumentResult]:
    return [d for d in documents if d.doc_type.value != doc_type]


def ticked(documents: list[DocumentResult], boxes: dict[str, bool]) -> list[DocumentResult]:
    """A copy with checkbox states of the form changed."""
    out = copy.deepcopy(documents)
    for d in out:
        if d.doc_type.value == "form":
            d.checkboxes.update(boxes)
    return out
