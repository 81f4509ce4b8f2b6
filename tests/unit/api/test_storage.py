"""The content-addressed file store: one copy per content, atomic writes, no path tricks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from api.errors import StorageKeyInvalidError, StoredFileCorruptError, StoredFileNotFoundError
from api.storage import FileStore
from core import ErrorCode


def test_put_returns_the_sha256_and_get_returns_the_bytes(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"%PDF-1.7 sample bytes"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.get(key) == data and store.exists(key)
    assert store.path_of(key) == tmp_path / "files" / key[:2] / key[2:4] / key


def test_the_same_content_is_stored_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    first, second = store.put(b"same"), store.put(b"same")
    other = store.put(b"different")
    assert first == second != other
    blobs = [p for p in tmp_path.rglob("*") if p.is_file() and ".tmp" not in p.parts]
    assert len(blobs) == 2
    assert list((tmp_path / ".tmp").iterdir()) == []


def test_empty_content_is_a_valid_blob(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    assert store.get(store.put(b"")) == b""


def test_unknown_key_is_not_found(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    key = "0" * 64
    assert not store.exists(key)
    with pytest.raises(StoredFileNotFoundError) as caught:
        store.get(key)
    assert caught.value.code is ErrorCode.NOT_FOUND


@pytest.mark.parametrize("key", [
    "../" * 3 + "etc/passwd", "/etc/passwd", "A" * 64, "a" * 63, "a" * 65, "g" * 64,
    "aa/../" + "a" * 58, "", "a" * 63 + "\n", "a" * 63 + "\x00",
])
def test_keys_that_are_not_a_sha256_are_refused(tmp_path: Path, key: str) -> None:
    outside = tmp_path / "secret"
    outside.write_bytes(b"do not serve")
    store = FileStore(tmp_path / "files")
    for call in (store.get, store.exists, store.path_of):
        with pytest.raises(StorageKeyInvalidError):
            call(key)


def test_a_damaged_blob_is_refused(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    key = store.put(b"original")
    path = store.path_of(key)
    os.chmod(path, 0o640)
    path.write_bytes(b"tampered")
    with pytest.raises(StoredFileCorruptError):
        store.get(key)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    store = FileStore(tmp_path)

    def broken_fsync(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.put(b"payload")
    monkeypatch.undo()
    assert not store.exists(hashlib.sha256(b"payload").hexdigest())
    assert list((tmp_path / ".tmp").iterdir()) == []
