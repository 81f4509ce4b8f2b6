"""``zhengzhao trust import | list | remove`` through its argument parser and runner (the
command is registered in ``api.cli.commands``): a published folder of another office is imported,
listed, removed and audited; a refused folder exits 1 with the code on stderr."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)

from api.cli import build_parser
from api.cli.trust import run as run_trust
from api.db import AuditEntry, create_db
from core import Settings

ROOT = Path(__file__).resolve().parents[3]


def trust(settings: Settings, *argv: str) -> int:
    return run_trust(build_parser(["trust", *argv]).parse_args(["trust", *argv]), settings)


def test_import_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    other = offices.Office(tmp_path / "other", *offices.OTHER,
                           datetime.now(UTC) - timedelta(days=1))
    archive = tmp_path / "other.zip"
    archive.write_bytes(offices.zipped(other.published))
    assert trust(settings, "import", str(archive), "--json") == 0
    assert json.loads(capsys.readouterr().out)["code"] == offices.OTHER[0]
    assert trust(settings, "list") == 0
    assert offices.OTHER[0] in capsys.readouterr().out
    assert trust(settings, "import", str(other.published)) == 0  # the folder itself too
    capsys.readouterr()
    assert trust(settings, "remove", offices.OTHER[0]) == 0
    assert "Removed" in capsys.readouterr().out
    assert trust(settings, "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert trust(settings, "remove", offices.OTHER[0]) == 1
    assert "trust.not_found" in capsys.readouterr().err
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert trust(settings, "import", str(tmp_path / "junk.zip")) == 1
    assert "trust.invalid" in capsys.readouterr().err
    db = create_db(settings)
    try:
        with db.transaction(read_only=True) as session:
            rows = [(row.action, row.actor_id, json.loads(row.details), row.subject_id)
                    for row in session.query(AuditEntry).order_by(AuditEntry.seq)]
    finally:
        db.dispose()
    assert [row[0] for row in rows] == ["trust.imported", "trust.imported", "trust.removed"]
    # The command line is no account: no actor, and the entry says it came from the CLI.
    assert {row[1:] == (None, {"via": "cli"}, offices.OTHER[0]) for row in rows} == {True}
