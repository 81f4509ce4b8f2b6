"""Fake people and companies with internally consistent, check-digit-valid identifiers.

A :class:`Person` carries everything printed on both sides of a resident ID card; a
:class:`Company` everything printed on a business licence. All values are generated from the
word lists in :mod:`samples.generator.wordlists`; no real person or company is described.
Dates are drawn relative to :data:`REFERENCE_DATE`, not the clock, so a seed always gives the
same output.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from samples.generator import wordlists as wl
from samples.generator.checkdigits import (
    USCC_CHARSET,
    id_check_char,
    org_code_check_char,
    uscc_check_char,
)
from samples.generator.wordlists import Region

REFERENCE_DATE = date(2025, 6, 30)
SECOND_GENERATION_START = date(2004, 1, 1)  # first 2nd-generation cards were issued in 2004
_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LETTERS = [c for c in USCC_CHARSET if c.isalpha()]


class EntityType(StrEnum):
    """Entity types as printed after 类型 on a licence (without the bracket style)."""

    LLC_NATURAL = "有限责任公司(自然人投资或控股)"
    LLC_SOLE = "有限责任公司(自然人独资)"
    JOINT_STOCK = "股份有限公司(非上市)"
    INDIVIDUAL = "个体工商户"
    BRANCH = "有限责任公司分公司(自然人投资或控股)"

    @property
    def representative_label(self) -> str:
        labels = {EntityType.INDIVIDUAL: "经营者", EntityType.BRANCH: "负责人"}
        return labels.get(self, "法定代表人")

    @property
    def address_label(self) -> str:
        return {EntityType.INDIVIDUAL: "经营场所", EntityType.BRANCH: "营业场所"}.get(self, "住所")

    @property
    def date_label(self) -> str:
        return "注册日期" if self is EntityType.INDIVIDUAL else "成立日期"

    @property
    def has_capital(self) -> bool:
        return self not in (EntityType.INDIVIDUAL, EntityType.BRANCH)

    @property
    def has_term(self) -> bool:
        return self is not EntityType.INDIVIDUAL


@dataclass(frozen=True, slots=True)
class Person:
    """A fake resident with the data on both sides of their current ID card."""

    name: str
    sex: str  # 男 / 女
    ethnicity: str  # without 族
    birth_date: date
    region: Region
    address: str
    id_number: str
    id_valid_from: date
    id_valid_until: date | None  # None means 长期
    issuing_authority: str
    phone: str

    @property
    def validity_text(self) -> str:
        """The validity period as printed on the card, e.g. ``2016.05.10-2036.05.10``."""
        end = "长期" if self.id_valid_until is None else f"{self.id_valid_until:%Y.%m.%d}"
        return f"{self.id_valid_from:%Y.%m.%d}-{end}"


@dataclass(frozen=True, slots=True)
class Company:
    """A fake market entity with the data printed on its business licence."""

    name: str
    entity_type: EntityType
    type_text: str  # the type as printed (bracket style varies)
    uscc: str
    legal_representative: str
    registered_capital: str | None
    established: date
    term_until: date | None  # None means 长期 (or no term printed, for 个体工商户)
    address: str
    business_scope: str
    registration_authority: str
    registration_date: date
    composition: str | None  # 组成形式 of a 个体工商户
    region: Region


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_validity_years(age_at_issue: int) -> int | None:
    """Validity of a card issued at this age: 5, 10 or 20 years, or None for 长期."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def capital_amount(wan: int) -> str:
    """An amount in 万元 written in capital numerals, e.g. 500 → ``伍佰万元整``."""
    if not 0 < wan < 100_000_000:
        raise ValueError("amount out of range")

    def below_10000(n: int) -> str:
        out, pending_zero = "", False
        for digit, unit in zip(f"{n:04d}", ("仟", "佰", "拾", ""), strict=True):
            if digit == "0":
                pending_zero = bool(out)
                continue
            out += ("零" if pending_zero else "") + _CAPITAL_DIGITS[int(digit)] + unit
            pending_zero = False
        return out

    high, low = divmod(wan, 10_000)
    if not high:
        return below_10000(low) + "万元整"
    text = below_10000(high) + "亿"
    if low:
        text += ("零" if low < 1000 else "") + below_10000(low) + "万"
    return text + "元整"


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _display_width(text: str) -> float:
    return sum(0.5 if ord(c) < 128 else 1.0 for c in text)


