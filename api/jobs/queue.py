"""The huey instance, built from Settings: the embedded SQLite queue (``<data_dir>/jobs.db``,
no server) when ``jobs_url`` is unset, a Redis queue when it is ``redis://...`` (workers on
several machines). Never built at import time."""

from __future__ import annotations

from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey

from api.db.engine import create_private_sqlite_file, restrict_sqlite_files
from api.jobs.errors import JobsConfigError
from core import Settings

DEFAULT_QUEUE_NAME = "zhengzhao"
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def create_huey(settings: Settings, *, name: str | None = None) -> Huey:
    """The queue named by ``settings.jobs_url``. ``name`` (default ``settings.jobs_queue``,
    ``ZZ_JOBS_QUEUE``) separates queues sharing one Redis. Results are not stored: a job's
    effect is in the database, and nothing waits on a huey result."""
    name = name or settings.jobs_queue
    url = settings.jobs_url
    if url is None:
        # The queue holds job arguments (ids), but it is data of the office: owner-only.
        path = settings.data_dir / "jobs.db"
        create_private_sqlite_file(path)
        huey = SqliteHuey(name, filename=str(path), results=False)
        restrict_sqlite_files(path)
        return huey
    scheme = urlsplit(url).scheme.lower()
    if scheme not in REDIS_SCHEMES:
        raise JobsConfigError(scheme)
    return RedisHuey(name, url=url, results=False)
