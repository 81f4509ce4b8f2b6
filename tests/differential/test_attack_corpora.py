"""Issue 16: other projects' attack and malformed PDFs are never PASSED, by either path.

The files (``tests/data/attack_pdfs/``, sources in its ``SOURCES.md``) are EU DSS's PDF spoofing,
shadow, signature-wrapping and incremental-saving samples and pyHanko's malformed, byte-range
and sneaky-update samples. Each goes through ``signing.validate_pdf`` and
``elicense.verify_licence_pdf`` with our office's trust material, with ``fast=True`` and
``fast=False``: none may pass, the fast path must not decide any of them (it only ever answers
PASSED), and it must not be more lenient than the full validator. Our own genuine licences,
checked the same way, do pass (so the checks can fail).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fast_full_compare import Decision, check
from licence_material import Material

from signing import Indication

CORPORA = Path(__file__).resolve().parents[1] / "data" / "attack_pdfs"
FILES = sorted(CORPORA.glob("*/*.pdf"))


def test_the_corpora_are_there() -> None:
    by_project = {p: [f for f in FILES if f.parent.name == p] for p in ("esig-dss", "pyhanko")}
    assert len(by_project["esig-dss"]) >= 25
    assert len(by_project["pyhanko"]) >= 30
    sources = (CORPORA / "SOURCES.md").read_text("utf-8")
    for path in FILES:  # every file is named in SOURCES.md (directly or by its family)
        stem = path.stem.split("_")[-1] if path.parent.name == "esig-dss" else path.stem
        assert stem.split("-")[0] in sources, path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_attack_sample_passes(path: Path, material: Material) -> None:
    result = check(path.read_bytes(), material)
    verdicts = (result.full_signature, result.fast_signature, result.full_licence,
                result.fast_licence)
    assert Indication.PASSED not in verdicts, verdicts
    assert result.decision is Decision.FELL_BACK
    assert not result.bad, result


def test_our_genuine_licences_pass_the_same_checks(material: Material) -> None:
    for genuine in material.ours:
        result = check(genuine.pdf, material)
        assert {result.full_signature, result.fast_signature, result.full_licence,
                result.fast_licence} == {Indication.PASSED}, genuine.name
