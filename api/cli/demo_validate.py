"""The validation step of ``zhengzhao demo``: each generated case (ID card sides, licence, form
of one fictional applicant) is checked against the service whose form it carries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console

from core import DocumentResult, Settings
from samples.generator.identity import REFERENCE_DATE
from verify.forms import MaterialKind, Service, ServiceCatalog, load_service_catalog, validate


def service_for_title(catalog: ServiceCatalog, title: str | None) -> Service | None:
    """The service one of whose form materials has this printed title."""
    for service in catalog:
        for material in service.materials:
            if material.kind is MaterialKind.FORM and title in material.titles:
                return service
    return None


def validate_cases(cases: list[tuple[dict[str, Any], DocumentResult]], settings: Settings,
                   console: Console | None) -> list[dict[str, Any]]:
    """Validate the OCR results grouped by the generator's case number. ``cases`` pairs each
    truth record with what OCR read; validity is judged on the generator's reference date."""
    catalog = load_service_catalog(settings.services_dir)
    grouped: dict[int, list[tuple[dict[str, Any], DocumentResult]]] = defaultdict(list)
    for truth, result in cases:
        if "case" in truth:
            grouped[truth["case"]].append((truth, result))
    outcomes: list[dict[str, Any]] = []
    for case, members in sorted(grouped.items()):
        titles = [t.get("extra", {}).get("title") for t, _ in members if t["doc_type"] == "form"]
        service = next((s for s in (service_for_title(catalog, t) for t in titles) if s), None)
        if service is None:
            continue
        report = validate(service, [r for _, r in members], today=REFERENCE_DATE,
                          min_field_confidence=settings.min_field_confidence)
        codes = sorted({f.code.value for f in report.findings})
        outcomes.append({"case": case, "service": service.id, "verdict": report.verdict.value,
                         "findings": codes})
        if console is not None:
            style = "green" if report.ok else "yellow"
            console.print(f"case {case}: {service.name} ({service.id}) — "
                          f"[{style}]{report.verdict.value}[/{style}]"
                          + (f"  {', '.join(codes)}" if codes else ""))
    return outcomes
