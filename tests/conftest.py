"""Shared fixtures: the real OCR engine and reader, built once per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


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
