"""The huey instance, built from Settings: the embedded SQLite queue (``<data_dir>/jobs.db``,
no server) when ``jobs_url`` is unset, a Redis queue when it is ``redis://...`` (workers on
several machines). Never built at import time."""

from __future__ import annotations

from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey

from api.jobs.errors import JobsConfigError
from core import Settings

DEFAULT_QUEUE_NAME = "zhengzhao"
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def create_huey(settings: Settings, *, name: str = DEFAULT_QUEUE_NAME) -> Huey:
    """The queue named by ``settings.jobs_url``. ``name`` separates queues sharing one Redis
    (tests use a unique one per run). Results are not stored: a job's effect is in the
    database, and nothing waits on a huey result."""
    url = settings.jobs_url
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(settings.data_dir / "jobs.db"), results=False)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in REDIS_SCHEMES:
        raise JobsConfigError(scheme)
    return RedisHuey(name, url=url, results=False)
