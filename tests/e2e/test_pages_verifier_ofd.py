"""The ``/verify`` upload page with an OFD licence in Debian's chromium (issue 15, item 4): a
sealed OFD issued by the office's own ``zhengzhao issue --format ofd`` shows its verdict like a
PDF's (green, the licence name, the signing office, the holder photo checked against its signed
hash); the same OFD with one covered file edited is red without any holder data. Screenshots go
to ``var/test-artifacts/pages/verifier-ofd-*``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages_office import browser, shots  # a sibling module
from playwright import sync_api

from elicense import LicenceIdentifier, parse_identifier
from signing import read_ofd, write_ofd

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"
HOLDER = "林晓雨"  # the sample residence permit's holder
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def sealed_ofd(pages_office: Any, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A residence permit as a sealed OFD, by ``zhengzhao issue --format ofd`` over the running
    office's data dir."""
    out = tmp_path_factory.mktemp("verifier-ofd") / "permit.ofd"
    settings = pages_office.settings
    env = {**os.environ, "ZZ_DATA_DIR": str(settings.data_dir),
           "ZZ_SERVICES_DIR": str(settings.services_dir), "ZZ_PUBLIC_URL": pages_office.base}
    record = json.loads((RECORDS / "residence_permit.json").read_text("utf-8"))
    record["number"] = record["number"][:-2] + "77"  # not the one the PDF page tests issue
    record["identifier"] = _renumbered(record["identifier"], "77")
    path = out.with_suffix(".json")
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "issue", str(path), "--photo",
         str(RECORDS / "holder_photo.jpg"), "--out", str(out), "--format", "ofd", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ofd_sealed"] is True
    return out.read_bytes()


def _renumbered(identifier: str, serial: str) -> str:
    parts = parse_identifier(identifier).identifier
    return str(LicenceIdentifier.create(parts.type_code, parts.issuer_code,
                                        parts.serial[:-len(serial)] + serial))


@pytest.fixture(scope="module")
def chromium() -> Iterator[sync_api.Browser]:
    with browser() as instance:
        yield instance


@pytest.fixture
def page(chromium: sync_api.Browser) -> Iterator[sync_api.Page]:
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    try:
        yield context.new_page()
    finally:
        context.close()


def upload(page: sync_api.Page, base: str, data: bytes) -> sync_api.Locator:
    page.goto(f"{base}/verify")
    page.set_input_files("main form input[type=file]",
                         files=[{"name": "permit.ofd", "mimeType": "application/ofd",
                                 "buffer": data}])
    page.locator("main form button[type=submit]").click()
    verdict = page.locator("#verdict[data-indication]")
    verdict.wait_for(timeout=WAIT_MS)
    return verdict


def test_a_sealed_ofd_shows_its_verdict_like_a_pdf(pages_office: Any, sealed_ofd: bytes,
                                                   page: sync_api.Page) -> None:
    verdict = upload(page, pages_office.base, sealed_ofd)
    assert verdict.get_attribute("data-indication") == "PASSED"
    assert page.locator("[data-fact=name] td").inner_text() == "居住证"
    assert pages_office.settings.issuer_name in page.locator("#signer").inner_text()
    photo = page.locator("#holder-photo")
    assert photo.is_visible() and photo.evaluate("i => i.complete && i.naturalWidth") > 0
    shots(page, "verifier-ofd-valid")


def test_an_edited_ofd_is_red_without_holder_data(pages_office: Any, sealed_ofd: bytes,
                                                  page: sync_api.Page) -> None:
    files = dict(read_ofd(sealed_ofd).files)
    content = "Doc_0/Pages/Page_0/Content.xml"
    files[content] = files[content].replace(HOLDER.encode(), "李四".encode())
    verdict = upload(page, pages_office.base, write_ofd(files))
    assert verdict.get_attribute("data-indication") == "FAILED"
    assert HOLDER not in page.content() and page.locator("#holder-photo").count() == 0
    shots(page, "verifier-ofd-edited")
