"""``validate``: check an application's documents against a service definition.

Steps: assign each document to a material of the service (by document type, forms also by
title), report missing and surplus materials and image-quality warnings, read and check every
field, apply the cross-material rules, then ask a clerk to review whatever rests on a value OCR
read with low confidence. Never raises for an invalid application: that is the report.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from core import DocumentResult
from verify.forms.assign import Assignment, assign_documents
from verify.forms.cross import check_cross
from verify.forms.materials import LicenceEvidence, PhotoEvidence
from verify.forms.messages import render
from verify.forms.reading import DocumentView, ReadValue
from verify.forms.result import (
    LICENCE_CODES,
    FieldReport,
    Finding,
    FindingCode,
    Severity,
    ValidationReport,
    Verdict,
    overall_verdict,
)
from verify.forms.rules import MULTIPLE_SEPARATOR, check_rule
from verify.forms.service import MaterialKind, MaterialSpec, Service
from verify.forms.specs import CrossRule, RuleType, ValidOnRule

log = logging.getLogger(__name__)

DEFAULT_MIN_FIELD_CONFIDENCE = 0.80
_RANK = {Severity.WARNING: 1, Severity.NEEDS_REVIEW: 2, Severity.ERROR: 3}


def validate(
    service: Service,
    documents: Iterable[DocumentResult],
    *,
    today: date | None = None,
    min_field_confidence: float = DEFAULT_MIN_FIELD_CONFIDENCE,
    photos: Sequence[PhotoEvidence] | None = None,
    corrections: Mapping[str, str] | None = None,
    licences: Sequence[LicenceEvidence] = (),
) -> ValidationReport:
    """Check ``documents`` (extraction results) against ``service`` on ``today`` (default: the
    system date). ``min_field_confidence`` (usually ``Settings.min_field_confidence``) applies
    unless the service sets its own. ``photos`` are portrait-photo check outcomes; ``None``
    means the caller did not check photos, so a required photo asks for a clerk.
    ``corrections`` (``material.field`` → value, typed by the applicant) win over what was read,
    as a value of confidence 1.0 marked ``corrected``; each one asks a clerk to look (a warning
    the clerk sees) and rules out instant approval. ``licences`` are materials handed in as
    e-licences that did not verify: each is an error finding."""
    today = today or date.today()
    threshold = service.min_field_confidence
    if threshold is None:
        threshold = min_field_confidence
    run = _Run(service, today, threshold, dict(corrections or {}))
    assignment = assign_documents(service, list(documents))
    run.findings.extend(assignment.findings)
    run.check_licences(licences)
    run.check_photos(photos)
    run.check_fields(assignment)
    run.check_cross_rules()
    findings = run.finish()
    verdict = overall_verdict(findings)
    report = ValidationReport(
        service_id=service.id,
        service_name=service.name,
        verdict=verdict,
        checked_on=today,
        min_field_confidence=threshold,
        findings=findings,
        fields=run.field_reports(findings),
        materials=assignment.reports(),
        unassigned_files=tuple(assignment.unassigned),
    )
    report = dataclasses.replace(report, auto_approvable=_auto_approvable(service, report)
                                 and not run.corrected)
    log.info("validated an application for service %s: %s (%d findings)", service.id,
             verdict.value, len(findings))
    return report


class _Run:
    """The state of one validation: findings so far, values read, low-confidence fields."""

    def __init__(self, service: Service, today: date, threshold: float,
                 corrections: dict[str, str]) -> None:
        self.service = service
        self.today = today
        self.threshold = threshold
        self.corrections = corrections
        self.corrected: set[str] = set()
        self.findings: list[Finding] = []
        self.values: dict[str, ReadValue] = {}
        self.low: set[str] = set()

    def check_licences(self, licences: Sequence[LicenceEvidence]) -> None:
        for evidence in licences:
            material = self.service.material(evidence.material)
            if material is None:
                continue
            code = next((c for c in LICENCE_CODES if c.value == evidence.code),
                        FindingCode.LICENCE_UNVERIFIED)
            severity = (Severity.NEEDS_REVIEW if code is FindingCode.LICENCE_REVOCATION_UNKNOWN
                        else Severity.ERROR)
            self._add(code, severity, material, {}, rule="elicence",
                      file=evidence.file or None)

    def _read(self, view: DocumentView, material: MaterialSpec, field_id: str,
              first: bool) -> ReadValue:
        """The value read, or the applicant's correction (for the first document only)."""
        ref = f"{material.id}.{field_id}"
        if first and ref in self.corrections:
            if ref not in self.corrected:
                self.corrected.add(ref)
                self._add(FindingCode.FIELD_CORRECTED, Severity.WARNING, material, {},
                          field_id=field_id, rule="correction", file=view.document.file)
            value = self.corrections[ref].strip()
            return ReadValue(value or None, 1.0 if value else None,
                             tuple(value.split(MULTIPLE_SEPARATOR)) if value else ())
        return view.read(material, field_id)

    def check_photos(self, photos: Sequence[PhotoEvidence] | None) -> None:
        for material in self.service.materials:
            if material.kind is not MaterialKind.PHOTO:
                continue
            params = {"profile": material.profile, "count": material.count}
            if photos is None:
                if material.required:
                    self._add(FindingCode.PHOTO_NOT_CHECKED, Severity.NEEDS_REVIEW, material,
                              params)
                continue
            mine = [p for p in photos if p.profile == material.profile]
            if material.required and len(mine) < material.count:
                self._add(FindingCode.MATERIAL_MISSING, Severity.ERROR, material,
                          {**params, "found": len(mine)})
            for photo in mine:
                if not photo.passed:
                    self._add(FindingCode.PHOTO_FAILED, Severity.ERROR, material, params,
                              file=photo.file or None)

    def check_fields(self, assignment: Assignment) -> None:
        for material in self.service.materials:
            for index, view in enumerate(assignment.checked(material.id)):
                for spec in material.fields:
                    value = self._read(view, material, spec.id, index == 0)
                    ref = f"{material.id}.{spec.id}"
                    if index == 0:
                        self.values[ref] = value
                    self._check_field(material, spec.id, value, view.document.file)
        # Values the cross rules compare but no field rule names are read too, so their
        # confidence counts and the clerk sees them.
        for rule in self.service.cross_rules:
            for ref in _rule_refs(rule):
                material_id, field_id = ref.split(".", 1)
                material = self.service.material(material_id)
                views = assignment.checked(material_id)
                if ref in self.values or material is None or not views:
                    continue
                self.values[ref] = value = self._read(views[0], material, field_id, True)
                self._note_confidence(material, field_id, value, views[0].document.file)

    def _check_field(self, material: MaterialSpec, field_id: str, value: ReadValue,
                     file: str) -> None:
        spec = material.field(field_id)
        assert spec is not None
        if value.value is None:
            for rule in spec.rules:
                if rule.type == RuleType.REQUIRED:
                    self._add(FindingCode.FIELD_MISSING, rule.severity, material, {},
                              field_id=field_id, rule=rule.type, file=file, custom=rule)
            return
        if len(value.ticked) > 1 and not spec.multiple:
            self._add(FindingCode.FIELD_MULTIPLE_TICKED, Severity.ERROR, material, {},
                      field_id=field_id, rule="checkbox", file=file)
        for rule in spec.rules:
            failure = check_rule(rule, value.value, self.today)
            if failure is not None:
                self._add(failure.code, rule.severity, material, failure.params,
                          field_id=field_id, rule=rule.type, file=file, custom=rule)
        self._note_confidence(material, field_id, value, file)

    def _note_confidence(self, material: MaterialSpec, field_id: str, value: ReadValue,
                         file: str) -> None:
        if value.confidence is None or value.confidence >= self.threshold:
            return
        self.low.add(f"{material.id}.{field_id}")
        self._add(FindingCode.FIELD_LOW_CONFIDENCE, Severity.NEEDS_REVIEW, material,
                  {"confidence": f"{value.confidence:.2f}", "threshold": f"{self.threshold:.2f}"},
                  field_id=field_id, rule="confidence", file=file)

    def check_cross_rules(self) -> None:
        # check_fields read every referenced value of every submitted material; a reference
        # that is not there belongs to an absent material.
        for rule in self.service.cross_rules:
            failure = check_cross(rule, self.values.get, self.today)
            if failure is None:
                continue
            refs = _rule_refs(rule)
            params = dict(failure.params)
            subject = self.service.material(
                (rule.valid_until if isinstance(rule, ValidOnRule) else refs[0]).split(".")[0])
            params.update(self._describe_refs(rule, refs, params.pop("unread", ())))
            severity = rule.severity
            if failure.code is FindingCode.CROSS_NOT_CHECKED:
                severity = Severity.NEEDS_REVIEW
            zh, en = render(failure.code, {**self._material_params(subject), **params})
            if rule.message_zh and failure.code is not FindingCode.CROSS_NOT_CHECKED:
                zh = rule.message_zh
            if rule.message_en and failure.code is not FindingCode.CROSS_NOT_CHECKED:
                en = rule.message_en
            self.findings.append(Finding(failure.code, severity, zh, en, material=None,
                                         rule=rule.id, refs=tuple(refs)))

    def _describe_refs(self, rule: CrossRule, refs: list[str],
                       unread: Iterable[str]) -> dict[str, str]:
        def zh(ref: str) -> str:
            material = self.service.material(ref.split(".")[0])
            assert material is not None
            return f"{material.name}“{material.label_of(ref.split('.', 1)[1])}”"

        def en(ref: str) -> str:
            material = self.service.material(ref.split(".")[0])
            assert material is not None
            return f"{material.english_label_of(ref.split('.', 1)[1])} on the " \
                   f"{material.english_name}"

        names = rule.references()
        first, second = (names.get("left") or names.get("id_number") or refs[0],
                         names.get("right") or names.get("birth_date") or names.get("sex")
                         or refs[-1])
        unread = list(unread)
        return {"left": zh(first), "right": zh(second), "left_en": en(first),
                "right_en": en(second), "rule": rule.id,
                "missing": "、".join(zh(r) for r in unread),
                "missing_en": ", ".join(en(r) for r in unread)}

    def _material_params(self, material: MaterialSpec | None) -> dict[str, Any]:
        if material is None:
            return {}
        return {"material": material.name, "material_en": material.english_name}

    def _add(self, code: FindingCode, severity: Severity, material: MaterialSpec,
             params: dict[str, Any], *, field_id: str | None = None, rule: str | None = None,
             file: str | None = None, custom: Any = None) -> None:
        values = {**self._material_params(material), **params}
        if field_id is not None:
            values.update(label=material.label_of(field_id), field=field_id,
                          field_en=material.english_label_of(field_id))
        zh, en = render(code, values)
        if custom is not None and getattr(custom, "message_zh", None):
            zh = custom.message_zh
        if custom is not None and getattr(custom, "message_en", None):
            en = custom.message_en
        self.findings.append(Finding(code, severity, zh, en, material=material.id,
                                     field=field_id, rule=rule, file=file))

    def finish(self) -> tuple[Finding, ...]:
        """Errors that rest on a low-confidence value become a clerk's call, not a rejection."""
        out = []
        for f in self.findings:
            touched = {f"{f.material}.{f.field}"} if f.field else set(f.refs)
            if f.severity is Severity.ERROR and touched & self.low \
                    and f.code is not FindingCode.FIELD_MISSING:
                f = dataclasses.replace(f, severity=Severity.NEEDS_REVIEW)
            out.append(f)
        return tuple(sorted(out, key=lambda f: -_RANK[f.severity]))

    def field_reports(self, findings: tuple[Finding, ...]) -> tuple[FieldReport, ...]:
        worst: dict[str, Severity] = {}
        for f in findings:
            for ref in ({f"{f.material}.{f.field}"} if f.field else set(f.refs)):
                if ref not in worst or _RANK[f.severity] > _RANK[worst[ref]]:
                    worst[ref] = f.severity
        reports = []
        for ref, value in self.values.items():
            material_id, field_id = ref.split(".", 1)
            material = self.service.material(material_id)
            assert material is not None
            reports.append(FieldReport(material_id, field_id, material.label_of(field_id),
                                       value.value, value.confidence, worst.get(ref),
                                       corrected=ref in self.corrected))
        return tuple(reports)


def _rule_refs(rule: CrossRule) -> list[str]:
    refs = list(rule.references().values())
    if isinstance(rule, ValidOnRule) and rule.as_of != "today":
        refs.append(rule.as_of)
    return refs


def _auto_approvable(service: Service, report: ValidationReport) -> bool:
    policy = service.auto_approve
    if policy is None or report.verdict is not Verdict.VALID:
        return False
    if not policy.allow_warnings and report.by_severity(Severity.WARNING):
        return False
    return all(f.confidence is None or f.confidence >= policy.min_confidence
               for f in report.fields)

