"""Issue 11 finding 2 replayed against the service: office B signs, with its own keys, a
licence whose identifier, issuer code and issuer name are OURS; our admin imports B's trust
folder (``zhengzhao trust import``). Then the public API (token and PDF), the QR page ``/v/``,
the ``/verify`` upload page and ``zhengzhao verify`` (PDF and token) must all say FAILED
``licence.issuer_mismatch`` and name B — never ✔, never our office — as the signer. A licence B
issues in its own name still passes everywhere and names B. (The material path is replayed in
``tests/unit/api/jobs/test_jobs_elicence.py``.) An office carrying our name, or the name of an
issuer already imported, cannot be imported (``trust.conflict``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import build_parser
from api.cli.licence import run as run_licence
from api.cli.trust import run as run_trust
from core import Settings

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime.now(UTC).replace(microsecond=0)
USCC, HOLDER, REPRESENTATIVE = "91610113MA26Y1127U", "西安德润建筑工程有限公司", "段海"
MISMATCH = "licence.issuer_mismatch"


def cli(settings: Settings, run: Any, *argv: str) -> int:
    return run(build_parser(argv).parse_args(list(argv)), settings)


class World:
    """Our service with B's folder imported, B's forged licence in our name and B's own."""

    def __init__(self, settings: Settings, client: TestClient, b: Any, forged: Any,
                 legit: Any) -> None:
        self.settings, self.client, self.b = settings, client, b
        self.forged, self.legit = forged, legit


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("binding")
    settings = Settings(_env_file=None, data_dir=base / "data", verify_rate_per_minute=10_000)
    b = offices.Office(base / "b", *offices.OTHER, NOW - timedelta(days=1),
                       name_en="Another City Approval Bureau (demo)")
    forged = b.forge_company(NOW - timedelta(minutes=10),
                             (settings.issuer_code, settings.issuer_name),
                             uscc=USCC, holder=HOLDER, representative=REPRESENTATIVE)
    legit = b.issue_company(NOW - timedelta(minutes=5), uscc=USCC, holder=HOLDER,
                            representative=REPRESENTATIVE)
    with TestClient(create_app(settings)) as client:
        # Our admin imports B's published folder, as the attack needs.
        assert cli(settings, run_trust, "trust", "import",
                   str(b.published)) == 0
        yield World(settings, client, b, forged, legit)


def _api(world: World, licence: Any) -> list[dict[str, Any]]:
    by_token = world.client.post("/api/v1/verify", json={"token": licence.token})
    by_pdf = world.client.post("/api/v1/verify",
                               files={"file": ("l.pdf", licence.pdf, "application/pdf")})
    assert by_token.status_code == 200 and by_pdf.status_code == 200
    return [by_token.json(), by_pdf.json()]


def _pages(world: World, licence: Any) -> list[str]:
    qr = world.client.get("/v/" + quote(licence.token, safe=""))
    upload = world.client.post("/verify",
                               files={"file": ("l.pdf", licence.pdf, "application/pdf")})
    assert qr.status_code == 200 and upload.status_code == 200
    return [_main(qr.text), _main(upload.text)]


def _main(page: str) -> str:
    """The page's own content (the header names the office that serves the page)."""
    return page[page.index("<main"):page.index("</main>")]


def _signer(page: str) -> str:
    start = page.index('id="signer"')
    return page[start:page.index("</dd>", start)]


def test_the_public_api_fails_a_licence_b_signed_in_our_name(world: World) -> None:
    for body in _api(world, world.forged):
        assert body["indication"] == "FAILED" and body["valid"] is False, body
        assert body["sub_indication"] == MISMATCH
        assert body["signed_by"]["code"] == offices.OTHER[0]
        assert body["signed_by"]["name_zh"] == offices.OTHER[1]


def test_the_qr_page_and_the_upload_page_fail_it_and_name_b(world: World) -> None:
    ours = (world.settings.issuer_name, world.settings.issuer_name_en)
    for page in _pages(world, world.forged):
        assert 'data-indication="FAILED"' in page
        assert "✔" not in page and MISMATCH in page
        assert offices.OTHER[1] in _signer(page)
        assert not any(name in page for name in ours), "our name is shown"


def test_the_cli_fails_it_by_pdf_and_by_token(world: World, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "forged.pdf"
    pdf.write_bytes(world.forged.pdf)
    for argv in (["verify", str(pdf), "--json"],
                 ["verify", "--token", world.forged.token, "--json"],
                 ["verify", str(pdf), "--trust", str(world.b.published), "--json"]):
        capsys.readouterr()
        assert cli(world.settings, run_licence, *argv) == 1, argv
        verdict = json.loads(capsys.readouterr().out)
        assert verdict["sub_indication"] == MISMATCH, argv
        assert verdict["signed_by"]["code"] == offices.OTHER[0]


def test_bs_own_licence_passes_everywhere_and_names_b(world: World, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    for body in _api(world, world.legit):
        assert body["indication"] == "PASSED", body
        assert body["signed_by"]["name_zh"] == offices.OTHER[1]
    for page in _pages(world, world.legit):
        assert 'data-indication="PASSED"' in page and "✔" in page
        signer = _signer(page)
        assert offices.OTHER[1] in signer and offices.OTHER[0] in signer
        assert world.settings.issuer_name not in page
    pdf = tmp_path / "legit.pdf"
    pdf.write_bytes(world.legit.pdf)
    capsys.readouterr()
    assert cli(world.settings, run_licence, "verify", str(pdf),
               "--json") == 0
    assert json.loads(capsys.readouterr().out)["signed_by"]["code"] == offices.OTHER[0]


def test_a_page_says_when_no_trusted_office_signed(world: World, tmp_path: Path) -> None:
    stranger = offices.Office(tmp_path / "c", "11330100000000019F", "第三市行政审批局（演示）",
                              NOW - timedelta(days=1))
    licence = stranger.issue_company(NOW - timedelta(minutes=5), uscc=USCC, holder=HOLDER,
                                     representative=REPRESENTATIVE)
    page = _main(world.client.get("/v/" + quote(licence.token, safe="")).text)
    assert 'data-indication="FAILED"' in page
    assert "无法确认" in _signer(page) and "第三市" not in page


@pytest.mark.parametrize("clash", ["ours_zh", "ours_en", "imported_zh", "imported_en"])
def test_importing_an_office_with_a_taken_name_is_refused(
        world: World, tmp_path: Path, clash: str, capsys: pytest.CaptureFixture[str]) -> None:
    names = {"ours_zh": (world.settings.issuer_name, "Impostor"),
             "ours_en": ("冒名机关", world.settings.issuer_name_en),
             "imported_zh": (offices.OTHER[1], "Impostor"),
             "imported_en": ("冒名机关", world.b.name_en)}[clash]
    impostor = offices.Office(tmp_path / "impostor", "11330100000000019F", names[0],
                              NOW - timedelta(days=1), name_en=names[1])
    capsys.readouterr()
    assert cli(world.settings, run_trust, "trust", "import",
               str(impostor.published)) == 1
    assert "trust.conflict" in capsys.readouterr().err
    listed = [p.name for p in (world.settings.data_dir / "trust").iterdir()
              if not p.name.startswith(".")]
    assert listed == [offices.OTHER[0]]
