"""The dependency direction core ← ocr|verify|signing ← elicense ← api, no import cycle inside a
package (imports inside functions included), few function-local imports, package docstrings,
and the curated public surface of each package."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable, Iterator
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


# Imports of our own modules inside functions hide cycles and slow nothing down that a lazy
# package (see signing/__init__) could not; each needs a reason beside it (STYLE.md).
MAX_FUNCTION_LOCAL_IMPORTS = 15


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Import nodes under ``if TYPE_CHECKING:``: never executed, so no cycle."""
    return {id(node) for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block) if isinstance(node, (ast.Import, ast.ImportFrom))}


def _function_local(tree: ast.AST) -> set[int]:
    return {id(node) for function in ast.walk(tree)
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom))}


def imported_names(module: str, is_package: bool, node: ast.Import | ast.ImportFrom
                   ) -> list[str]:
    """Dotted names one import statement may load: ``from a.b import c`` is ``a.b`` or
    ``a.b.c`` (whichever is a module); relative imports resolved against ``module``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, *([base] if base else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def module_graph(root: Path, packages: Iterable[str]
                 ) -> tuple[dict[str, set[str]], list[str]]:
    """Every module of ``packages`` under ``root`` with the modules of its own top-level package
    that it imports, walking EVERY import node (module level, inside functions, in try blocks;
    not ``TYPE_CHECKING`` ones), and the places (``path:line``) of the imports of our own
    modules that sit inside a function."""
    packages = tuple(packages)
    paths = {module_name(path, root): path for package in packages
             for path in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {module: set() for module in paths}
    local: list[str] = []
    for module, path in paths.items():
        tree = ast.parse(path.read_text("utf-8"))
        skipped, in_function = _type_checking_only(tree), _function_local(tree)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in skipped:
                continue
            own = [name for name in imported_names(module, path.name == "__init__.py", node)
                   if name.split(".")[0] in packages]
            if own and id(node) in in_function:
                local.append(f"{path.relative_to(root)}:{node.lineno}")
            for name in own:
                while name and name not in paths:
                    name = name.rpartition(".")[0]
                if name and name != module and name.split(".")[0] == module.split(".")[0]:
                    graph[module].add(name)
    return graph, local


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative), except
    a package with its own submodules only (an ``__init__`` re-exporting what it contains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    work: list[tuple[str, Iterator[str]]] = []  # the depth-first path, with what is left to visit

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        work.append((node, iter(sorted(graph.get(node, ())))))

    for start in sorted(graph):
        if start not in index:
            enter(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    enter(target)
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return [c for c in components
            if not all(m == c[0] or m.startswith(c[0] + ".") for m in c)]


def test_no_import_cycle_inside_a_package() -> None:
    graph, _local = module_graph(ROOT, PACKAGES)
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_few_function_local_imports_of_our_own_modules() -> None:
    _graph, local = module_graph(ROOT, PACKAGES)
    assert len(local) <= MAX_FUNCTION_LOCAL_IMPORTS, (
        f"{len(local)} function-local imports of our own modules (at most "
        f"{MAX_FUNCTION_LOCAL_IMPORTS}):\n" + "\n".join(local))


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert find_cycles({"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}) == [
        ["p.a", "p.b", "p.c"]]
    assert find_cycles({"p.a": {"p.b"}, "p.b": set()}) == []
    # A package that re-exports its own submodules is not a cycle.
    assert find_cycles({"p": {"p.x"}, "p.x": {"p"}}) == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def test_a_cycle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/jobs.py": "from pkg.issuing import issue\n",
        "pkg/issuing.py": "def issue():\n    from pkg import context\n    return context\n",
        "pkg/context.py": "def build():\n    from . import jobs\n",
        "pkg/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from pkg.jobs import x\n",
        "other/__init__.py": "from pkg.jobs import issue\n",
    })
    graph, local = module_graph(tmp_path, ("pkg", "other"))
    assert find_cycles(graph) == [["pkg.context", "pkg.issuing", "pkg.jobs"]]
    assert sorted(local) == ["pkg/context.py:2", "pkg/issuing.py:2"]
    assert graph["pkg.typed"] == set() and graph["other"] == set()  # typing-only; other package


def test_the_local_import_count_sees_every_function(tmp_path: Path) -> None:
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "".join(
        f"def f{i}():\n    import pkg.b\n    import json\n" for i in range(16)) + (
        "class C:\n    async def m(self):\n        from pkg import b\n"), "pkg/b.py": ""})
    _graph, local = module_graph(tmp_path, ("pkg",))
    assert len(local) == 17 > MAX_FUNCTION_LOCAL_IMPORTS


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
        "Constant", "HolderKind", "LicenceEvidence", "LicenceFact", "LicenceFileFormat",
        "LicenceSpec", "NumberScheme", "BUNDLED_SERVICES_DIR", "load_service_catalog",
    },
    "verify.photo": {
        "BACKGROUND_CHECKS", "CHECK_TITLES", "CheckResult", "CheckStatus", "FaceLandmarks",
        "FixResult", "GEOMETRY_CHECKS", "PhotoCheck", "PhotoFile", "PhotoFixError",
        "PhotoFormat", "PhotoInputError", "PhotoModelError", "PhotoProfile",
        "PhotoProfileError", "PhotoReport", "PortraitAnalysis", "PortraitAnalyzer", "Range",
        "check_photo", "decode_photo", "encode_photo", "fix_photo", "get_profile",
        "load_profiles",
        # What the verdicts mean to the applicant (verify.photo.advice, issue 13 item 4).
        "APPLICANT_CHECKS", "MECHANICAL_CHECKS", "CheckKind", "explain", "instruction",
        "kind_of", "lead_instructions", "title",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_surface_is_deliberate(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert hasattr(module, name)

