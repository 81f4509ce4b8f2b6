"""The real-capture manifest: its schema and truth formats, and the loader on a tiny fake archive
(extraction, sha256 mismatch, derived rotations, EXIF orientation, mirror images and crops)."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps

import samples.real as real
from core.documents import BusinessLicenceField, DocType, IdCardBackField, IdCardFrontField

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_KEYS = {"birth_date", "valid_from", "valid_until", "established_date", "term_from",
             "term_until", "registration_date"}  # fmt: skip
KNOWN_KEYS: dict[str, set[str] | None] = {
    DocType.ID_CARD_FRONT: {f.value for f in IdCardFrontField},
    DocType.ID_CARD_BACK: {f.value for f in IdCardBackField},
    DocType.BUSINESS_LICENCE: {f.value for f in BusinessLicenceField} | {"registration_number"},
    DocType.FORM: None,  # a form's keys are its own Chinese labels
}
CAPTURES = {"desk_photo", "scan", "screenshot", "render", "phone_photo"}
MANIFEST = real.load_manifest("documents")


def test_sources_are_complete() -> None:
    for source in MANIFEST.sources.values():
        assert source.kind in {"pypi", "npm", "github"}, source.id
        assert source.licence and source.url, source.id
        if source.kind == "github":
            assert source.repo.count("/") == 1 and re.fullmatch(r"[0-9a-f]{40}", source.commit)
        else:
            assert source.requirement and source.archive, source.id


def test_items_are_well_formed() -> None:
    ids = [e.id for e in MANIFEST.items]
    assert len(ids) == len(set(ids))
    seen: set[str] = set()
    for e in MANIFEST.items:
        assert re.fullmatch(r"[a-z0-9-]+", e.id), e.id
        assert e.doc_type in KNOWN_KEYS, e.id
        if e.derive_from:
            assert e.derive_from in seen, f"{e.id}: base must be listed before it"
            assert real.is_transform(e.transform), e.id
        else:
            assert e.source in MANIFEST.sources, e.id
            assert e.member and re.fullmatch(r"[0-9a-f]{64}", e.sha256), e.id
            assert e.capture in CAPTURES, e.id
        seen.add(e.id)


@pytest.mark.parametrize("entry", MANIFEST.items, ids=lambda e: e.id)
def test_truth_uses_the_normal_form(entry: real.Entry) -> None:
    assert entry.truth, "an item without truth is no use"
    known = KNOWN_KEYS[entry.doc_type]
    if known is not None:
        assert set(entry.truth) <= known, set(entry.truth) - known
    for key, value in entry.truth.items():
        text = str(value)
        assert not re.search(r"\s", text), key
        if key in DATE_KEYS:
            assert ISO_DATE.match(text) or (text == "长期" and key.endswith("until")), key
    if "id_number" in entry.truth:
        assert re.fullmatch(r"\d{17}[\dX]", str(entry.truth["id_number"]))
    if "uscc" in entry.truth:
        assert re.fullmatch(r"[0-9A-Z]{18}", str(entry.truth["uscc"]))
    if "registration_number" in entry.truth:
        assert re.fullmatch(r"\d{15}", str(entry.truth["registration_number"]))


def test_portraits_manifest_loads_when_present() -> None:
    if not (real.MANIFEST_DIR / "portraits.yaml").exists():
        pytest.skip("portraits.yaml is not written yet")
    portraits = real.load_manifest("portraits")
    assert portraits.items
    transforms = {e.transform for e in portraits.items if e.derive_from}
    assert all(real.is_transform(t) for t in transforms), transforms


@pytest.mark.parametrize("transform", ["mirror", "crop:0,0,1,1", "crop:153,0,389,289", "fit:500"])
def test_known_transforms(transform: str) -> None:
    assert real.is_transform(transform)


@pytest.mark.parametrize(
    "transform", ["flip", "crop:1,2,3", "crop:-1,0,2,2", "crop:a,b,c,d", "fit:0", "rot45", ""]
)
def test_unknown_transforms(transform: str) -> None:
    assert not real.is_transform(transform)


# --- the loader, on a fake PyPI source ---------------------------------------------------------


def _pattern() -> Image.Image:
    """6x4, every pixel a different colour, so any wrong flip or offset changes some pixel."""
    im = Image.new("RGB", (6, 4))
    for y in range(4):
        for x in range(6):
            im.putpixel((x, y), (x * 40, 20 + y * 60, 100))
    im.putpixel((0, 0), (255, 0, 0))  # a red top-left corner shows where "up" went
    return im


def _png_bytes() -> bytes:
    im = _pattern()
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def fake_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = _png_bytes()
    archive = tmp_path / "src" / "fake_pkg-1.0.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("fake_pkg-1.0/fake_pkg/card.jpg")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256(data).hexdigest()
    manifest = tmp_path / "manifests" / "fake.yaml"
    manifest.parent.mkdir()
    manifest.write_text(
        f"""
sources:
  pypi-fake:
    kind: pypi
    requirement: "fake-pkg==1.0"
    archive: "fake_pkg-1.0.tar.gz"
    sdist: true
    licence: MIT
    url: https://example.invalid/fake-pkg
