"""The published trust folder carries the SM2 root and issuing CA when the office has the SM2
PKI (``sm2-root.pem``, ``sm2-ca.pem``), none when it has not; ``load_trust`` reads and checks
them (the CA must be issued by the root); an imported folder or zip may hold them."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from elicense import TrustImportError, load_trust, publish
from elicense.errors import TrustMaterialError
from elicense.trust_files import read_trust_dir, read_trust_zip
from signing import IssuerIdentity, KeyStore, Sm2Role, load_sm2_certificate

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PASS = SecretStr("publish sm2 tests passphrase")
IDENTITY = IssuerIdentity(name_zh="示例市行政审批局（演示）", name_en="Example demo office",
                          code="11110000000000019K", jurisdiction_code="110000")


class NoRevocations:
    def revoked_indices(self) -> set[int]:
        return set()


def office(base: Path, *, sm2: bool) -> KeyStore:
    store = KeyStore(base / "keys", PASS)
    store.initialise(IDENTITY, now=NOW, sm2=sm2)
    return store


def published(store: KeyStore, directory: Path) -> Path:
    return publish(store, NoRevocations(), directory, IDENTITY.code, NOW)  # type: ignore[arg-type]


def test_an_sm2_office_publishes_its_sm2_root_and_ca(tmp_path: Path) -> None:
    store = office(tmp_path, sm2=True)
    folder = published(store, tmp_path / "published")
    root = load_sm2_certificate((folder / "sm2-root.pem").read_bytes())
    ca = load_sm2_certificate((folder / "sm2-ca.pem").read_bytes())
    assert root.dump() == store.sm2_certificate(Sm2Role.ROOT).dump()
    assert ca.dump() == store.sm2_certificate(Sm2Role.CA).dump()
    material = load_trust(folder)
    assert material.sm2_root is not None and material.sm2_root.dump() == root.dump()
    assert [c.dump() for c in material.sm2_cas] == [ca.dump()]
    text = subprocess.run(["openssl", "x509", "-in", str(folder / "sm2-root.pem"), "-noout",
                           "-text"], capture_output=True, text=True, timeout=30).stdout
    assert "SM2-with-SM3" in text and "CA:TRUE" in text
    files = read_trust_dir(folder)
    assert {"sm2-root.pem", "sm2-ca.pem"} <= set(files)


def test_an_office_without_sm2_publishes_none_until_it_has_them(tmp_path: Path) -> None:
    store = office(tmp_path, sm2=False)
    folder = published(store, tmp_path / "published")
    assert not (folder / "sm2-root.pem").exists() and not (folder / "sm2-ca.pem").exists()
    material = load_trust(folder)
    assert material.sm2_root is None and material.sm2_cas == ()
    store.initialise_sm2(now=NOW)
    published(store, folder)
    assert load_trust(folder).sm2_root is not None


def test_broken_sm2_files_are_refused(tmp_path: Path) -> None:
    store = office(tmp_path / "a", sm2=True)
    other = office(tmp_path / "b", sm2=True)
    folder = published(store, tmp_path / "published")
    good_ca = (folder / "sm2-ca.pem").read_bytes()
    # another office's SM2 CA beside this root
    (folder / "sm2-ca.pem").write_bytes(published(other, tmp_path / "other").joinpath(
        "sm2-ca.pem").read_bytes())
    with pytest.raises(TrustMaterialError, match="sm2-ca.pem"):
        load_trust(folder)
    (folder / "sm2-ca.pem").write_bytes(good_ca)
    # a root that is not self-signed (the CA in its place)
    good_root = (folder / "sm2-root.pem").read_bytes()
    (folder / "sm2-root.pem").write_bytes(good_ca)
    with pytest.raises(TrustMaterialError, match="sm2-root.pem"):
        load_trust(folder)
    (folder / "sm2-root.pem").write_bytes(b"not a certificate")
    with pytest.raises(TrustMaterialError, match="sm2-root.pem"):
        load_trust(folder)
    # a CA without a root
    (folder / "sm2-root.pem").unlink()
    with pytest.raises(TrustMaterialError, match="sm2-ca.pem"):
        load_trust(folder)
    (folder / "sm2-root.pem").write_bytes(good_root)
    assert load_trust(folder).sm2_root is not None


def test_a_zipped_folder_may_carry_the_sm2_files_and_nothing_else(tmp_path: Path) -> None:
    folder = published(office(tmp_path, sm2=True), tmp_path / "published")

    def zipped(extra: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.writestr(f"office/{path.relative_to(folder).as_posix()}",
                                     path.read_bytes())
            for name, data in extra.items():
                archive.writestr(f"office/{name}", data)
        return buffer.getvalue()

    files = read_trust_zip(zipped({}))
    assert files["sm2-root.pem"] == (folder / "sm2-root.pem").read_bytes()
    with pytest.raises(TrustImportError, match="sm2-seal.pem"):
        read_trust_zip(zipped({"sm2-seal.pem": b"x"}))
