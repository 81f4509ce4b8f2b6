"""The reader on real captures (samples/real/documents.yaml), against truth a person wrote.

The PyPI-sourced cards (a vendor's demo card and its rotations, EXIF orientations and a 500 px
copy) are fetched at test time and must read exactly. Every available document (the GitHub ones
only where a local mirror exists) must give at least as many exact fields as the plain RapidOCR
pipeline finds anywhere in its text: the reader may never lose what the bare engine reads.
"""

from __future__ import annotations

import pytest

from bench.real_set import found_in, plain_engine
from ocr.documents.text import compact
from samples.real import RealItem, load_manifest, materialise

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_documents() -> list[RealItem]:
    items = materialise("documents")
    manifest = load_manifest("documents")
    pypi = {s.id for s in manifest.sources.values() if s.kind == "pypi"}
    ci_items = [it for it in items if it.source_id in pypi]
    missing = [it.id for it in ci_items if not it.available]
    if missing or not ci_items:
        pytest.fail(f"the PyPI-sourced real captures could not be fetched: {missing}",
                    pytrace=False)
    return [it for it in items if it.available]


def _read(reader, item: RealItem):
    assert item.path is not None
    return reader.read_bytes(item.path.read_bytes(), item.path.name)


def test_pypi_demo_cards_read_exactly_in_every_orientation_and_size(
    reader, real_documents: list[RealItem]
) -> None:
    manifest = load_manifest("documents")
    pypi = {s.id for s in manifest.sources.values() if s.kind == "pypi"}
    wrong = {}
    for item in (it for it in real_documents if it.source_id in pypi):
        result = _read(reader, item)
        got = {k: result.fields[k].value for k in item.truth if k in result.fields}
        want = {k: compact(str(v)) for k, v in item.truth.items()}
        if result.doc_type.value != item.doc_type or got != want:
            wrong[item.id] = (result.doc_type.value, {k: (got.get(k), v) for k, v in want.items()
                                                      if got.get(k) != v})
    assert not wrong


def test_never_fewer_exact_fields_than_the_plain_engine_finds(
    reader, real_documents: list[RealItem]
) -> None:
    plain = plain_engine()
    below = {}
    for item in real_documents:
        assert item.path is not None
        result = _read(reader, item)
        text = compact("".join(plain(str(item.path)).txts or ()))
        truth = {k: compact(str(v)) for k, v in item.truth.items()}
        ours = sum(1 for k, v in truth.items() if k in result.fields and result.fields[k].value == v)
        baseline = sum(1 for v in truth.values() if found_in(v, text))
        if ours < baseline:
            below[item.id] = (ours, baseline)
    assert not below
