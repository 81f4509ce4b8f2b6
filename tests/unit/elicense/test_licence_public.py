"""The public surface of ``elicense`` is deliberate, it imports only what it may, and importing
it does not load pyHanko."""

from __future__ import annotations

import subprocess
import sys

import elicense

PUBLIC = {
    "MOD37_36_ALPHABET", "OID_PREFIX", "HolderCodeType", "IdentifierCheck", "IdentifierProblem",
    "Licence", "LicenceError", "LicenceFontMissingError", "LicenceIdentifier",
    "LicenceRecordInvalidError", "LicenceTemplate", "LicenceTemplateInvalidError",
    "LicenceTemplateMissingError", "QrStyle", "Seal", "StandardField", "TemplateCatalog",
    "load_licence", "load_template", "load_templates", "mask_holder_code", "mod37_36_check_char",
    "parse_identifier", "parse_licence", "render_licence",
    # the OFD twin of the page (issue 15)
    "SealPlacement", "licence_ofd", "render_licence_ofd", "seal_licence_ofd", "seal_picture_png",
    # verifying an OFD licence (issue 15, item 4)
    "OfdSealSummary", "verify_licence_ofd", "is_ofd_package",
    # issuing, register, published trust folder, verification
    "FileRegistry", "IssuedLicence", "LicenceCheck", "LicenceCheckId", "LicenceCode",
    "LicenceExistsError", "LicenceNotFoundError", "LicenceRegistry", "LicenceStatus",
    "LicenceVerdict", "RegistryCorruptError", "RegistryEntry", "TrustMaterial",
    "TrustMaterialError", "issue_licence", "load_trust", "publish", "revoke_licence",
    "verify_licence_pdf", "verify_licence_token",
    # issuing in steps (reserve, sign, record) for a caller with its own register
    "sign_licence", "registry_entry", "check_issuer_is_ours",
    # other issuers' trust folders, verification against any trusted issuer
    "ElicenceOutcome", "ElicenceResult", "TrustImportError", "TrustIssuerNotFoundError",
    "TrustSource", "TrustStore", "TrustedIssuer", "licence_attachment", "verify_elicence",
    # the issuer that signed a licence, picked by its token's key id (every verification path)
    "TrustedIssuers",
    # a licence names the issuer whose keys verified it; only ours is issued here
    "IssuerNames", "check_issuer_binding", "LicenceIssuerNotOursError",
    # what the QR holds: a verification link with the token in its fragment (issue 13, item 3)
    "MAX_QR_TEXT_CHARS", "VERIFY_PATH", "token_from_qr_text", "verify_link", "QrGeometry",
    "qr_geometry", "licence_photo",
}


def test_public_surface_is_deliberate() -> None:
    assert set(elicense.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(elicense, name)


def test_every_error_is_a_licence_error() -> None:
    for name in PUBLIC:
        value = getattr(elicense, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, elicense.LicenceError)


def test_importing_elicense_does_not_load_pyhanko() -> None:
    # ``api`` imports elicense at module top: pyHanko must wait until a PDF is signed or read.
    code = "import sys, elicense; print('pyhanko' in sys.modules)"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "False"
