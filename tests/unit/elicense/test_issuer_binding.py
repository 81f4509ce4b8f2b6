"""Issue 11 finding 2, in ``elicense``: a licence verified with an issuer's keys must name that
issuer. Office B signs — with its own, trusted keys — licences in our name (our code, an
identifier with our issuer segment, our name), or with only one of those facts ours; every one is
FAILED ``licence.issuer_mismatch`` by the token and the PDF verification and untrusted as a
material, while B's own licences still pass and say B signed them. Importing refuses trust lists
that carry our name or another imported issuer's (``trust.conflict``); issuing refuses a record
that is not in our name (``licence.issuer_not_ours``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from trust_offices import OTHER, US, Office, zipped  # a sibling module

from core import ErrorCode
from elicense import (
    ElicenceOutcome,
    IssuerNames,
    LicenceCode,
    LicenceIssuerNotOursError,
    TrustedIssuers,
    TrustImportError,
    TrustSource,
    TrustStore,
    check_issuer_binding,
    issue_licence,
    load_templates,
    load_trust,
    parse_licence,
    verify_elicence,
    verify_licence_pdf,
    verify_licence_token,
)
from signing import Indication, decode_token, verify_token

NOW = datetime.now(UTC).replace(microsecond=0)
MADE = NOW - timedelta(days=1)
USCC, HOLDER, REPRESENTATIVE = "91610113MA26Y1127U", "西安德润建筑工程有限公司", "段海"
US_EN = "Demo City Administrative Approval Bureau (demo)"
THIRD = ("11330100000000019F", "第三市行政审批局（演示）")


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, Office]:
    base = tmp_path_factory.mktemp("binding")
    return (Office(base / "us", *US, MADE, name_en=US_EN), Office(base / "b", *OTHER, MADE))


def forged(office: Office, issuer: tuple[str, str]):
    return office.forge_company(NOW - timedelta(minutes=5), issuer, uscc=USCC, holder=HOLDER,
                                representative=REPRESENTATIVE)


@pytest.fixture(scope="module")
def in_our_name(offices: tuple[Office, Office]):
    """B's keys, our code, identifier and name."""
    return forged(offices[1], US)


def _issuer_check(verdict) -> object:
    return next(c for c in verdict.checks if c.check.value == "issuer")


def test_a_licence_signed_by_b_in_our_name_fails_by_token_and_by_pdf(
        offices: tuple[Office, Office], in_our_name) -> None:
    assert decode_token(in_our_name.token).kid in load_trust(offices[1].published).trusted_keys
    trust_b = load_trust(offices[1].published)
    for verdict in (verify_licence_token(in_our_name.token, trust_b, now=NOW),
                    verify_licence_pdf(in_our_name.pdf, trust_b, now=NOW)):
        assert verdict.indication is Indication.FAILED, verdict.to_dict()
        assert verdict.sub_indication == "licence.issuer_mismatch"
        check = _issuer_check(verdict)
        assert check.code == LicenceCode.ISSUER_MISMATCH
        assert "token.iss" in check.message_en and OTHER[1] in check.message_zh
        # Who signed it is B, by B's trust list, whatever the licence says.
        assert verdict.signed_by == {"code": OTHER[0], "name_zh": OTHER[1],
                                     "name_en": offices[1].name_en}
    pdf_check = _issuer_check(verify_licence_pdf(in_our_name.pdf, trust_b, now=NOW))
    assert "record.issuer_code" in pdf_check.message_en


@pytest.mark.parametrize(("issuer", "named"), [
    ((OTHER[0], US[1]), "token.issuer_name"),  # B's code and identifier, our name
    (THIRD, "token.identifier"),  # a third office's code, identifier and name
])
def test_any_one_fact_naming_another_office_fails(offices: tuple[Office, Office], issuer,
                                                  named: str) -> None:
    licence = forged(offices[1], issuer)
    trust_b = load_trust(offices[1].published)
    for verdict in (verify_licence_token(licence.token, trust_b, now=NOW),
                    verify_licence_pdf(licence.pdf, trust_b, now=NOW)):
        assert verdict.sub_indication == "licence.issuer_mismatch", verdict.to_dict()
        assert named in _issuer_check(verdict).message_en


def test_bs_own_licence_passes_and_names_b(offices: tuple[Office, Office]) -> None:
    own = offices[1].issue_company(NOW - timedelta(minutes=5), uscc=USCC, holder=HOLDER,
                                   representative=REPRESENTATIVE)
    trust_b = load_trust(offices[1].published)
    for verdict in (verify_licence_token(own.token, trust_b, now=NOW),
                    verify_licence_pdf(own.pdf, trust_b, now=NOW)):
        assert verdict.passed, verdict.to_dict()
        assert _issuer_check(verdict).outcome is Indication.PASSED
        assert verdict.signed_by["code"] == OTHER[0]
        assert verdict.signed_by["name_zh"] == OTHER[1]


def test_as_a_material_it_is_untrusted_and_shown_under_bs_name(
        offices: tuple[Office, Office], in_our_name) -> None:
    sources = TrustedIssuers([TrustSource(OTHER[0], OTHER[1], load_trust(offices[1].published))],
                             own=TrustSource(US[0], US[1], load_trust(offices[0].published)))
    result = verify_elicence(in_our_name.pdf, sources, now=NOW)
    assert result.outcome is ElicenceOutcome.UNTRUSTED_ISSUER and not result.verified
    assert result.verdict is not None
    assert result.verdict.sub_indication == "licence.issuer_mismatch"
    assert (result.issuer_code, result.issuer_name) == (OTHER[0], OTHER[1])


