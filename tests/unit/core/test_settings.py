"""Settings: production refuses missing (that is, generated) and short secrets."""

from __future__ import annotations

import pytest

REAL = {"key_passphrase": "a real passphrase of at least 32 characters",
        "secret_key": "a real secret key of at least 32 characters"}


def test_production_refuses_missing_or_short_secrets() -> None:
    from pydantic import ValidationError

    from core import Environment, Settings

    Settings(_env_file=None, environment=Environment.PROD, **REAL)
    for name in REAL:
        with pytest.raises(ValidationError, match=f"ZZ_{name.upper()}.*config.invalid|"
                                                  f"config.invalid.*ZZ_{name.upper()}"):
            Settings(_env_file=None, environment=Environment.PROD,
                     **{k: v for k, v in REAL.items() if k != name})
        with pytest.raises(ValidationError, match=f"ZZ_{name.upper()}"):
            Settings(_env_file=None, environment=Environment.PROD,
                     **{**REAL, name: "x" * 31})
    # The constants earlier versions built in are public: refused in every environment.
    for environment in Environment:
        with pytest.raises(ValidationError, match="ZZ_SECRET_KEY.*published"):
            Settings(_env_file=None, environment=environment,
                     key_passphrase=REAL["key_passphrase"],
                     secret_key="zhengzhao-dev-only-secret-key-change-me")
        with pytest.raises(ValidationError, match="ZZ_KEY_PASSPHRASE.*published"):
            Settings(_env_file=None, environment=environment,
                     key_passphrase="zhengzhao-dev-only-passphrase",
                     secret_key=REAL["secret_key"])
    dev = Settings(_env_file=None)  # dev: unset, generated into the data dir on first use
    assert dev.secret_key is None and dev.key_passphrase is None
