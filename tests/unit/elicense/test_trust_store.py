"""Other issuers' trust folders: imported from a folder or a zip only when they chain, never
this office's own, never rolled back to an older status list; strict zips (traversal, links,
bombs, unknown names refused); removal; and verification of a licence against whichever
trusted issuer signed it — verified, untrusted, forged or revoked, on real signed PDFs."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from trust_offices import OTHER, US, Office, flip, zipped  # a sibling module

from core import ErrorCode
from elicense import (
    ElicenceOutcome,
    TrustedIssuers,
    TrustImportError,
    TrustIssuerNotFoundError,
    TrustSource,
    TrustStore,
    load_trust,
    verify_elicence,
)

NOW = datetime.now(UTC).replace(microsecond=0)
MADE = NOW - timedelta(days=1)
USCC = "91610113MA26Y1127U"


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, Office]:
    base = tmp_path_factory.mktemp("offices")
    return (Office(base / "us", *US, MADE), Office(base / "other", *OTHER, MADE))


@pytest.fixture(scope="module")
def foreign(offices: tuple[Office, Office]):
    """A company licence issued and signed by the other office."""
    return offices[1].issue_company(NOW - timedelta(minutes=30), uscc=USCC,
                                    holder="西安德润建筑工程有限公司", representative="段海")


@pytest.fixture
def store(tmp_path: Path) -> TrustStore:
    return TrustStore(tmp_path / "trust", own_code=US[0], own_names=(US[1], "Demo City"))


def refused(store: TrustStore, data: bytes, code: ErrorCode = ErrorCode.TRUST_INVALID) -> str:
    with pytest.raises(TrustImportError) as info:
        store.import_zip(data)
    assert info.value.code is code
    assert not any(store.root.glob("[0-9]*")), "nothing is stored after a refusal"
    return info.value.message_en


def test_a_published_folder_is_imported_listed_and_removed(
        store: TrustStore, offices: tuple[Office, Office], foreign) -> None:
    other = offices[1]
    issuer = store.import_path(other.published)
    assert (issuer.code, issuer.name_zh, issuer.keys) == (OTHER[0], OTHER[1], 1)
    assert issuer.status_list_issued_at is not None
    assert sorted(p.name for p in (store.root / OTHER[0]).iterdir()) == [
        "crls", "root.pem", "sm2-ca.pem", "sm2-root.pem", "status-list.cose", "trust-list.json"]
    assert [i.code for i in store.list()] == [OTHER[0]]
    assert store.get(OTHER[0]).name_zh == OTHER[1]
    [(listed, material)] = store.materials()
    assert listed.code == OTHER[0] and material.root == load_trust(other.published).root
    assert store.remove(OTHER[0]).code == OTHER[0]
    assert store.list() == [] and not (store.root / OTHER[0]).exists()
    with pytest.raises(TrustIssuerNotFoundError) as info:
        store.remove(OTHER[0])
    assert info.value.code is ErrorCode.TRUST_NOT_FOUND


def test_a_zip_of_the_folder_imports_with_or_without_a_top_folder(
        store: TrustStore, offices: tuple[Office, Office]) -> None:
    folder = offices[1].published
    assert store.import_zip(zipped(folder)).code == OTHER[0]
    assert store.import_zip(zipped(folder, "published/")).code == OTHER[0]
    assert len(store.list()) == 1


def test_a_folder_whose_list_does_not_chain_to_its_root_is_refused(
        store: TrustStore, offices: tuple[Office, Office], tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(offices[1].published, mixed)
    shutil.copy(offices[0].published / "root.pem", mixed / "root.pem")
    assert "pinned root" in refused(store, zipped(mixed))
    with pytest.raises(TrustImportError):
        store.import_path(mixed)


def test_a_status_list_signed_by_someone_else_is_refused(
        store: TrustStore, offices: tuple[Office, Office], tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(offices[1].published, mixed)
    shutil.copy(offices[0].published / "status-list.cose", mixed / "status-list.cose")
    assert "status-list.cose" in refused(store, zipped(mixed))


def test_this_offices_own_folder_is_refused(store: TrustStore,
                                            offices: tuple[Office, Office]) -> None:
    refused(store, zipped(offices[0].published), ErrorCode.TRUST_OWN_ISSUER)


def test_an_older_status_list_never_replaces_a_newer_one(
        store: TrustStore, tmp_path: Path) -> None:
    office = Office(tmp_path / "office", *OTHER, MADE)
    older = zipped(office.published)
    office.publish(NOW + timedelta(seconds=5))
    newer = zipped(office.published)
    first = store.import_zip(newer)
    message = refused_keeping(store, older)
    assert "older" in message
    assert store.get(OTHER[0]).status_list_issued_at == first.status_list_issued_at
    assert store.import_zip(newer).code == OTHER[0]  # the same list again is fine


def refused_keeping(store: TrustStore, data: bytes) -> str:
    with pytest.raises(TrustImportError) as info:
        store.import_zip(data)
    assert info.value.code is ErrorCode.TRUST_ROLLBACK
    return info.value.message_en


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return out.getvalue()


def _with(folder: Path, name: str | zipfile.ZipInfo, data: bytes) -> bytes:
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = [
        (p.relative_to(folder).as_posix(), p.read_bytes())
        for p in sorted(folder.rglob("*")) if p.is_file()]
    return _zip([*entries, (name, data)])


def test_zips_that_leave_the_folder_or_carry_other_files_are_refused(
        store: TrustStore, offices: tuple[Office, Office]) -> None:
    folder = offices[1].published
    assert "leaves" in refused(store, _with(folder, "../evil.pem", b"x"))
    assert "leaves" in refused(store, _with(folder, "crls/../../x.pem", b"x"))
    assert "absolute" in refused(store, _with(folder, "/etc/cron.d/x", b"x"))
    assert "absolute" in refused(store, _with(folder, "crls\\..\\x.pem", b"x"))
    assert "unexpected" in refused(store, _with(folder, "run.sh", b"#!/bin/sh\n"))
    assert "unexpected" in refused(store, _with(folder, "crls/sub/x.pem", b"x"))
    link = zipfile.ZipInfo("crls/link.pem")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert "link" in refused(store, _with(folder, link, b"/etc/passwd"))
    assert "missing" in refused(store, _zip([("root.pem", (folder / "root.pem").read_bytes())]))
    assert "not a zip" in refused(store, b"PK\x03\x04 not really")


def test_a_zip_bomb_is_refused_without_unpacking_it(
        store: TrustStore, offices: tuple[Office, Office]) -> None:
    bomb = _with(offices[1].published, "crls/bomb.pem", b"\0" * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024  # small on the wire
    assert "too large" in refused(store, bomb)
    many = _zip([(f"crls/c{i}.pem", b"x") for i in range(100)])
    assert "too many" in refused(store, many)


def _sources(offices: tuple[Office, Office], store: TrustStore) -> TrustedIssuers:
    own = TrustSource(US[0], US[1], load_trust(offices[0].published))
    return store.trusted_issuers(own=own)


def test_a_licence_verifies_only_while_its_issuer_is_trusted(
        store: TrustStore, offices: tuple[Office, Office], foreign) -> None:
    before = verify_elicence(foreign.pdf, _sources(offices, store), now=NOW)
    assert before.outcome is ElicenceOutcome.UNTRUSTED_ISSUER and before.verdict is None
    assert before.summary()["issuer_code"] == OTHER[0]  # what it claims
    assert before.licence is None  # its facts are not usable
    store.import_path(offices[1].published)
    after = verify_elicence(foreign.pdf, _sources(offices, store), now=NOW)
    assert after.outcome is ElicenceOutcome.VERIFIED and after.verified
    summary = after.summary()
    assert summary["issuer_name"] == OTHER[1] and summary["status"] == "valid"
    assert summary["identifier"] == foreign.licence.identifier
    assert summary["holder_code_masked"] == USCC  # a credit code is public
    assert after.licence == foreign.licence  # the signed record, typed
    store.remove(OTHER[0])
    gone = verify_elicence(foreign.pdf, _sources(offices, store), now=NOW)
    assert gone.outcome is ElicenceOutcome.UNTRUSTED_ISSUER


def test_the_issuer_is_picked_by_key_id_ours_first_an_ambiguous_key_by_none(
        offices: tuple[Office, Office], foreign) -> None:
    ours = TrustSource(US[0], US[1], load_trust(offices[0].published))
    theirs = TrustSource(OTHER[0], OTHER[1], load_trust(offices[1].published))
    their_kid = next(iter(theirs.material.trusted_keys))
    our_kid = next(iter(ours.material.trusted_keys))
    issuers = TrustedIssuers([theirs], own=ours)
    assert issuers.for_kid(our_kid) is ours and issuers.for_kid(their_kid) is theirs
    assert issuers.for_kid(None) is None and issuers.for_kid(b"\0" * len(their_kid)) is None
    # Another issuer claiming our key does not take our licences over.
    claims_ours = TrustSource("91110000000000000X", "冒名机构", ours.material)
    assert TrustedIssuers([claims_ours], own=ours).for_kid(our_kid) is ours
    # Two other issuers claiming one key: trusted with it by neither (the public routes and the
    # materials of an application pick alike), so the licence is not verified.
    twin = TrustSource("91110000000000000X", "冒名机构", theirs.material)
    both = TrustedIssuers([theirs, twin], own=ours)
    assert both.for_kid(their_kid) is None
    result = verify_elicence(foreign.pdf, both, now=NOW)
    assert result.outcome is ElicenceOutcome.UNTRUSTED_ISSUER and result.verdict is None
    assert verify_elicence(foreign.pdf, TrustedIssuers([theirs], own=ours), now=NOW).verified


def test_a_tampered_licence_is_forged(store: TrustStore, offices: tuple[Office, Office],
                                      foreign) -> None:
    store.import_path(offices[1].published)
    result = verify_elicence(flip(foreign.pdf), _sources(offices, store), now=NOW)
    assert result.outcome is ElicenceOutcome.FORGED and not result.verified
    assert result.summary()["status"] == "invalid"
    assert result.record is not None and result.licence is None


def test_a_revoked_licence_is_revoked_once_the_new_list_is_imported(
        store: TrustStore, tmp_path: Path) -> None:
    us = Office(tmp_path / "us", *US, MADE)
    other = Office(tmp_path / "other", *OTHER, MADE)
    issued = other.issue_company(NOW - timedelta(minutes=20), uscc=USCC, holder="某公司",
                                 representative="段海")
    store.import_path(other.published)
    sources = lambda: _sources((us, other), store)  # noqa: E731
    assert verify_elicence(issued.pdf, sources(), now=NOW).verified
    other.revoke(issued.licence.identifier, NOW - timedelta(minutes=10))
    store.import_path(other.published)
    result = verify_elicence(issued.pdf, sources(), now=NOW)
    assert result.outcome is ElicenceOutcome.REVOKED
    assert result.summary()["status"] == "revoked"


def test_an_expired_licence_is_expired_not_forged(store: TrustStore,
                                                  offices: tuple[Office, Office]) -> None:
    ended = (NOW - timedelta(days=3)).date().isoformat()
    issued = offices[0].issue_company(NOW - timedelta(minutes=40), uscc=USCC, holder="某公司",
                                      representative="段海", valid_until=ended, days_old=400)
    result = verify_elicence(issued.pdf, _sources(offices, store), now=NOW)
    assert result.outcome is ElicenceOutcome.EXPIRED
    assert result.summary()["status"] == "expired" and not result.verified


def test_a_pdf_without_a_licence_is_not_verified(offices: tuple[Office, Office],
                                                 store: TrustStore) -> None:
    result = verify_elicence(b"%PDF-1.7\n%%EOF\n", _sources(offices, store), now=NOW)
    assert result.outcome is ElicenceOutcome.UNVERIFIED and result.record is None
