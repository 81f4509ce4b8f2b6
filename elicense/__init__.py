"""Electronic licences: the GB/T 36903 metadata model and record loader, the GB/T 36904 licence
identifier with its ISO/IEC 7064 MOD 37,36 check character, per-type page templates (YAML), and
the one-page PDF renderer (embedded CJK font, holder photo, drawn seal, QR code). Issuing and the
combined verification verdict will build on ``signing`` here too.

Imports only ``core`` (and ``signing`` through its ``__all__``); only ``api`` imports it.
"""

from elicense.errors import (
    LicenceError,
    LicenceFontMissingError,
    LicenceRecordInvalidError,
    LicenceTemplateInvalidError,
    LicenceTemplateMissingError,
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
from elicense.model import (
    HolderCodeType,
    Licence,
    load_licence,
    mask_holder_code,
    parse_licence,
)
from elicense.render import render_licence
from elicense.render_qr import QrStyle
from elicense.seal import Seal
from elicense.template import (
    LicenceTemplate,
    StandardField,
    TemplateCatalog,
    load_template,
    load_templates,
)

__all__ = [
    "MOD37_36_ALPHABET",
    "OID_PREFIX",
    "HolderCodeType",
    "IdentifierCheck",
    "IdentifierProblem",
    "Licence",
    "LicenceError",
    "LicenceFontMissingError",
    "LicenceIdentifier",
    "LicenceRecordInvalidError",
    "LicenceTemplate",
    "LicenceTemplateInvalidError",
    "LicenceTemplateMissingError",
    "QrStyle",
    "Seal",
    "StandardField",
    "TemplateCatalog",
    "load_licence",
    "load_template",
    "load_templates",
    "mask_holder_code",
    "mod37_36_check_char",
    "parse_identifier",
    "parse_licence",
    "render_licence",
]
