"""Fixtures of the page tests: one running office shared by the whole session
(the sibling module ``pages_office``); each test makes its own accounts, so tests do not see each
other's applications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pages_office import Office, running_office  # a sibling module


@pytest.fixture(scope="session")
def pages_office(tmp_path_factory: pytest.TempPathFactory, reader: Any) -> Iterator[Office]:
    with running_office(tmp_path_factory.mktemp("pages-office"), reader) as office:
        yield office
