"""Electronic licences: the GB/T 36903 metadata model and record loader, the GB/T 36904 licence
identifier with its ISO/IEC 7064 MOD 37,36 check character, per-type page templates (YAML), and
the one-page PDF renderer (embedded CJK font, holder photo, drawn seal, QR code) and its OFD twin
(``elicense.render_ofd``), issuing (token, page, ``licence.json`` attachment, PAdES B-LTA
signature, register entry), revocation, the published trust folder, and the combined
verification verdict over PDF and QR token.

Imports only ``core`` (and ``signing`` through its ``__all__``); only ``api`` imports it.
``import elicense`` does not load pyHanko (half a second), so ``api`` imports it at module top:
the modules that sign, validate or read PDFs reach pyHanko when they first do so (through
``signing``'s lazy names, ``signing.sign_pdf(...)``, or an import inside the function).
"""

from elicense.errors import (
    LicenceError,
    LicenceExistsError,
    LicenceFontMissingError,
    LicenceIssuerNotOursError,
    LicenceNotFoundError,
    LicenceRecordInvalidError,
    LicenceTemplateInvalidError,
    LicenceTemplateMissingError,
    RegistryCorruptError,
    TrustImportError,
    TrustIssuerNotFoundError,
    TrustMaterialError,
)
from elicense.identifier import (
    MOD37_36_ALPHABET,
    OID_PREFIX,
    IdentifierCheck,
    IdentifierProblem,
    LicenceIdentifier,
    mod37_36_check_char,
    parse_identifier,
)
from elicense.issue import (
    IssuedLicence,
    check_issuer_is_ours,
    issue_licence,
    registry_entry,
    revoke_licence,
    sign_licence,
)
from elicense.issuer_binding import IssuerNames, check_issuer_binding
from elicense.model import (
    HolderCodeType,
    Licence,
    load_licence,
    mask_holder_code,
    parse_licence,
)
from elicense.ofd_issue import seal_licence_ofd, seal_picture_png
from elicense.publish import TrustMaterial, load_trust, publish
from elicense.qr_link import MAX_QR_TEXT_CHARS, VERIFY_PATH, token_from_qr_text, verify_link
from elicense.registry import FileRegistry, LicenceRegistry, LicenceStatus, RegistryEntry
from elicense.render import render_licence
from elicense.render_ofd import SealPlacement, licence_ofd, render_licence_ofd
from elicense.render_qr import QrGeometry, QrStyle, qr_geometry
from elicense.seal import Seal
from elicense.template import (
    LicenceTemplate,
    StandardField,
    TemplateCatalog,
    load_template,
    load_templates,
)
from elicense.trust_store import TrustedIssuer, TrustStore
from elicense.trust_verify import (
    ElicenceOutcome,
    ElicenceResult,
    licence_attachment,
    verify_elicence,
)
from elicense.trusted_issuers import TrustedIssuers, TrustSource
from elicense.verdict import (
    LicenceCheck,
    LicenceCheckId,
    LicenceCode,
    LicenceVerdict,
    OfdSealSummary,
)
from elicense.verify import licence_photo, verify_licence_pdf, verify_licence_token
from elicense.verify_ofd import is_ofd_package, verify_licence_ofd

__all__ = [
    "ElicenceOutcome",
    "ElicenceResult",
    "TrustImportError",
    "TrustIssuerNotFoundError",
    "TrustSource",
    "TrustStore",
    "TrustedIssuer",
    "TrustedIssuers",
    "IssuerNames",
    "check_issuer_binding",
    "check_issuer_is_ours",
    "licence_attachment",
    "licence_photo",
    "verify_elicence",
    "MAX_QR_TEXT_CHARS",
    "MOD37_36_ALPHABET",
    "OID_PREFIX",
    "FileRegistry",
    "HolderCodeType",
    "IdentifierCheck",
    "IdentifierProblem",
    "IssuedLicence",
    "Licence",
    "LicenceCheck",
    "LicenceCheckId",
    "LicenceCode",
    "LicenceError",
    "LicenceExistsError",
    "LicenceFontMissingError",
    "LicenceIssuerNotOursError",
    "LicenceIdentifier",
    "LicenceNotFoundError",
    "LicenceRecordInvalidError",
    "LicenceRegistry",
    "LicenceStatus",
    "LicenceTemplate",
    "LicenceTemplateInvalidError",
    "LicenceTemplateMissingError",
    "LicenceVerdict",
    "OfdSealSummary",
    "QrGeometry",
    "QrStyle",
    "VERIFY_PATH",
    "RegistryCorruptError",
    "RegistryEntry",
    "Seal",
    "SealPlacement",
    "StandardField",
    "TemplateCatalog",
    "TrustMaterial",
    "TrustMaterialError",
    "is_ofd_package",
    "issue_licence",
    "sign_licence",
    "token_from_qr_text",
    "verify_link",
    "load_licence",
    "load_template",
    "load_templates",
    "load_trust",
    "mask_holder_code",
    "mod37_36_check_char",
    "parse_identifier",
    "parse_licence",
    "publish",
    "qr_geometry",
    "registry_entry",
    "licence_ofd",
    "render_licence",
    "render_licence_ofd",
    "revoke_licence",
    "seal_licence_ofd",
    "seal_picture_png",
    "verify_licence_ofd",
    "verify_licence_pdf",
    "verify_licence_token",
]
