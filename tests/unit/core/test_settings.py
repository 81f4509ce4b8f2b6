"""Settings: the demo secrets are refused in production."""

from __future__ import annotations

import pytest


def test_production_refuses_the_demo_secrets() -> None:
    from pydantic import ValidationError

    from core import Environment, Settings

    real = {"key_passphrase": "a real passphrase", "secret_key": "a real secret key"}
    Settings(_env_file=None, environment=Environment.PROD, **real)
    for demo in ("key_passphrase", "secret_key"):
        with pytest.raises(ValidationError, match=demo.upper()):
            Settings(_env_file=None, environment=Environment.PROD,
                     **{k: v for k, v in real.items() if k != demo})
    Settings(_env_file=None)  # dev accepts them