def fake_name(rng: random.Random, sex: str) -> str:
    """A plausible 2–4 character name from common surnames and given-name characters."""
    pool = (wl.GIVEN_MALE if sex == "男" else wl.GIVEN_FEMALE) + wl.GIVEN_ANY
    if rng.random() < 0.04:
        surname = rng.choice(wl.COMPOUND_SURNAMES)
    else:
        surname = rng.choice(wl.SURNAMES)
    given_len = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(given_len))


def fake_phone(rng: random.Random) -> str:
    """A valid-looking mainland mobile number (11 digits, 1[3-9]…)."""
    return rng.choice(wl.MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def fake_road(rng: random.Random) -> str:
    road = rng.choice(wl.ROADS)
    side = rng.choice(wl.ROAD_SIDES)
    return road[:-1] + side + road[-1] if side and road.endswith("路") else road


def fake_home_address(rng: random.Random, region: Region) -> str:
    """A residential address that fits three lines of an ID card (≤ 31 full-width cells)."""
    while True:
        road, num = fake_road(rng), rng.randint(1, 888)
        building, unit = rng.randint(1, 32), rng.randint(1, 4)
        room = rng.randint(1, 28) * 100 + rng.randint(1, 4)
        style = rng.random()
        if style < 0.4:
            tail = f"{road}{num}号{rng.choice(wl.ESTATES)}{building}栋{room}室"
        elif style < 0.7:
            tail = f"{road}{num}号{building}幢{unit}单元{room}室"
        elif style < 0.9:
            tail = f"{road}{num}号院{building}号楼{unit}单元{room}号"
        else:
            tail = f"{road}{num}号"
        address = region.prefix + tail
        if _display_width(address) <= 31:
            return address


def fake_business_address(rng: random.Random, region: Region, shop: bool) -> str:
    """An office or shop address."""
    road, num = fake_road(rng), rng.randint(1, 999)
    if shop:
        return f"{region.prefix}{road}{num}号{rng.choice(wl.ESTATES)}{rng.randint(1, 20)}栋" \
            f"{rng.randint(101, 112)}号商铺"
    building = rng.choice(wl.OFFICE_BUILDINGS)
    if rng.random() < 0.5:
        return f"{region.prefix}{road}{num}号{building}{rng.choice('ABCD')}座{rng.randint(3, 28)}" \
            f"{rng.randint(1, 20):02d}室"
    return f"{region.prefix}{road}{num}号{building}{rng.randint(1, 9)}号楼{rng.randint(2, 18)}层"


def fake_id_number(rng: random.Random, region_code: str, birth: date, sex: str) -> str:
    """An 18-character ID number: region, birth date, sequence (odd for men), check char."""
    last = rng.choice("13579" if sex == "男" else "02468")
    sequence = f"{rng.randint(0, 99):02d}{last}"
    if sequence == "000":
        sequence = "002"
    body = f"{region_code}{birth:%Y%m%d}{sequence}"
    return body + id_check_char(body)


def _current_card(rng: random.Random, birth: date) -> tuple[date, date | None]:
    """Simulate first issue and renewals; return the card held on the reference date."""
    issue = add_years(birth, rng.randint(10, 17)) + timedelta(days=rng.randint(0, 364))
    if issue < SECOND_GENERATION_START:
        issue = _random_day(rng, SECOND_GENERATION_START, date(2010, 12, 31))
    previous: tuple[date, date | None] | None = None
    while True:
        years = id_validity_years(age_on(birth, issue))
        until = None if years is None else add_years(issue, years)
        if until is None or until > REFERENCE_DATE:
            break
        previous = (issue, until)
        issue = until - timedelta(days=rng.randint(0, 90))
    # A few people have not renewed yet, which gives verifiers an expired card to reject.
    if previous is not None and rng.random() < 0.04:
        return previous
    return issue, until


def fake_person(rng: random.Random, *, min_age: int = 18, max_age: int = 70,
                sex: str | None = None) -> Person:
    """A fake resident with a currently held (rarely expired) second-generation ID card."""
    sex = sex or rng.choice("男女")
    age = int(rng.triangular(min_age, max_age + 1, max(min_age, min(max_age, 38))))
    birth = add_years(REFERENCE_DATE, -age - 1) + timedelta(days=rng.randint(1, 364))
    region = rng.choice(wl.REGIONS)
    birth_region = region if rng.random() < 0.85 else rng.choice(wl.REGIONS)
    ethnicity = rng.choices([e for e, _ in wl.ETHNICITIES], [w for _, w in wl.ETHNICITIES])[0]
    valid_from, valid_until = _current_card(rng, birth)
    return Person(
        name=fake_name(rng, sex),
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth,
        region=region,
        address=fake_home_address(rng, region),
        id_number=fake_id_number(rng, birth_region.code, birth, sex),
        id_valid_from=valid_from,
        id_valid_until=valid_until,
        issuing_authority=region.police_authority,
        phone=fake_phone(rng),
    )


def fake_uscc(rng: random.Random, region_code: str, *, individual: bool, modern: bool) -> str:
    """A GB 32100 code: '9', entity type, region, organisation code with check, check char."""
    if modern:  # codes first assigned after the 2015 reform usually start with MA
        tail = [rng.choice("0123456789" if rng.random() < 0.6 else _LETTERS) for _ in range(6)]
        body = "MA" + "".join(tail)
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"9{'2' if individual else '1'}{region_code}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def business_scope(rng: random.Random, phrases: tuple[str, ...]) -> str:
    """Comma-joined scope phrases plus the statutory tail, 40–120 characters in all."""
    budget = 120 - len(wl.SCOPE_TAIL)
    target = rng.randint(16, budget)
    chosen: list[str] = []
    for phrase in rng.sample(phrases, len(phrases)):
        if len("，".join([*chosen, phrase])) > budget:
            continue
        chosen.append(phrase)
        if len("，".join(chosen)) >= target:
            break
    scope = "，".join(chosen) + wl.SCOPE_TAIL
    for extra in phrases:  # very short picks: pad from the phrases not used yet
        if len(scope) >= 40:
            break
        if extra not in chosen:
            chosen.append(extra)
            scope = "，".join(chosen) + wl.SCOPE_TAIL
    return scope


def fake_company(rng: random.Random, representative: str, *,
                 entity_type: EntityType | None = None, region: Region | None = None,
                 established_after: date | None = None) -> Company:
    """A fake company or 个体工商户 whose legal representative / operator is ``representative``."""
    kind = entity_type or rng.choices(list(EntityType), [40, 20, 8, 22, 10])[0]
    region = region or rng.choice(wl.REGIONS)
    trade = rng.choice(wl.TRADE_NAMES)
    if kind is EntityType.INDIVIDUAL:
        shop = rng.choice(list(wl.SHOPS))
        name = f"{region.city}{region.district}{trade}{shop}"
        phrases = wl.SHOPS[shop]
        start = date(2005, 1, 1)
    else:
        industry = rng.choice(list(wl.INDUSTRIES))
        phrases = wl.INDUSTRIES[industry]
        suffix = "股份有限公司" if kind is EntityType.JOINT_STOCK else "有限公司"
        name = f"{region.city_short}{trade}{industry}{suffix}"
        if kind is EntityType.BRANCH:
            name += region.district.removesuffix("区").removesuffix("新") + "分公司"
        start = date(1998, 1, 1)
    established = _random_day(rng, max(start, established_after or start),
                              REFERENCE_DATE - timedelta(days=60))
    term_until = None
    if kind.has_term and rng.random() < (0.5 if kind is EntityType.LLC_NATURAL else 0.25):
        years = rng.choice([y for y in (10, 20, 30, 50)
                            if add_years(established, y) > REFERENCE_DATE])
        term_until = add_years(established, years) - timedelta(days=1)
    capital = None
    if kind.has_capital:
        choices = (1000, 2000, 3000, 5000, 10000) if kind is EntityType.JOINT_STOCK else (
            10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 1050, 2000)
        capital = ("人民币" if rng.random() < 0.4 else "") + capital_amount(rng.choice(choices))
    city_level = kind is EntityType.JOINT_STOCK or rng.random() < 0.2
    authority = f"{region.city}{'' if city_level else region.district}市场监督管理局"
    registered = established if rng.random() < 0.4 else _random_day(
        rng, established, REFERENCE_DATE - timedelta(days=20))
    type_text = kind.value
    if rng.random() < 0.7:  # most licences print full-width brackets
        type_text = type_text.replace("(", "（").replace(")", "）")
    return Company(
        name=name,
        entity_type=kind,
        type_text=type_text,
        uscc=fake_uscc(rng, region.code, individual=kind is EntityType.INDIVIDUAL,
                       modern=established >= date(2015, 10, 1) or rng.random() < 0.3),
        legal_representative=representative,
        registered_capital=capital,
        established=established,
        term_until=term_until,
        address=fake_business_address(rng, region, shop=kind is EntityType.INDIVIDUAL),
        business_scope=business_scope(rng, phrases),
        registration_authority=authority,
        registration_date=registered,
        composition=("个人经营" if rng.random() < 0.85 else "家庭经营")
        if kind is EntityType.INDIVIDUAL else None,
        region=region,
    )
