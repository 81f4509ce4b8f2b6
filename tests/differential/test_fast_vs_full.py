"""Issue 16: the fast PDF verification path is never more lenient than the full pyHanko
validator. Mutated licences (:mod:`pdf_mutations`, seed fixed) go through
``signing.validate_pdf`` and ``elicense.verify_licence_pdf`` with ``fast=True`` and ``fast=False``;
the fast verdict must be the same or stricter (PASSED < INDETERMINATE < FAILED), and when both
pass, level, signer and signing time must be equal. ``ZZ_DIFF_COUNT`` sets the number of mutants
(default 81, three of each kind: 38 s of CPU, 76 s in pytest on the loaded 2-core machine);
``bench/pdf_differential.py`` runs 10,000.
"""

from __future__ import annotations

import os

import pytest
from fast_full_compare import (
    Decision,
    Outcome,
    Tally,
    check,
    compare,
)
from licence_material import Material
from pdf_mutations import WRITER_RAISED, Kind, mutants

from signing import Indication, PadesLevel
from signing.pades_verdict import PdfSignatureVerdict

SEED = 16
COUNT = int(os.environ.get("ZZ_DIFF_COUNT", "81"))


def test_our_licences_pass_both_ways_and_the_fast_path_decides_them(material: Material) -> None:
    for genuine in material.ours:
        result = check(genuine.pdf, material)
        assert (result.full_signature, result.fast_signature) == (Indication.PASSED,) * 2, \
            genuine.name
        assert (result.full_licence, result.fast_licence) == (Indication.PASSED,) * 2, \
            genuine.name
        assert result.decision is Decision.DECIDED, genuine.name
        assert not result.bad, genuine.name


def test_licences_of_another_office_pass_neither_way(material: Material) -> None:
    for genuine in material.foreign:
        result = check(genuine.pdf, material)
        assert Indication.PASSED not in (result.full_signature, result.fast_signature,
                                         result.full_licence, result.fast_licence)
        assert result.decision is Decision.FELL_BACK


def _verdict(indication: Indication, kid: str = "k") -> PdfSignatureVerdict:
    return PdfSignatureVerdict(indication=indication, sub_indication=None, checks=(),
                               signer_kid=kid, level=PadesLevel.B_LTA)


@pytest.mark.parametrize(("fast", "full", "expected"), [
    (Indication.PASSED, Indication.INDETERMINATE, Outcome.FAST_LENIENT),
    (Indication.PASSED, Indication.FAILED, Outcome.FAST_LENIENT),
    (Indication.INDETERMINATE, Indication.FAILED, Outcome.FAST_LENIENT),
    (Indication.FAILED, Indication.PASSED, Outcome.FAST_STRICTER),
    (Indication.INDETERMINATE, Indication.PASSED, Outcome.FAST_STRICTER),
    (Indication.FAILED, Indication.FAILED, Outcome.AGREE),
])
def test_the_comparison_orders_indications(fast: Indication, full: Indication,
                                           expected: Outcome) -> None:
    assert compare(_verdict(fast), _verdict(full), lambda v: v) is expected


def test_two_passes_with_different_signers_are_flagged() -> None:
    outcome = compare(_verdict(Indication.PASSED, "a"), _verdict(Indication.PASSED, "b"),
                      lambda v: v)
    assert outcome is Outcome.PASSED_DIFFERENT


def test_no_mutant_is_judged_more_leniently_by_the_fast_path(material: Material) -> None:
    tally = Tally()
    bad = []
    for mutant in mutants(material, SEED, COUNT):
        result = check(mutant.pdf, material)
        tally.add(mutant.kind.value, result,
                  generator_failed=mutant.detail.startswith(WRITER_RAISED))
        if result.bad:
            bad.append(f"#{mutant.index} {mutant.kind.value} of {mutant.base} ({mutant.detail}): "
                       f"{result}")
    assert bad == [], "\n".join(bad) + "\n" + tally.table()
    if COUNT >= len(Kind):
        assert set(tally.rows) == {k.value for k in Kind}
        total = tally.total()
        # The mutants reach both sides: some still pass (a DSS-only update, our own document
        # timestamp on top, our key signing again), most do not.
        assert 0 < total["full_sig:PASSED"] < total["mutants"] // 2, tally.table()
        assert total["fast_decided"] > 0, tally.table()
