"""How individual check results become a verdict: FAILED beats INDETERMINATE, the earliest
check in PdfCheckId order names the sub-indication, and nothing is PASSED unless every
required check passed."""

from __future__ import annotations

from signing.pades_checks import REQUIRED_CHECKS, CheckRun, error_verdict
from signing.pades_verdict import CheckOutcome, Indication, PdfCheckId, SubIndication


def all_passed() -> CheckRun:
    run = CheckRun()
    for check in PdfCheckId:
        run.passed(check)
    return run


def test_all_passed_is_passed() -> None:
    verdict = all_passed().verdict()
    assert verdict.indication is Indication.PASSED and verdict.sub_indication is None
    assert [c.check for c in verdict.checks] == list(PdfCheckId)


def test_a_missing_required_check_is_not_passed() -> None:
    for missing in REQUIRED_CHECKS:
        run = CheckRun()
        for check in PdfCheckId:
            if check is not missing:
                run.passed(check)
        verdict = run.verdict()
        assert verdict.indication is Indication.INDETERMINATE, missing
        assert verdict.sub_indication is SubIndication.VALIDATION_ERROR


def test_timestamps_may_be_not_run() -> None:
    run = CheckRun()
    for check in REQUIRED_CHECKS:
        run.passed(check)
    run.not_run(PdfCheckId.SIGNATURE_TIMESTAMP, "B-B")
    run.not_run(PdfCheckId.DOCUMENT_TIMESTAMP, "B-B")
    assert run.verdict().indication is Indication.PASSED


def test_failed_beats_indeterminate_and_order_decides() -> None:
    run = all_passed()
    run.problem(PdfCheckId.DOCUMENT_TIMESTAMP, SubIndication.TIMESTAMP_FAILURE, "broken")
    run.problem(PdfCheckId.CERTIFICATE_CHAIN, SubIndication.TRY_LATER, "no CRL")
    run.problem(PdfCheckId.MODIFICATIONS, SubIndication.MODIFIED, "overlay")
    verdict = run.verdict()
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.MODIFIED
    chain = [c for c in verdict.checks if c.check is PdfCheckId.CERTIFICATE_CHAIN
             and c.outcome is CheckOutcome.INDETERMINATE]
    assert chain and chain[0].sub_indication is SubIndication.TRY_LATER


def test_indeterminate_without_failures() -> None:
    run = all_passed()
    run.problem(PdfCheckId.KEY_USAGE, SubIndication.CHAIN_CONSTRAINTS_FAILURE, "EKU")
    verdict = run.verdict()
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE


def test_error_verdict_names_only_the_exception_type() -> None:
    verdict = error_verdict(ValueError("Holder: Zhang San 110101199003071234"))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.VALIDATION_ERROR
    assert "Zhang" not in verdict.checks[0].detail and "1101" not in verdict.checks[0].detail
