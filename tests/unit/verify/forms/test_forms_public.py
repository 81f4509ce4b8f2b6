"""The public surface of ``verify.forms`` is deliberate, and every finding code has messages."""

from __future__ import annotations

import verify.forms
from verify.forms import FindingCode, Problem
from verify.forms.messages import TEMPLATES

PUBLIC = {
    "DEFAULT_MIN_FIELD_CONFIDENCE", "ID_CHECK_CHARS", "ID_WEIGHTS", "ORG_WEIGHTS", "USCC_CHARSET",
    "USCC_WEIGHTS", "FieldReport", "Finding", "FindingCode", "FormsError", "IdentifierCheck",
    "MaterialInvalidError", "MaterialKind", "MaterialReport", "PhotoEvidence", "Problem",
    "Service", "ServiceCatalog", "ServiceInvalidError", "ServiceNotFoundError", "Severity", "Sex",
    "ValidationReport", "Verdict", "document_from_dict", "id_check_char", "load_service",
    "load_services", "normalize_identifier", "normalize_mobile", "normalize_name",
    "org_code_check_char", "parse_service", "read_documents_json", "uscc_check_char", "validate",
    "validate_id_number", "validate_mobile", "validate_org_code", "validate_person_name",
    "validate_uscc", "Constant", "HolderKind", "LicenceEvidence", "LicenceFact",
    "LicenceFileFormat", "LicenceSpec", "NumberScheme", "BUNDLED_SERVICES_DIR",
    "load_service_catalog",
}


def test_public_surface_is_deliberate() -> None:
    assert set(verify.forms.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(verify.forms, name)


def test_every_finding_code_has_both_messages() -> None:
    assert set(TEMPLATES) == set(FindingCode)
    for zh, en in TEMPLATES.values():
        assert zh.strip() and en.strip() and zh != en


def test_every_validator_problem_has_a_finding_code() -> None:
    # rules.py builds "<validator>.<problem>" codes: each reachable pair must exist.
    reachable = {
        "id_number": {Problem.LENGTH, Problem.CHARSET, Problem.REGION, Problem.BIRTH_DATE,
                      Problem.BIRTH_IN_FUTURE, Problem.CHECK_CHAR},
        "uscc": {Problem.LENGTH, Problem.CHARSET, Problem.CHECK_CHAR, Problem.REGION,
                 Problem.ORG_CODE},
        "org_code": {Problem.LENGTH, Problem.CHARSET, Problem.CHECK_CHAR},
        "mobile": {Problem.LENGTH, Problem.CHARSET, Problem.PREFIX},
        "person_name": {Problem.CHARACTER, Problem.DOT, Problem.TOO_SHORT, Problem.TOO_LONG},
    }
    for kind, problems in reachable.items():
        for problem in problems:
            assert FindingCode(f"{kind}.{problem.value}")
