"""The trust cache's cheap per-request check: the material stays in memory while the published
folder is unchanged, a re-publish (an issue, a revocation — by this process or any other one
writing the folder) is seen by the very next request, and a file changed by hand without a new
status list is seen at the next full comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

import api.deps
from api.deps import TrustCache
from core import Settings
from elicense import (
    FileRegistry,
    load_licence,
    load_templates,
    revoke_licence,
    verify_licence_token,
)
from elicense import issue_licence as issue
from signing import Indication, KeyStore

RECORDS = Path(__file__).resolve().parents[3] / "samples" / "licences"


@pytest.fixture()
def office(tmp_path: Path) -> tuple[Settings, TrustCache]:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    cache = TrustCache(settings)
    cache.refresh()
    return settings, cache


def _issue(settings: Settings, record: str):
    licence = load_licence(RECORDS / record)
    template = load_templates().get(licence.type_code)
    return issue(licence, template, photo=(RECORDS / "holder_photo.jpg").read_bytes(),
                 store=KeyStore.from_settings(settings),
                 registry=FileRegistry(settings.data_dir / "licences"),
                 issuer_code=settings.issuer_code, published_dir=settings.data_dir / "published")


def test_nothing_is_current_before_the_first_load(office) -> None:
    _settings, cache = office
    assert cache.current() is None
    loaded = cache.get()
    assert cache.current() is loaded and cache.get() is loaded


def test_a_revocation_is_seen_by_the_next_request(office) -> None:
    settings, cache = office
    issued = _issue(settings, "residence_permit.json")
    before = cache.get()
    assert cache.current() is before
    assert verify_licence_token(issued.token, before).indication is Indication.PASSED
    revoke_licence(str(issued.licence.identifier), "test",
                   store=KeyStore.from_settings(settings),
                   registry=FileRegistry(settings.data_dir / "licences"),
                   issuer_code=settings.issuer_code,
                   published_dir=settings.data_dir / "published")
    assert cache.current() is None  # the status list was replaced
    after = cache.get()
    assert after is not before and cache.current() is after
    assert verify_licence_token(issued.token, after).indication is Indication.FAILED


def test_a_crl_replaced_by_hand_is_seen_at_the_full_comparison(office, monkeypatch) -> None:
    _settings, cache = office
    loaded = cache.get()
    crl = sorted((cache.directory / "crls").glob("*.pem"))[0]
    replacement = crl.with_name(".edit.tmp")
    replacement.write_bytes(crl.read_bytes())
    replacement.replace(crl)  # same bytes, a new file: an edit made without publishing
    monkeypatch.setattr(api.deps, "FULL_CHECK_SECONDS", 0.0)
    assert cache.current() is None
    assert cache.get() is not loaded