def test_without_a_named_issuer_nothing_passes(offices: tuple[Office, Office]) -> None:
    own = offices[0].issue_company(NOW - timedelta(minutes=5), uscc=USCC, holder=HOLDER,
                                   representative=REPRESENTATIVE)
    claims = verify_token(own.token, load_trust(offices[0].published).trusted_keys, NOW).claims
    assert claims is not None
    check = check_issuer_binding(None, claims)
    assert check.outcome is Indication.INDETERMINATE
    assert check.code == LicenceCode.ISSUER_UNKNOWN
    assert check_issuer_binding(IssuerNames(US[0], US[1], US_EN), claims).outcome \
        is Indication.PASSED
    # The English name of the trust list is the office's name too.
    assert check_issuer_binding(IssuerNames(US[0], "别的名字", US[1]), claims).outcome \
        is Indication.PASSED


# --- issuing only in our own name ---------------------------------------------------------

@pytest.mark.parametrize(("issuer", "issuer_code", "field"), [
    (US, OTHER[0], "issuer_code"),  # B's software asked to issue in our name
    ((OTHER[0], US[1]), OTHER[0], "issuer"),  # B's code, our name
    (US, US[0], "key store"),  # B's keys, told our code is theirs
])
def test_issuing_refuses_a_record_not_in_the_offices_name(
        offices: tuple[Office, Office], issuer, issuer_code: str, field: str) -> None:
    office = offices[1]
    record = office.company_record(NOW, uscc=USCC, holder=HOLDER,
                                   representative=REPRESENTATIVE, issuer=issuer)
    before = len(office.registry.entries())
    with pytest.raises(LicenceIssuerNotOursError) as info:
        issue_licence(parse_licence(record), load_templates().get(record["type_code"]),
                      photo=None, store=office.store, registry=office.registry,
                      issuer_code=issuer_code, published_dir=office.published, now=NOW)
    assert info.value.code is ErrorCode.LICENCE_ISSUER_NOT_OURS and info.value.field == field
    assert info.value.message_zh and info.value.message_en
    assert len(office.registry.entries()) == before


# --- import: no two trusted issuers share a code or a name ----------------------------------

@pytest.fixture
def store(tmp_path: Path) -> TrustStore:
    return TrustStore(tmp_path / "trust", US[0], own_names=US[1:] + (US_EN,))


def _refused(store: TrustStore, office: Office, code: ErrorCode) -> str:
    held = sorted(p.name for p in store.root.glob("[0-9]*")) if store.root.is_dir() else []
    with pytest.raises(TrustImportError) as info:
        store.import_zip(zipped(office.published))
    assert info.value.code is code, info.value.message_en
    assert info.value.message_zh
    assert sorted(p.name for p in store.root.glob("[0-9]*")) == held, "nothing changed"
    return info.value.message_en


@pytest.mark.parametrize(("name", "name_en"), [
    (US[1], "Some Other Bureau"),  # our Chinese name
    ("某个机关", US_EN),  # our English name
    ("示例市行政审批局(演示)", "Some Other Bureau"),  # ours with half-width brackets
    ("某个机关", " demo city administrative approval bureau (DEMO) "),  # case and spaces
])
def test_an_issuer_carrying_our_name_is_refused(store: TrustStore, tmp_path: Path, name: str,
                                                name_en: str) -> None:
    impostor = Office(tmp_path / "impostor", THIRD[0], name, MADE, name_en=name_en)
    assert "this office's name" in _refused(store, impostor, ErrorCode.TRUST_CONFLICT)


def test_our_own_code_is_refused(store: TrustStore, tmp_path: Path) -> None:
    impostor = Office(tmp_path / "impostor", US[0], THIRD[1], MADE, name_en="Third")
    _refused(store, impostor, ErrorCode.TRUST_OWN_ISSUER)


@pytest.mark.parametrize("same", ["name_zh", "name_en"])
def test_an_issuer_carrying_an_imported_issuers_name_is_refused(
        store: TrustStore, offices: tuple[Office, Office], tmp_path: Path, same: str) -> None:
    store.import_path(offices[1].published)
    b = offices[1]
    name, name_en = (b.name, "Third") if same == "name_zh" else (THIRD[1], b.name_en)
    impostor = Office(tmp_path / "impostor", THIRD[0], name, MADE, name_en=name_en)
    assert OTHER[0] in _refused(store, impostor, ErrorCode.TRUST_CONFLICT)
    assert [i.code for i in store.list()] == [OTHER[0]]


def test_an_imported_issuers_code_with_another_root_is_refused(
        store: TrustStore, offices: tuple[Office, Office], tmp_path: Path) -> None:
    store.import_path(offices[1].published)
    impostor = Office(tmp_path / "impostor", OTHER[0], OTHER[1], MADE,
                      name_en=offices[1].name_en)
    assert "another root" in _refused(store, impostor, ErrorCode.TRUST_CONFLICT)
    assert store.get(OTHER[0]).trust_list_issued_at is not None
    assert load_trust(store.root / OTHER[0]).root == load_trust(offices[1].published).root


def test_a_newer_list_of_the_same_issuer_still_imports(store: TrustStore,
                                                      tmp_path: Path) -> None:
    office = Office(tmp_path / "b", *OTHER, MADE)
    older = zipped(office.published)
    store.import_zip(older)
    office.publish(NOW + timedelta(seconds=5))
    assert store.import_zip(zipped(office.published)).status_list_issued_at \
        == NOW + timedelta(seconds=5)
    with pytest.raises(TrustImportError) as info:
        store.import_zip(older)
    assert info.value.code is ErrorCode.TRUST_ROLLBACK
    other = Office(tmp_path / "third", *THIRD, MADE)
    assert store.import_path(other.published).code == THIRD[0]  # distinct names: fine
