"""ZZ_TIMEZONE: the office's time zone the pages show times in (issue 13: the clerk's queue
was in UTC). An unknown zone refuses the settings, so a typo cannot show wrong times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from core import Settings


def test_the_default_zone_is_the_offices_and_converts() -> None:
    zone = Settings(_env_file=None).zone
    assert zone.key == "Asia/Shanghai"
    moment = datetime(2026, 12, 7, 1, 44, tzinfo=UTC)
    assert moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") == "2026-12-07 09:44"


def test_the_zone_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZZ_TIMEZONE", "Asia/Urumqi")
    assert Settings(_env_file=None).zone.key == "Asia/Urumqi"


@pytest.mark.parametrize("bad", ["Mars/Olympus", "Asia", "", "../etc/passwd", "/etc/localtime"])
def test_an_unknown_zone_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match=r"config\.invalid.*ZZ_TIMEZONE"):
        Settings(_env_file=None, timezone=bad)