items:
  - {{id: good, source: pypi-fake, member: fake_pkg-1.0/fake_pkg/card.jpg, sha256: {digest},
      doc_type: id_card_front, capture: render, truth: {{name: 某}}}}
  - {{id: bad-sha, source: pypi-fake, member: fake_pkg-1.0/fake_pkg/card.jpg, sha256: {"0" * 64},
      doc_type: id_card_front, capture: render, truth: {{name: 某}}}}
  - {{id: good-rot90, derive: {{from: good, transform: rot90}}, doc_type: id_card_front,
      truth: {{name: 某}}}}
  - {{id: good-exif6, derive: {{from: good, transform: exif6}}, doc_type: id_card_front,
      truth: {{name: 某}}}}
  - {{id: bad-rot90, derive: {{from: bad-sha, transform: rot90}}, doc_type: id_card_front,
      truth: {{name: 某}}}}
  - {{id: good-mirror, derive: {{from: good, transform: mirror}}, doc_type: portrait,
      truth: {{frontal: true}}}}
  - {{id: good-crop, derive: {{from: good, transform: "crop:1,2,5,4"}}, doc_type: portrait,
      truth: {{frontal: true}}}}
  - {{id: bad-crop, derive: {{from: good, transform: "crop:1,2,7,4"}}, doc_type: portrait,
      truth: {{frontal: true}}}}
""",
        "utf-8",
    )
    monkeypatch.setattr(real, "MANIFEST_DIR", manifest.parent)

    def fake_download(source: real.Source, dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / source.archive
        target.write_bytes(archive.read_bytes())
        return target

    monkeypatch.setattr(real, "download_archive", fake_download)
    return tmp_path / "cache"


def test_materialise_extracts_checks_and_derives(fake_set: Path) -> None:
    items = {item.id: item for item in real.materialise("fake", fake_set)}
    good = items["good"]
    assert good.available and good.path == fake_set / "fake" / "good.png"
    assert good.path.read_bytes() == _png_bytes()
    assert not items["bad-sha"].available and "sha256 mismatch" in items["bad-sha"].reason
    assert not items["bad-rot90"].available and items["bad-rot90"].derived

    original = Image.open(good.path).convert("RGB")
    rot = items["good-rot90"]
    assert rot.available and rot.derived and rot.path is not None
    rotated = Image.open(rot.path).convert("RGB")
    assert rotated.size == (4, 6)
    assert rotated.getpixel((0, 5)) == (255, 0, 0)  # counter-clockwise: top-left goes bottom-left

    exif = items["good-exif6"]
    assert exif.path is not None
    stored = Image.open(exif.path)
    assert stored.getexif().get(0x0112) == 6 and stored.size == (4, 6)
    upright = ImageOps.exif_transpose(stored).convert("RGB")
    assert ImageChops.difference(upright, original).getbbox() is None


def test_mirror_flips_left_right(fake_set: Path) -> None:
    items = {item.id: item for item in real.materialise("fake", fake_set)}
    item = items["good-mirror"]
    assert item.available and item.derived and item.path == fake_set / "fake" / "good-mirror.png"
    mirrored = Image.open(item.path).convert("RGB")
    original = _pattern()
    assert mirrored.size == (6, 4)
    assert mirrored.getpixel((5, 0)) == (255, 0, 0)  # the red corner went to the top right
    assert mirrored.getpixel((0, 0)) == original.getpixel((5, 0))
    for y in range(4):
        for x in range(6):
            assert mirrored.getpixel((x, y)) == original.getpixel((5 - x, y)), (x, y)


def test_crop_cuts_the_pixel_box(fake_set: Path) -> None:
    items = {item.id: item for item in real.materialise("fake", fake_set)}
    item = items["good-crop"]
    assert item.available and item.path is not None
    cropped = Image.open(item.path).convert("RGB")
    original = _pattern()
    assert cropped.size == (4, 2)  # x1 and y1 are exclusive
    for y in range(2):
        for x in range(4):
            assert cropped.getpixel((x, y)) == original.getpixel((1 + x, 2 + y)), (x, y)
    expected = original.crop((1, 2, 5, 4))
    assert ImageChops.difference(cropped, expected).getbbox() is None


def test_crop_outside_the_image_is_unavailable(fake_set: Path) -> None:
    items = {item.id: item for item in real.materialise("fake", fake_set)}
    bad = items["bad-crop"]
    assert not bad.available and bad.path is None
    assert "crop:1,2,7,4" in bad.reason and "6x4" in bad.reason
    assert items["good"].available  # one bad box spoils nothing else


@pytest.mark.parametrize("box", ["crop:2,0,2,4", "crop:3,1,1,3", "crop:0,0,6,5"])
def test_crop_rejects_empty_or_outside_boxes(tmp_path: Path, box: str) -> None:
    base = tmp_path / "base.png"
    _pattern().save(base)
    with pytest.raises(ValueError, match="not a non-empty box"):
        real.derive_image(base, box, tmp_path / "out")
    assert not (tmp_path / "out.png").exists()


def test_materialise_without_download_says_so(fake_set: Path) -> None:
    items = real.materialise("fake", fake_set, download=False)
    assert all(not item.available for item in items)
    assert items[0].reason == "archive not downloaded"


def test_github_source_without_mirror_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gh.yaml").write_text(
        "sources:\n  gh-x:\n    {kind: github, repo: nobody/nothing, commit: '"
        + "a" * 40
        + "', licence: unknown, url: x}\n"
        "items:\n  - {id: x, source: gh-x, member: a.jpg, sha256: '"
        + "0" * 64
        + "', doc_type: form, capture: scan, truth: {a: b}}\n",
        "utf-8",
    )
    monkeypatch.setattr(real, "MANIFEST_DIR", tmp_path)
    monkeypatch.setattr(real, "MIRROR_ROOT", tmp_path / "no-mirrors")
    [item] = real.materialise("gh", tmp_path / "cache")
    assert not item.available and item.reason == "github source not mirrored here"
