"""Which submitted document is which required material: by document type, and for forms also by
the printed title when the service names titles. Surplus, unrecognised and unexpected documents
are reported, never silently dropped."""

from __future__ import annotations

from collections.abc import Sequence

from core import DocType, DocumentResult
from verify.forms.messages import KIND_NAMES_ZH, render
from verify.forms.reading import DocumentView
from verify.forms.result import Finding, FindingCode, MaterialReport, Severity
from verify.forms.service import MaterialKind, MaterialSpec, Service


class Assignment:
    """Documents per material (all received, in order), and the findings of assigning them."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.received: dict[str, list[DocumentView]] = {m.id: [] for m in service.materials}
        self.findings: list[Finding] = []
        self.unassigned: list[str] = []

    def checked(self, material_id: str) -> list[DocumentView]:
        """The documents checked for a material: the first ``max_count`` received."""
        material = self.service.material(material_id)
        return [] if material is None else self.received[material_id][: material.most]

    def reports(self) -> tuple[MaterialReport, ...]:
        return tuple(
            MaterialReport(m.id, m.kind.value, m.name, m.required, m.count,
                           tuple(v.document.file for v in self.received[m.id]))
            for m in self.service.materials
        )


def assign_documents(service: Service, documents: Sequence[DocumentResult]) -> Assignment:
    """Assign every document to a material of ``service`` and check the counts."""
    out = Assignment(service)
    for document in documents:
        view = DocumentView(document)
        if document.doc_type is DocType.UNKNOWN:
            out.unassigned.append(document.file)
            out.findings.append(_finding(FindingCode.MATERIAL_UNRECOGNISED, None, document))
            continue
        candidates = [m for m in service.materials if m.kind.doc_type is document.doc_type]
        if not candidates:
            out.unassigned.append(document.file)
            out.findings.append(_finding(FindingCode.MATERIAL_UNEXPECTED, None, document))
            continue
        material, title_ok = _choose(candidates, view, out)
        out.received[material.id].append(view)
        if title_ok is False:
            out.findings.append(_finding(FindingCode.MATERIAL_TITLE_MISMATCH, material, document))
    for material in service.materials:
        got = len(out.received[material.id])
        params = {"count": material.count, "found": got}
        if material.kind is MaterialKind.PHOTO:
            continue
        if got < material.count and (material.required or got):
            out.findings.append(_finding(FindingCode.MATERIAL_MISSING, material, None, params))
        elif got > material.most:
            out.findings.append(_finding(FindingCode.MATERIAL_TOO_MANY, material, None,
                                         {**params, "count": material.most}))
        for view in out.checked(material.id):
            for warning in view.document.warnings:
                out.findings.append(_finding(FindingCode.MATERIAL_QUALITY, material,
                                             view.document, {"quality": warning.code.value}))
    return out


def _choose(candidates: list[MaterialSpec], view: DocumentView,
            out: Assignment) -> tuple[MaterialSpec, bool | None]:
    """The material for a document: a title match with room left, then any with room, then the
    first (surplus). Returns whether the title matched (``None``: not checked)."""
    def title(m: MaterialSpec) -> bool | None:
        return view.has_title(m.titles) if m.titles else None

    def room(m: MaterialSpec) -> bool:
        return len(out.received[m.id]) < m.most

    ranked = sorted(candidates, key=lambda m: (title(m) is not True, not room(m)))
    chosen = ranked[0]
    return chosen, title(chosen)


_SEVERITY = {
    FindingCode.MATERIAL_MISSING: Severity.ERROR,
    FindingCode.MATERIAL_TOO_MANY: Severity.WARNING,
    FindingCode.MATERIAL_UNEXPECTED: Severity.WARNING,
    FindingCode.MATERIAL_UNRECOGNISED: Severity.WARNING,
    FindingCode.MATERIAL_QUALITY: Severity.WARNING,
    FindingCode.MATERIAL_TITLE_MISMATCH: Severity.WARNING,
}


def _finding(code: FindingCode, material: MaterialSpec | None, document: DocumentResult | None,
             params: dict[str, object] | None = None) -> Finding:
    values: dict[str, object] = dict(params or {})
    if material is not None:
        values.update(material=material.name, material_en=material.english_name)
    if document is not None:
        kind = document.doc_type.value
        values.update(kind=KIND_NAMES_ZH.get(kind, kind), kind_en=kind.replace("_", " "))
    zh, en = render(code, values)
    return Finding(code, _SEVERITY[code], zh, en, material=material.id if material else None,
                   file=document.file if document else None)
