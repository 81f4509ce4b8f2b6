"""Shared fixtures: the real OCR engine and reader, built once per test session."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# Two issuing offices with their own key stores and trust folders, written for the elicense tests
# and imported by the api tests too (``import trust_offices``): one module, whichever test
# directory is collected first.
sys.path.insert(0, str(Path(__file__).resolve().parent / "unit" / "elicense"))
# Signing in through the web form (``web_forms``), for the api tests in subfolders too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "unit" / "api"))


@pytest.fixture(scope="session")
def settings():
    from core import Settings

    return Settings(_env_file=None)


@pytest.fixture(scope="session")
def rapid_engine(settings):
    from ocr import create_engine

    return create_engine(settings)


@pytest.fixture(scope="session")
def reader(rapid_engine, settings):
    from ocr import DocumentReader

    return DocumentReader(rapid_engine, settings)


# --- portrait photos ---
# Real photos for verify.photo, fetched at test-setup time and never committed: the portraits
# that ship in the face_recognition 1.3.0 sdist (tests/test_images/), the NASA astronaut portrait
# from scikit-image, and two images composed from them (a busy background, a group of two).

FACE_RECOGNITION_REQUIREMENT = "face_recognition==1.3.0"
FACE_RECOGNITION_SDIST = "face_recognition-1.3.0.tar.gz"
FACE_RECOGNITION_IMAGES = (
    "obama.jpg",
    "obama2.jpg",
    "obama3.jpg",
    "biden.jpg",
    "obama_partial_face.jpg",
    "obama_partial_face2.jpg",
)


def _test_cache_dir() -> Path:
    """``$ZZ_TEST_CACHE``, else ``<repo>/var/test-cache`` (``var/`` is git-ignored)."""
    configured = os.environ.get("ZZ_TEST_CACHE")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / "var" / "test-cache"


def _download_face_recognition_sdist(cache: Path) -> Path:
    sdist = cache / FACE_RECOGNITION_SDIST
    if sdist.is_file():
        return sdist
    cache.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
        "--disable-pip-version-check", FACE_RECOGNITION_REQUIREMENT, "-d", str(cache),
    ]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot fetch {FACE_RECOGNITION_REQUIREMENT} test photos: {exc}",
                    pytrace=False)
    if proc.returncode != 0 or not sdist.is_file():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        pytest.fail(
            f"cannot fetch {FACE_RECOGNITION_REQUIREMENT} test photos with "
            f"`{' '.join(command)}` (exit {proc.returncode}):\n{tail}\n"
            "These real photos are required; set ZZ_TEST_CACHE to a directory that holds "
            f"{FACE_RECOGNITION_SDIST} when offline.",
            pytrace=False,
        )
    return sdist


def _extract_test_images(sdist: Path, target: Path) -> None:
    """Copy only ``*/tests/test_images/*`` regular files out of the sdist (no paths trusted)."""
    staging = Path(tempfile.mkdtemp(prefix=".test_images-", dir=target.parent))
    with tarfile.open(sdist, "r:gz") as archive:
        for member in archive.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) != 4 or parts[1:3] != ("tests", "test_images"):
                continue
            source = archive.extractfile(member)
            assert source is not None
            (staging / parts[3]).write_bytes(source.read())
    try:
        staging.rename(target)
    except OSError:  # another session extracted it first
        shutil.rmtree(staging, ignore_errors=True)


@pytest.fixture(scope="session")
def face_recognition_images() -> Path:
    """Directory holding obama.jpg, obama2.jpg, obama3.jpg, biden.jpg, obama_partial_face.jpg …"""
    cache = _test_cache_dir()
    images = cache / "face_recognition-1.3.0" / "test_images"
    if not all((images / name).is_file() for name in FACE_RECOGNITION_IMAGES):
        sdist = _download_face_recognition_sdist(cache)
        images.parent.mkdir(parents=True, exist_ok=True)
        if images.exists():
            shutil.rmtree(images)
        _extract_test_images(sdist, images)
    missing = [name for name in FACE_RECOGNITION_IMAGES if not (images / name).is_file()]
    if missing:
        pytest.fail(f"{FACE_RECOGNITION_SDIST} lacks test images {missing}", pytrace=False)
    return images


def _jpeg(rgb, quality: int = 95) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _decode_rgb(data: bytes):
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.fixture(scope="session")
def portrait_photo(face_recognition_images: Path) -> bytes:
    """obama.jpg as it ships: an ordinary, well-lit portrait on an office background."""
    return (face_recognition_images / "obama.jpg").read_bytes()


@pytest.fixture(scope="session")
def astronaut_jpeg() -> bytes:
    """The NASA astronaut portrait bundled with scikit-image, as a JPEG."""
    from skimage import data

    return _jpeg(data.astronaut())


def _busy_texture(height: int, width: int):
    """Tiled photos (coffee, cat) under saturated diagonal stripes: anything but uniform."""
    import numpy as np
    from skimage import data

    tiles = np.concatenate([data.coffee()[:300, :450], data.chelsea()[:300, :450]], axis=1)
    reps = (-(-height // tiles.shape[0]), -(-width // tiles.shape[1]), 1)
    texture = np.tile(tiles, reps)[:height, :width].astype(np.float32)
    palette = np.array([[255, 0, 0], [0, 200, 0], [0, 0, 255], [255, 220, 0], [200, 0, 200]],
                       np.float32)
    rows, cols = np.mgrid[0:height, 0:width]
    stripes = palette[((rows + cols) // 24) % len(palette)]
    return (0.5 * texture + 0.5 * stripes).astype(np.uint8)


@pytest.fixture(scope="session")
def busy_background_portrait(face_recognition_images: Path) -> bytes:
    """obama.jpg with everything outside the person replaced by a busy, colourful texture.

    The person mask comes from mediapipe's landscape SelfieSegmentation model called here
    directly (not through verify.photo), feathered by a small blur so the edge looks natural.
    """
    import cv2
    import mediapipe as mp
    import numpy as np

    rgb = _decode_rgb((face_recognition_images / "obama.jpg").read_bytes())
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=1) as segmenter:
        mask = segmenter.process(rgb).segmentation_mask
    alpha = cv2.GaussianBlur((mask > 0.5).astype(np.float32), (5, 5), 0)[..., None]
    texture = _busy_texture(*rgb.shape[:2])
    return _jpeg((alpha * rgb + (1 - alpha) * texture).round().astype(np.uint8))


@pytest.fixture(scope="session")
def group_photo(face_recognition_images: Path) -> bytes:
    """obama.jpg and the top of biden.jpg side by side: two real faces of similar size."""
    import numpy as np

    obama = _decode_rgb((face_recognition_images / "obama.jpg").read_bytes())
    biden = _decode_rgb((face_recognition_images / "biden.jpg").read_bytes())[: obama.shape[0]]
    return _jpeg(np.concatenate([obama, biden], axis=1))
