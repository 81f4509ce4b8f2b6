"""``zhengzhao verify FILE`` for OFD files, end to end through the CLI entry point (issue 15, items
4 and 5): a licence OFD issued by ``zhengzhao issue --format ofd`` is PASSED against the office's
own published folder (its SM2 root), FAILED once a covered file is edited; ofdrw's sealed samples
(another implementation's seals, no licence inside) are never FAILED intact and FAILED once
edited, and ``--trust-anchor ofdrw_root.pem`` makes their chain reach ofdrw's root. Which verifier
runs is decided by content: the same licence as PDF, or its token in a text file, still work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_office import PHOTO, ROOT, permit_record  # a sibling module

from api.cli import main
from signing import read_ofd, write_ofd

OFDRW = ROOT / "tests" / "data" / "ofd" / "ofdrw"
ANCHOR = OFDRW / "ofdrw_root.pem"
# Intact v4 seals of other implementations (n.ofd, v1, was re-saved after signing: FAILED).
INTACT = ("allprotected.ofd", "v4signed.ofd", "signedFile.ofd", "SignScaleError.ofd",
          "SESV4SignDoc.ofd")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("office-verify-ofd")


def _verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["verify", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


@pytest.fixture()
def issued(office: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    """A licence issued as PDF and sealed OFD (once per office folder)."""
    done = office / "both.json"
    if not done.exists():
        code = main(["issue", str(permit_record(office, "71")), "--photo", str(PHOTO), "--out",
                     str(office / "both.pdf"), "--format", "both", "--json"])
        assert code == 0
        done.write_text(capsys.readouterr().out, "utf-8")
    return json.loads(done.read_text("utf-8"))


def _edited(data: bytes, suffix: str) -> bytes:
    files = dict(read_ofd(data).files)
    page = next(p for p in sorted(files) if p.endswith(suffix))
    files[page] = files[page] + b" "
    return write_ofd(files)


def test_our_licence_ofd_passes(office: Path, issued: dict, capsys) -> None:
    assert issued["ofd_sealed"] is True
    code, verdict = _verify(capsys, issued["ofd_file"])
    assert code == 0, verdict
    assert verdict["indication"] == "PASSED" and verdict["pdf"] is None
    assert verdict["ofd"]["anchor"] == "issuer"
    assert verdict["licence"]["identifier"] == issued["identifier"]
    assert [c["check"] for c in verdict["checks"]][0] == "ofd_seal"


def test_an_edited_licence_ofd_fails(office: Path, issued: dict, capsys) -> None:
    forged = office / "forged.ofd"
    forged.write_bytes(_edited(Path(issued["ofd_file"]).read_bytes(), "licence.json"))
    code, verdict = _verify(capsys, str(forged))
    assert code == 1 and verdict["indication"] == "FAILED"
    code, verdict = _verify(capsys, str(forged), "--trust-anchor", str(ANCHOR))
    assert code == 1 and verdict["indication"] == "FAILED"


def test_the_pdf_and_a_token_file_still_take_their_own_paths(office: Path, issued: dict,
                                                              capsys) -> None:
    code, verdict = _verify(capsys, issued["file"])
    assert code == 0 and verdict["pdf"]["level"] and verdict["ofd"] is None
    token = office / "token.txt"
    token.write_text(issued["token"] + "\n", "utf-8")
    code, verdict = _verify(capsys, str(token))
    assert code == 0 and verdict["pdf"] is None and verdict["ofd"] is None
    assert verdict["token"]["code"] == "token.valid"


@pytest.mark.parametrize("name", INTACT)
def test_ofdrw_samples_intact_are_not_failed(office: Path, capsys, name: str) -> None:
    code, verdict = _verify(capsys, str(OFDRW / name))
    assert code == 1  # not PASSED: a seal of an unknown issuer, and no licence inside
    assert verdict["indication"] == "INDETERMINATE", verdict
    assert verdict["ofd"]["indication"] == "INDETERMINATE"
    code, anchored = _verify(capsys, str(OFDRW / name), "--trust-anchor", str(ANCHOR))
    assert anchored["indication"] == "INDETERMINATE"


def test_the_trust_anchor_lets_ofdrws_chain_reach_its_root(office: Path, capsys) -> None:
    sample = str(OFDRW / "allprotected.ofd")
    _, plain = _verify(capsys, sample)
    assert plain["ofd"]["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"
    _, anchored = _verify(capsys, sample, "--trust-anchor", str(ANCHOR))
    # The chain now reaches ofdrw's root; its certificates expired in 2022 and nothing proves
    # the signing time (2020-10-23), so still INDETERMINATE, for that reason only.
    assert anchored["ofd"]["sub_indication"] == "OUT_OF_BOUNDS_NO_POE", anchored


@pytest.mark.parametrize("name", ("allprotected.ofd", "v4signed.ofd", "signedFile.ofd"))
def test_ofdrw_samples_edited_fail(office: Path, capsys, tmp_path: Path, name: str) -> None:
    forged = tmp_path / name
    forged.write_bytes(_edited((OFDRW / name).read_bytes(), "Content.xml"))
    for extra in ((), ("--trust-anchor", str(ANCHOR))):
        code, verdict = _verify(capsys, str(forged), *extra)
        assert code == 1 and verdict["indication"] == "FAILED", verdict
        assert verdict["ofd"]["indication"] == "FAILED"


def test_a_trust_anchor_that_is_no_certificate_is_a_usage_error(office: Path, capsys,
                                                                  tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    code = main(["verify", str(OFDRW / "allprotected.ofd"), "--trust-anchor", str(junk)])
    captured = capsys.readouterr()
    assert code == 2 and "junk.pem" in captured.err and "input.unsupported_type" in captured.err
