"""Validation of application materials against declarative service definitions.

Owns the service-definition format (YAML/JSON, ``docs/services.md``), the bundled service
definitions (``services/*.yaml``, package data) and their loader, field rules
(required, length, regex, enum, dates and validity ranges), check-digit validators written from
the standards (GB 11643 resident ID, GB 32100 unified social credit code, GB 11714 organisation
code), mainland mobile numbers and Chinese names, cross-material rules, and the report with
stable finding codes and a verdict; also which e-licence a service issues (``licence:``) and
which materials may be handed in as e-licences (``elicence:``), as plain data.
It checks already-extracted ``core.DocumentResult`` values
and never calls an OCR engine. Imports only ``core``; ``api`` and ``samples`` may import it.
"""

from verify.forms.checkdigits import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    ORG_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    id_check_char,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_org_code,
    validate_uscc,
)
from verify.forms.engine import DEFAULT_MIN_FIELD_CONFIDENCE, validate
from verify.forms.errors import (
    FormsError,
    MaterialInvalidError,
    ServiceInvalidError,
    ServiceNotFoundError,
)
from verify.forms.licence_spec import (
    Constant,
    HolderKind,
    LicenceFact,
    LicenceFileFormat,
    LicenceSpec,
    NumberScheme,
)
from verify.forms.loader import (
    BUNDLED_SERVICES_DIR,
    ServiceCatalog,
    load_service,
    load_service_catalog,
    load_services,
    parse_service,
)
from verify.forms.materials import (
    LicenceEvidence,
    PhotoEvidence,
    document_from_dict,
    read_documents_json,
)
from verify.forms.normalize import normalize_identifier, normalize_name
from verify.forms.people import normalize_mobile, validate_mobile, validate_person_name
from verify.forms.problems import IdentifierCheck, Problem, Sex
from verify.forms.result import (
    FieldReport,
    Finding,
    FindingCode,
    MaterialReport,
    Severity,
    ValidationReport,
    Verdict,
)
from verify.forms.service import MaterialKind, Service

__all__ = [
    "BUNDLED_SERVICES_DIR",
    "DEFAULT_MIN_FIELD_CONFIDENCE",
    "Constant",
    "HolderKind",
    "LicenceEvidence",
    "LicenceFact",
    "LicenceFileFormat",
    "LicenceSpec",
    "NumberScheme",
    "ID_CHECK_CHARS",
    "ID_WEIGHTS",
    "ORG_WEIGHTS",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "FieldReport",
    "Finding",
    "FindingCode",
    "FormsError",
    "IdentifierCheck",
    "MaterialInvalidError",
    "MaterialKind",
    "MaterialReport",
    "PhotoEvidence",
    "Problem",
    "Service",
    "ServiceCatalog",
    "ServiceInvalidError",
    "ServiceNotFoundError",
    "Severity",
    "Sex",
    "ValidationReport",
    "Verdict",
    "document_from_dict",
    "id_check_char",
    "load_service",
    "load_service_catalog",
    "load_services",
    "normalize_identifier",
    "normalize_mobile",
    "normalize_name",
    "org_code_check_char",
    "parse_service",
    "read_documents_json",
    "uscc_check_char",
    "validate",
    "validate_id_number",
    "validate_mobile",
    "validate_org_code",
    "validate_person_name",
    "validate_uscc",
]
