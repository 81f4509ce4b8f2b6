"""A worker started with ``warm_up`` builds the OCR reader and the portrait analyzer on a thread
at once (so the first application after a start does not wait for the models); a model that
fails to load is logged and left for the job, and does not stop the other."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from huey import SqliteHuey

from api.jobs import JobContext, create_jobs, start_embedded_worker
from core import Settings


def test_warm_up_builds_both_models_and_survives_a_failing_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    built: list[str] = []

    def reader(_settings: Settings) -> Any:
        raise RuntimeError("no model here")

    def analyzer(_settings: Settings) -> Any:
        built.append("analyzer")
        return object()

    context = JobContext(Settings(_env_file=None, data_dir=tmp_path), db=None,  # type: ignore[arg-type]
                         store=None, reader_factory=reader,  # type: ignore[arg-type]
                         analyzer_factory=analyzer)
    with caplog.at_level(logging.WARNING, logger="api.jobs.context"):
        context.warm_up()
    assert built == ["analyzer"]
    assert context.analyzer is context.analyzer  # built once, kept
    assert "warming up the reader failed: RuntimeError" in caplog.text
    assert "no model here" not in caplog.text


def test_the_embedded_worker_warms_up_on_a_thread(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    loaded = threading.Event()

    def reader(_settings: Settings) -> Any:
        loaded.set()
        return object()

    jobs = create_jobs(settings, huey=SqliteHuey("warm", filename=str(tmp_path / "q.db")),
                       context=JobContext(settings, None, None,  # type: ignore[arg-type]
                                          reader_factory=reader,
                                          analyzer_factory=lambda _s: object()))
    consumer = start_embedded_worker(jobs, warm_up=True)
    try:
        assert loaded.wait(10), "the reader was not built at start"
    finally:
        consumer.stop(graceful=True)
