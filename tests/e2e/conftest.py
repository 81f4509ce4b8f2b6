"""Fixtures of the end-to-end tests.

``pages_office``: one running office shared by the whole session (the sibling module
``pages_office``); each test makes its own accounts, so tests do not see each other's
applications. ``office``: the CLI run in a folder of its own, the ``workdir`` that each CLI test
module names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages_office import Office, running_office  # a sibling module

from core import get_settings


@pytest.fixture(scope="session")
def pages_office(tmp_path_factory: pytest.TempPathFactory, reader: Any) -> Iterator[Office]:
    with running_office(tmp_path_factory.mktemp("pages-office"), reader) as office:
        yield office


@pytest.fixture()
def office(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run the CLI in ``workdir`` (a module's own folder): keys, register and published folder
    under ./var, whatever the environment says."""
    monkeypatch.chdir(workdir)
    for name in ("ZZ_DATA_DIR", "ZZ_KEYS_DIR", "ZZ_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield workdir
    get_settings.cache_clear()
