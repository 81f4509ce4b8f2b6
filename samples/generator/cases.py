"""Application cases: one fake applicant with their ID card, a company licence and a form that
all agree with each other, drawn from a single seed.

In a legal-representative change the licence still names the previous representative and the
form names both; in the other forms the applicant is the licence's representative or operator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from core.documents import DocType
from samples.generator.forms import FormFilling, FormKind
from samples.generator.identity import (
    REFERENCE_DATE,
    Company,
    EntityType,
    Person,
    fake_company,
    fake_name,
    fake_person,
)

_CHANGE_REASONS = ("股东会决议更换法定代表人", "原法定代表人辞去职务", "公司经营管理需要",
                   "股东决定变更执行董事")
_ID_REASONS = (("有效期满换领", 60), ("丢失补领", 20), ("损坏换领", 15), ("首次申领", 5))


@dataclass(frozen=True, slots=True)
class Case:
    """Everything needed to render the four documents of one application."""

    seed: int
    person: Person
    company: Company
    filling: FormFilling


def generate_case(seed: int) -> Case:
    """A consistent applicant + company + form filling; the same seed gives the same case."""
    rng = random.Random(seed)
    person = fake_person(rng, min_age=20, max_age=68)
    kind = rng.choice(list(FormKind))
    region = person.region if rng.random() < 0.6 else None
    previous = ""
    if kind is FormKind.LEGAL_REP_CHANGE:
        entity = rng.choices([EntityType.LLC_NATURAL, EntityType.LLC_SOLE,
                              EntityType.JOINT_STOCK], [6, 3, 1])[0]
        previous = fake_name(rng, rng.choice("男女"))
        while previous == person.name:
            previous = fake_name(rng, rng.choice("男女"))
        company = fake_company(rng, previous, entity_type=entity, region=region)
        applied = company.registration_date + timedelta(days=rng.randint(30, 2000))
    elif kind is FormKind.INDIVIDUAL_SETUP:
        company = fake_company(rng, person.name, entity_type=EntityType.INDIVIDUAL, region=region,
                               established_after=REFERENCE_DATE - timedelta(days=720))
        applied = company.established - timedelta(days=rng.randint(2, 15))
    else:
        company = fake_company(rng, person.name, region=region)
        applied = REFERENCE_DATE - timedelta(days=rng.randint(0, 60))
    applied = min(applied, REFERENCE_DATE)
    filling = FormFilling(
        kind=kind,
        application_date=applied,
        acceptance_number=f"{applied:%Y%m%d}{rng.randint(0, 99999):05d}",
        previous_representative=previous,
        change_reason=rng.choice(_CHANGE_REASONS),
        email=f"{rng.randint(10**7, 10**10 - 1)}@{rng.choice(('qq.com', '163.com', '126.com'))}",
        staff=rng.randint(1, 8),
        funds_wan=rng.choice((2, 3, 5, 10, 20, 30, 50)),
        id_reason=rng.choices([r for r, _ in _ID_REASONS], [w for _, w in _ID_REASONS])[0],
    )
    return Case(seed, person, company, filling)


CASE_DOCUMENTS = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BUSINESS_LICENCE,
                  DocType.FORM)
