"""Errors are built in one style (issue 12): every error class of the product lives in its
package's ``errors.py`` (the HTTP layer's ``ApiError`` family and a few named internal exceptions
aside), nothing outside ``core`` raises the root ``ZhengzhaoError`` itself, and the tree drawn in
``core/errors.py``'s docstring names every class those modules define."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import core.errors

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "ocr", "verify", "signing", "elicense", "api")
# Error classes allowed outside an errors module, each for a stated reason (core/errors.py).
OUTSIDE_ERRORS = {
    ("api/errors_http.py", "ApiError"),  # the HTTP layer's own error
    ("api/login_guard.py", "LoginThrottled"),  # an ApiError (Retry-After)
    ("signing/pdf_streams.py", "PdfTooComplexError"),  # internal, turned into a verdict
    ("signing/der_walk.py", "DerError"),  # internal to the strict DER reader: a verdict
    ("signing/pdf_revisions.py", "LayoutError"),  # internal to the PDF fast path: hand over
}


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.parts)


def _error_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)
            and any(ast.unparse(base).endswith(("Error", "ApiError")) for base in node.bases)]


def test_error_classes_live_in_errors_modules() -> None:
    stray = {(str(path.relative_to(ROOT)), name) for path in _sources()
             if path.name != "errors.py" for name in _error_classes(path)}
    assert stray == OUTSIDE_ERRORS


def test_only_core_raises_the_root_itself() -> None:
    direct = re.compile(r"\bZhengzhaoError\(\s*ErrorCode\.")
    offenders = [str(path.relative_to(ROOT)) for path in _sources()
                 if path.parts[len(ROOT.parts)] != "core"
                 and direct.search(path.read_text("utf-8"))]
    assert not offenders


def test_the_docstring_tree_names_every_error_class() -> None:
    tree = core.errors.__doc__ or ""
    defined = {name for path in _sources() if path.name == "errors.py"
               for name in _error_classes(path)}
    defined |= {name for _, name in OUTSIDE_ERRORS}
    assert defined, "no error classes found"
    missing = sorted(name for name in defined if not re.search(rf"\b{name}\b", tree))
    assert not missing
    named = set(re.findall(r"\b[A-Z][A-Za-z]+(?:Error|Throttled)\b", tree))
    named -= {"ZhengzhaoError", "ValueError"}
    assert named <= defined, sorted(named - defined)
