"""``core.write_atomically``: the mode is set before a byte is written, the old file is replaced
whole, ``exclusive`` keeps a file that is already there, and a failed write leaves no temporary
file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core import write_atomically


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_replaces_the_file_with_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "trust-list.json"
    target.write_bytes(b"old")
    old = os.umask(0o077)  # the mode must not depend on the umask
    try:
        assert write_atomically(target, b"new") is True
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new" and _mode(target) == 0o644
    write_atomically(target, b"secret", mode=0o600)
    assert target.read_bytes() == b"secret" and _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trust-list.json"]


def test_exclusive_keeps_what_is_there(tmp_path: Path) -> None:
    target = tmp_path / "key_passphrase"
    assert write_atomically(target, b"first", mode=0o600, exclusive=True) is True
    assert write_atomically(target, b"second", mode=0o600, exclusive=True) is False
    assert target.read_bytes() == b"first" and _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key_passphrase"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()
    (target / "inside").write_bytes(b"kept")
    with pytest.raises(OSError):
        write_atomically(target, b"cannot replace a directory")
    assert (target / "inside").read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
