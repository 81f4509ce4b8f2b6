"""api.labels has a Chinese and an English label for every key the code can produce: the OCR
field names, the bundled services' field, material and cross-rule ids, the field and cross rule
types, the finding codes, review decisions, application states and licence statuses. The key
lists come from the code and the service YAML, so a new field, rule or state without a label
fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from api.db import ApplicationState, ReviewDecision
from api.labels import (
    DECISIONS,
    ELICENCE_VERDICTS,
    FIELDS,
    FINDINGS,
    LABELS,
    LICENCE_STATUSES,
    RULES,
    SLOTS,
    STATES,
)
from api.workflow.issued_view import IssuedFileCode
from core import BusinessLicenceField, IdCardBackField, IdCardFrontField
from elicense import ElicenceOutcome, LicenceStatus
from verify.forms import BUNDLED_SERVICES_DIR, FindingCode, Service, load_service_catalog
from verify.forms.specs import CrossRule, FieldRule

HAN = re.compile(r"[\u4e00-\u9fff]")


def services() -> list[Service]:
    return list(load_service_catalog(BUNDLED_SERVICES_DIR))


def rule_types(union: Any) -> set[str]:
    """The ``type`` literals of a discriminated union of rule models."""
    members = get_args(get_args(union)[0])
    return {get_args(member.model_fields["type"].annotation)[0] for member in members}


def field_keys() -> set[str]:
    keys = {f.value for enum in (IdCardFrontField, IdCardBackField, BusinessLicenceField)
            for f in enum}
    return keys | {f.id for s in services() for m in s.materials for f in m.fields}


def test_the_key_lists_come_from_the_code() -> None:
    # Guards the derivations below against silently finding nothing.
    assert len(services()) >= 4
    assert {"birth_date", "issuing_authority", "uscc", "phone"} <= field_keys()
    assert {"required", "id_number"} <= rule_types(FieldRule)
    assert {"equal", "valid_on"} <= rule_types(CrossRule)


@pytest.mark.parametrize(("table", "keys"), [
    ("FIELDS", field_keys),
    ("SLOTS", lambda: {m.id for s in services() for m in s.materials}),
    ("RULES", lambda: rule_types(FieldRule) | rule_types(CrossRule)
     | {r.id for s in services() for r in s.cross_rules}),
    ("FINDINGS", lambda: {c.value for c in FindingCode}),
    ("DECISIONS", lambda: {d.value for d in ReviewDecision}),
    ("STATES", lambda: {s.value for s in ApplicationState}),
    ("LICENCE_STATUSES", lambda: {s.value for s in LicenceStatus}),
    ("ELICENCE_VERDICTS", lambda: {o.value for o in ElicenceOutcome}
     | {c.value for c in IssuedFileCode}),
])
def test_every_key_the_code_produces_has_a_label(table: str, keys: Any) -> None:
    tables = {"FIELDS": FIELDS, "SLOTS": SLOTS, "RULES": RULES, "FINDINGS": FINDINGS,
              "DECISIONS": DECISIONS, "STATES": STATES, "LICENCE_STATUSES": LICENCE_STATUSES,
              "ELICENCE_VERDICTS": ELICENCE_VERDICTS}
    missing = sorted(keys() - set(tables[table]))
    assert missing == [], f"{table} lacks labels for {missing}"


@pytest.mark.parametrize("table", [FIELDS, SLOTS, RULES, FINDINGS, DECISIONS, STATES,
                                   LICENCE_STATUSES, ELICENCE_VERDICTS])
def test_labels_are_chinese_and_english_not_the_key(table: dict[str, tuple[str, str]]) -> None:
    for key, (zh, en) in table.items():
        assert HAN.search(zh), f"{key}: the Chinese label {zh!r} has no Chinese"
        assert en and not HAN.search(en), f"{key}: the English label {en!r}"
        assert key not in (zh, en) and "_" not in zh + en, key


def test_lookups_take_enums_refs_and_kinds_and_fall_back_readably() -> None:
    assert LABELS.field("id_front.birth_date") == ("出生日期", "Date of birth")
    assert LABELS.field("name", kind="business_licence")[0] == "名称"
    assert LABELS.field("name", kind="id_card_front")[0] == "姓名"
    assert LABELS.decision(ReviewDecision.RETURN_FOR_CORRECTION)[0] == "退回补正"
    assert LABELS.state(ApplicationState.NEEDS_REVIEW)[0] == "待人工审核"
    assert LABELS.licence_status(LicenceStatus.REVOKED)[0] == "已吊销"
    assert LABELS.rule("form_name_matches_card")[0] == "申请表姓名与身份证一致"
    assert LABELS.rule(FindingCode.FIELD_CORRECTED)[0] == "申请人已更正"
    assert LABELS.finding("cross.mismatch")[1] == "Mismatch between materials"
    assert LABELS.slot("id_back")[0] == "居民身份证（国徽面）"
    assert LABELS.field("some_new_field") == ("some new field", "some new field")


def test_every_label_printed_on_a_form_has_an_english_name() -> None:
    """A form's fields are read by their printed labels: each label or alias of the bundled
    services' form fields, and every box of the sample forms (on the form material whose title
    the sample carries), gets an English name."""
    documents = Path(__file__).resolve().parents[3] / "samples" / "documents"
    samples = [json.loads(path.read_text("utf-8")) for path in documents.glob("*_form_*.json")]
    forms = [m for s in services() for m in s.materials if m.kind.value == "form"]
    checked = 0
    for material in forms:
        printed = {label for f in material.fields for label in f.labels()}
        boxes = {key for sample in samples
                 if sample.get("extra", {}).get("title") in material.titles
                 for key in sample["fields"]}
        for label in printed | boxes:
            zh, en = LABELS.on_material(label, material)
            assert HAN.search(zh) and not HAN.search(en), (material.name, label, en)
            checked += 1
    assert checked > 20 and samples
    renewal = next(s for s in services() if s.id == "id-card-renewal").material("form")
    assert LABELS.on_material("户籍地址", renewal) == ("户籍地址", "Address")
    assert LABELS.on_material("reason", renewal) == ("申领原因", "Reason")
    licence = next(s for s in services() if s.id == "legal-representative-change"
                   ).material("licence")
    assert LABELS.on_material("name", licence) == ("名称", "Business name")
