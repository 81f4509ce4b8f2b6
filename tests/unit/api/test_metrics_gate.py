"""``/metrics`` is not public (issue 11, finding 8): before, any client read the service's
counters (sign-ins, verifications, routes). Now the socket peer must be in ``ZZ_METRICS_ALLOW``
(loopback by default) or the request must bear ``ZZ_METRICS_TOKEN``; anyone else gets a 403
problem with no counter in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from core import Settings

OUTSIDER = ("203.0.113.9", 1234)
LOOPBACK = ("127.0.0.1", 1234)
TOKEN = "metrics-scraper-token-0123456789"


def _get(settings: Settings, peer: tuple[str, int], headers: dict[str, str] | None = None):
    app = create_app(settings)
    with TestClient(app, client=peer) as client:
        client.get("/healthz")  # something to count
        return client.get("/metrics", headers=headers or {})


def test_an_outsider_gets_no_metrics_and_loopback_does(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    refused = _get(settings, OUTSIDER)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.forbidden"
    assert "zz_" not in refused.text
    allowed = _get(settings, LOOPBACK)
    assert allowed.status_code == 200
    assert "zz_http_request_duration_seconds" in allowed.text
    # IPv6 loopback, and an IPv4 peer written IPv4-mapped, are loopback too.
    assert _get(settings, ("::1", 1234)).status_code == 200
    assert _get(settings, ("::ffff:127.0.0.1", 1234)).status_code == 200
    assert _get(settings, ("testclient", 1234)).status_code == 403  # not an address


def test_allowed_networks_and_the_token(tmp_path: Path) -> None:
    network = Settings(_env_file=None, data_dir=tmp_path, metrics_allow="203.0.113.0/24")
    assert _get(network, OUTSIDER).status_code == 200
    assert _get(network, LOOPBACK).status_code == 403  # the list replaces the default
    token = Settings(_env_file=None, data_dir=tmp_path, metrics_allow="", metrics_token=TOKEN)
    assert _get(token, LOOPBACK).status_code == 403
    assert _get(token, OUTSIDER, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert _get(token, OUTSIDER, {"Authorization": f"Bearer {TOKEN}x"}).status_code == 403
    assert _get(token, OUTSIDER, {"Authorization": TOKEN}).status_code == 403


def test_a_bad_network_refuses_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, data_dir=tmp_path, metrics_allow="10.0.0.0/8,not-a-network")
