"""The genuine licences of both offices (:mod:`licence_material`), issued once per session."""

from __future__ import annotations

import pytest
from licence_material import Material, build_material


@pytest.fixture(scope="session")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return build_material(tmp_path_factory.mktemp("differential"))
