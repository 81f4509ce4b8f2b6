"""The offline verifier page ``/verify/offline`` (issue 14) in Debian chromium: every shared
conformance vector (``tests/conformance/token_vectors.py``, also run by the Python verifier in
``tests/conformance/test_token_vectors.py``) gives its expected verdict in the page; and with
the page loaded and then every request blocked and the browser offline, a licence token of the
running office typed into the field (as its QR link) gives PASSED and an edited one FAILED.
Screenshots of the green, red and amber results; the time per check is measured (median in
``var/test-artifacts/pages/offline-timing.json``)."""

from __future__ import annotations

import json
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import cbor2
import pytest
from pages_office import ARTIFACTS, Office, browser, shots
from playwright import sync_api

from elicense import LicenceIdentifier
from signing import KeyStore, LicenceClaims, TokenClaims, encode_token, key_id

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))
from token_vectors import build_vectors, recompose  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_SHOT_OF = {"genuine": "offline-green", "edited_field": "offline-red",
            "stale_status_list": "offline-amber"}


def _open(page: sync_api.Page, base: str) -> None:
    page.goto(f"{base}/verify/offline")
    page.wait_for_selector("html[data-offline-ready='1']")


def office_claims(office: Office, signed: datetime, holder: str = "欧阳晓明") -> TokenClaims:
    """A licence of the running office signed at ``signed``, as its issuing code writes one
    (status entry 131071, never revoked in these tests)."""
    settings = office.settings
    now = datetime.now(UTC).replace(microsecond=0)
    today = date.today()
    identifier = LicenceIdentifier.create("11100000000013338W032", settings.issuer_code, "E2E14")
    licence = LicenceClaims(
        identifier=str(identifier), holder_name=holder, holder_code="1****************X",
        holder_code_type="111", issuer_name=settings.issuer_name,
        issued_on=today - timedelta(days=1), valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=365), status_index=131071)
    return TokenClaims(issuer=settings.issuer_code, issued_at=signed, not_before=signed,
                       expires=now + timedelta(days=365),
                       licence=licence)


def office_token(office: Office) -> tuple[str, str]:
    """A genuine token signed with the office's current key, and the same token with the
    holder's name changed (signature kept)."""
    signer = KeyStore.from_settings(office.settings).signer()
    # Signed when the office's key became valid (it was made when the office started).
    signed = signer.certificate.not_valid_before_utc
    genuine = encode_token(office_claims(office, signed), signer, key_id(signer.certificate))
    edited = recompose(genuine, payload=cbor2.dumps(
        office_claims(office, signed, holder="欧阳晓明明").to_cwt(), canonical=True))
    return genuine, edited


def test_every_conformance_vector_gives_its_verdict_in_the_page(pages_office: Office) -> None:
    vectors = [vector.to_page() for vector in build_vectors()]
    with browser() as chromium:
        page = chromium.new_page()
        _open(page, pages_office.base)
        wrong: list[tuple[str, Any, Any]] = []
        for vector in vectors:
            verdict = page.evaluate(
                "v => window.zzOffline.check(v.token, {trust: v.trust, now: v.now})", vector)
            shown = page.get_attribute("#offline-result", "data-indication")
            got = (verdict["indication"], verdict["sub_indication"], shown)
            if got != (vector["expected"], vector["sub_indication"], vector["expected"]):
                wrong.append((vector["name"], got, vector["expected"]))
            if vector["name"] in _SHOT_OF:
                assert page.is_visible("#offline-result")
                shots(page, _SHOT_OF[vector["name"]])
        assert not wrong
        # The stale list says since when revocation is unknown.
        stale = next(v for v in vectors if v["name"] == "stale_status_list")
        page.evaluate("v => window.zzOffline.check(v.token, {trust: v.trust, now: v.now})", stale)
        assert "since" in page.inner_text("#offline-result") or "起" in page.inner_text(
            "#offline-result")
        page.close()


