"""The synthetic document generator: valid identifiers (checked by an independent
implementation), determinism, consistent cases, sane truth files and the committed sample set."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from core.documents import BusinessLicenceField, DocType, IdCardBackField, IdCardFrontField
from samples.generator import (
    EntityType,
    Preset,
    case_seed,
    degradation_rng,
    degrade,
    fake_company,
    fake_person,
    generate_case,
    generate_set,
    is_valid_id_number,
    is_valid_uscc,
    render_document,
)
from samples.generator.__main__ import main
from samples.generator.forms import FormKind, render_form
from samples.generator.identity import capital_amount, id_validity_years
from samples.generator.wordlists import REGIONS

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "documents"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# Independent checks: the weights are derived from their definitions (powers of 2 mod 11 for
# ISO 7064 MOD 11-2 and GB 11714, powers of 3 mod 31 for GB 32100), not copied from the code.
def id_number_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    values = [10 if c == "X" else int(c) for c in number]
    return sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


def org_code_ok(code: str) -> bool:
    values = [int(c, 36) for c in code[:8]]
    check = (11 - sum(v * pow(2, 8 - i, 11) for i, v in enumerate(values)) % 11) % 11
    return code[8] == ("X" if check == 10 else str(check))


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17] and org_code_ok(code[8:17])


def test_independent_checks_agree_with_published_examples() -> None:
    assert id_number_ok("11010519491231002X")  # the GB 11643 example number
    assert not id_number_ok("110105194912310021")
    assert is_valid_id_number("11010519491231002X")


def test_id_numbers_are_valid_and_match_the_person() -> None:
    rng = random.Random(1)
    codes = {r.code for r in REGIONS}
    for _ in range(300):
        person = fake_person(rng)
        number = person.id_number
        assert id_number_ok(number), number
        assert is_valid_id_number(number)
        assert number[:6] in codes
        assert number[6:14] == f"{person.birth_date:%Y%m%d}"
        assert int(number[16]) % 2 == (1 if person.sex == "男" else 0)
        assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
        assert 2 <= len(person.name) <= 4


def test_card_validity_follows_age_at_issue() -> None:
    assert [id_validity_years(a) for a in (5, 15, 16, 25, 26, 45, 46, 80)] == [
        5, 5, 10, 10, 20, 20, None, None]
    rng = random.Random(2)
    for _ in range(200):
        person = fake_person(rng)
        issued, until = person.id_valid_from, person.id_valid_until
        age = issued.year - person.birth_date.year - (
            (issued.month, issued.day) < (person.birth_date.month, person.birth_date.day))
        years = id_validity_years(age)
        if years is None:
            assert until is None and person.validity_text.endswith("-长期")
        else:
            assert until is not None and until.year - issued.year == years
            assert (until.month, until.day) == (issued.month, issued.day) or until.day == 28
            assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}-\d{4}\.\d{2}\.\d{2}", person.validity_text)


def test_usccs_are_valid_for_every_entity_type() -> None:
    rng = random.Random(3)
    for kind in EntityType:
        for _ in range(60):
            company = fake_company(rng, "张伟", entity_type=kind)
            assert uscc_ok(company.uscc), company.uscc
            assert is_valid_uscc(company.uscc)
            assert company.uscc[1] == ("2" if kind is EntityType.INDIVIDUAL else "1")
            assert company.uscc[2:8] == company.region.code
            assert 40 <= len(company.business_scope) <= 120
            assert company.business_scope.endswith("经相关部门批准后方可开展经营活动）")
            assert company.registration_authority.endswith("市场监督管理局")
    assert not uscc_ok("91340104MA2N1X3Y4A")


def test_capital_amounts_use_capital_numerals() -> None:
    assert capital_amount(500) == "伍佰万元整"
    assert capital_amount(1000) == "壹仟万元整"
    assert capital_amount(10) == "壹拾万元整"
    assert capital_amount(1050) == "壹仟零伍拾万元整"
    assert capital_amount(10000) == "壹亿元整"


def test_cases_are_consistent() -> None:
    for index in range(40):
        case = generate_case(case_seed(5, index))
        form = render_form(case.filling, case.person, case.company, random.Random(index))
        fields = form.fields
        assert case.person.id_number in fields.values()
        if case.filling.kind is FormKind.LEGAL_REP_CHANGE:
            assert fields["原法定代表人"] == case.company.legal_representative
            assert fields["新法定代表人"] == case.person.name
            assert fields["统一社会信用代码"] == case.company.uscc
        else:
            assert case.company.legal_representative == case.person.name
        assert form.checkboxes["男"] == (case.person.sex == "男")
        assert form.checkboxes["女"] == (case.person.sex == "女")
        assert sum(form.checkboxes.values()) >= 2


@pytest.mark.parametrize("preset", list(Preset))
def test_degraded_quad_lies_inside_and_keeps_orientation(preset: Preset) -> None:
    case = generate_case(7)
    rendered = render_document(case, DocType.ID_CARD_FRONT)
    out = degrade(rendered.image, DocType.ID_CARD_FRONT, preset,
                  degradation_rng(case.seed, DocType.ID_CARD_FRONT))
    height, width = out.image.shape[:2]
    assert 1000 <= width <= 1300
    assert all(0 <= x <= width and 0 <= y <= height for x, y in out.quad)
    assert 0.5 <= out.params["card_width_fraction"] <= 0.9
    top_left, bottom_right = out.quad[0], out.quad[2]
    if out.params["flipped_180"]:
        assert top_left[1] > bottom_right[1]
    else:
        assert top_left[1] < bottom_right[1]
    assert 30 <= out.jpeg_quality <= 95


def _check_truth(truth_path: Path) -> dict:
    truth = json.loads(truth_path.read_text("utf-8"))
    assert set(truth) >= {"file", "doc_type", "fields", "checkboxes", "degradations", "clean",
                          "card_quad", "seed"}
    doc_type = DocType(truth["doc_type"])
    image_path = truth_path.with_name(truth["file"])
    assert image_path.exists() and image_path.stem == truth_path.stem
    assert truth["fields"] and all(isinstance(v, str) and v for v in truth["fields"].values())
    allowed = {DocType.ID_CARD_FRONT: IdCardFrontField, DocType.ID_CARD_BACK: IdCardBackField,
               DocType.BUSINESS_LICENCE: BusinessLicenceField}.get(doc_type)
    if allowed is not None:
        assert set(truth["fields"]) <= {f.value for f in allowed}
    else:
        assert all(":" not in k and "：" not in k and " " not in k for k in truth["fields"])
    for key, value in truth["fields"].items():
        if key.endswith("date") or key.endswith("日期") or key in ("valid_from", "term_from"):
            assert ISO_DATE.match(value), (key, value)
            date.fromisoformat(value)
        if key in ("valid_until", "term_until") and value != "长期":
            assert ISO_DATE.match(value)
            date.fromisoformat(value)
    assert truth["clean"] == (not truth["degradations"])
    quad = truth["card_quad"]
    if quad is not None and image_path.suffix != ".pdf":
        with Image.open(image_path) as image:
            width, height = image.size
        assert len(quad) == 4
        assert all(0 <= x <= width and 0 <= y <= height for x, y in quad)
    return truth


def test_generate_set_is_deterministic_and_writes_truth(tmp_path: Path) -> None:
    kinds = [DocType.ID_CARD_BACK, DocType.FORM]
    first = generate_set(tmp_path / "a", 4, seed=42, kinds=kinds, pdf_forms=True)
    second = generate_set(tmp_path / "b", 4, seed=42, kinds=kinds, pdf_forms=True)
    assert [p.suffix for p in first] == [".jpg", ".pdf", ".jpg", ".jpg"]
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.with_suffix(".json").read_bytes() == b.with_suffix(".json").read_bytes()
    truths = [_check_truth(p.with_suffix(".json")) for p in first]
    assert [t["clean"] for t in truths] == [True, True, False, False]
    other = generate_set(tmp_path / "c", 1, seed=43, kinds=kinds)
    assert other[0].read_bytes() != first[0].read_bytes()


def test_cli_rejects_unknown_kinds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--out", str(tmp_path), "--count", "1", "--kinds", "passport"])
    assert exc.value.code == 2
    assert "kinds" in capsys.readouterr().err


def test_committed_samples_have_valid_truth() -> None:
    truths = sorted(SAMPLES.glob("*.json"))
    assert 20 <= len(truths) <= 40
    images = [p for p in SAMPLES.iterdir() if p.suffix in (".jpg", ".png", ".pdf")]
    assert len(images) == len(truths)
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 6 * 1024 * 1024
    seen = {DocType(_check_truth(p)["doc_type"]) for p in truths}
    assert seen == {DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BUSINESS_LICENCE,
                    DocType.FORM}
