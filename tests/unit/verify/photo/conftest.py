"""Fixtures for the photo-check tests: one shared analyzer and decoded real portraits.

The real photos themselves come from the session fixtures in ``tests/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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
