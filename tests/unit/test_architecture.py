"""The dependency direction core ← ocr|verify|signing ← elicense ← api, package docstrings, and
the curated public surface of each package."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "ocr", "verify", "signing", "elicense", "api")
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "ocr": {"core"},
    "verify": {"core"},
    "signing": {"core"},
    "elicense": {"core", "signing"},
    "api": {"core", "ocr", "verify", "signing", "elicense", "samples"},
}


def project_imports(path: Path) -> set[str]:
    """Top-level project packages imported anywhere in ``path`` (also inside functions)."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(n.split(".")[0] for n in names if n.split(".")[0] in (*PACKAGES, "samples"))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_dependency_direction(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported in project_imports(path) - ALLOWED[package] - {package}:
            violations.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not violations, "\n".join(violations)


def test_only_the_demo_imports_samples() -> None:
    """Product data (the service definitions) ships inside the packages; ``samples`` holds
    generated documents and demo inputs, so only the demo command may import it."""
    users = [str(path.relative_to(ROOT)) for package in PACKAGES
             for path in sorted((ROOT / package).rglob("*.py"))
             if "samples" in project_imports(path) and "demo" not in path.stem]
    assert not users, "\n".join(users)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from api.cli import main\n    import ocr.loading\n")
    assert project_imports(bad) == {"api", "ocr"}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_says_what_it_owns(package: str) -> None:
    for init in (ROOT / package).rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(ROOT)} needs a docstring"


# elicense and signing lock their own surface (tests/unit/<package>/test_*_public.py).
PUBLIC = {
    "core": {
        "OPEN_ENDED", "BusinessLicenceField", "DocType", "DocumentResult", "ErrorCode",
        "ExtractedField", "FieldNote", "IdCardBackField", "IdCardFrontField", "OcrEngineName",
        "OcrRuntime",
        "QualityCode",
        "QualityWarning", "Settings", "TextLine", "ZhengzhaoError", "configure_logging",
        "get_settings", "Environment", "FileFormat", "ends_early", "sniff_format",
        "webp_canvas_size", "LEGACY_DEV_KEY_PASSPHRASE", "ResolvedSecrets",
        "key_passphrase_of", "make_private_dir", "others_may_access", "resolve_secrets",
        "secret_key_of", "secrets_dir", "CrashPoint", "write_atomically",
    },
    "ocr": {
        "DocumentReader", "EngineError", "EngineOutput", "InputError", "LoadLimits", "OCREngine",
        "create_engine", "load_document", "load_path", "prepare_paddle_models",
        "normalize_text", "pdf_render_pixels",
    },
    "verify": set(),
    "verify.forms": {
        "DEFAULT_MIN_FIELD_CONFIDENCE", "FieldReport", "Finding", "FindingCode", "FormsError",
        "ID_CHECK_CHARS", "ID_WEIGHTS", "IdentifierCheck", "MaterialInvalidError",
        "MaterialKind", "MaterialReport", "ORG_WEIGHTS", "PhotoEvidence", "Problem", "Service",
        "ServiceCatalog", "ServiceInvalidError", "ServiceNotFoundError", "Severity", "Sex",
        "USCC_CHARSET", "USCC_WEIGHTS", "ValidationReport", "Verdict", "document_from_dict",
        "id_check_char", "load_service", "load_services", "normalize_identifier",
        "normalize_mobile", "normalize_name", "org_code_check_char", "parse_service",
        "read_documents_json", "uscc_check_char", "validate", "validate_id_number",
        "validate_mobile", "validate_org_code", "validate_person_name", "validate_uscc",
        "Constant", "HolderKind", "LicenceEvidence", "LicenceFact", "LicenceSpec",
        "NumberScheme", "BUNDLED_SERVICES_DIR", "load_service_catalog",
    },
    "verify.photo": {
        "BACKGROUND_CHECKS", "CHECK_TITLES", "CheckResult", "CheckStatus", "FaceLandmarks",
        "FixResult", "GEOMETRY_CHECKS", "PhotoCheck", "PhotoFile", "PhotoFixError",
        "PhotoFormat", "PhotoInputError", "PhotoModelError", "PhotoProfile",
        "PhotoProfileError", "PhotoReport", "PortraitAnalysis", "PortraitAnalyzer", "Range",
        "check_photo", "decode_photo", "encode_photo", "fix_photo", "get_profile",
        "load_profiles",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_surface_is_deliberate(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert hasattr(module, name)