def test_offline_page_checks_the_office_licence_with_every_request_blocked(
        pages_office: Office) -> None:
    genuine, edited = office_token(pages_office)
    with browser() as chromium:
        context = chromium.new_context()
        page = context.new_page()
        _open(page, pages_office.base)
        requests: list[str] = []

        def refuse(route: sync_api.Route) -> None:
            requests.append(route.request.url)
            route.abort()

        page.route("**/*", refuse)
        context.set_offline(True)
        # The printed QR holds the link form: <public URL>/v#<token, % and space encoded>.
        link = "https://zz.example.gov.cn/v#" + quote(genuine, safe="$*+-./:")
        page.fill("input[name=token]", link)
        page.press("input[name=token]", "Enter")
        page.wait_for_selector("#offline-result[data-state='done']")
        assert page.get_attribute("#offline-result", "data-sub-indication") == ""
        assert page.get_attribute("#offline-result", "data-indication") == "PASSED"
        first_ms = float(page.get_attribute(".offline-time", "data-ms") or "nan")
        text = page.inner_text("#offline-result")
        assert "1****************X" in text  # the masked holder code, never a full ID number
        names = (pages_office.settings.issuer_name, pages_office.settings.issuer_name_en)
        assert any(name in text for name in names)
        page.fill("input[name=token]", edited)
        page.press("input[name=token]", "Enter")
        page.wait_for_selector("#offline-result[data-indication='FAILED'][data-state='done']")
        assert page.get_attribute("#offline-result", "data-sub-indication") == "token.bad_signature"
        assert "欧阳晓明明" not in page.inner_text("#offline-result")
        # Time per verification, the page's own trust material, warm (keys imported once).
        times = page.evaluate("""async t => {
            const out = [];
            for (let i = 0; i < 25; i++) {
              const started = performance.now();
              const v = await window.zzOffline.verify(t);
              out.push([performance.now() - started, v.indication]);
            }
            return out; }""", genuine)
        assert {indication for _ms, indication in times} == {"PASSED"}
        median = statistics.median(ms for ms, _ in times)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "offline-timing.json").write_text(json.dumps(
            {"first_ms": first_ms, "median_ms": median,
             "max_ms": max(ms for ms, _ in times), "runs": len(times)}))
        assert median <= 50
        assert requests == []  # nothing left the page
        context.close()


def test_a_later_visit_works_with_no_network_and_the_trust_refreshes_online(
        pages_office: Office) -> None:
    genuine, _edited = office_token(pages_office)
    url = f"{pages_office.base}/verify/offline"
    with browser() as chromium:
        context = chromium.new_context()
        page = context.new_page()
        _open(page, pages_office.base)
        # The service worker has stored the page and its assets and controls the page.
        page.evaluate("""() => navigator.serviceWorker.ready.then(() => new Promise(done => {
            if (navigator.serviceWorker.controller) { done(); return; }
            navigator.serviceWorker.addEventListener("controllerchange", () => done());
        }))""")
        context.set_offline(True)
        later = context.new_page()
        later.goto(url)  # no network: the worker answers from its cache
        later.wait_for_selector("html[data-offline-ready='1']")
        later.fill("input[name=token]", genuine)
        later.press("input[name=token]", "Enter")
        later.wait_for_selector("#offline-result[data-state='done']")
        assert later.get_attribute("#offline-result", "data-indication") == "PASSED"
        before = later.get_attribute("#offline-trust-age", "data-generated-at")
        later.click("#offline-refresh")
        later.wait_for_selector("#offline-refresh-state:has-text('Offline')", state="attached")
        context.set_offline(False)
        later.click("#offline-refresh")
        later.wait_for_selector("#offline-refresh-state:has-text('Updated')", state="attached")
        after = later.get_attribute("#offline-trust-age", "data-generated-at")
        assert before is not None and after is not None and int(after) >= int(before)
        context.close()
