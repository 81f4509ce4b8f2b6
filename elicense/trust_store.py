"""Other issuers this office trusts: a copy of each one's published folder (see
:mod:`elicense.publish`) under ``<data dir>/trust/<issuer code>/``.

:meth:`TrustStore.import_files` accepts a folder only when it loads with
:func:`elicense.load_trust` (the trust list chains to its root), its signed status list verifies
against its own keys, the issuer is not this office, its code and names (Chinese or English,
compared after NFKC folding, case and spaces ignored) are neither ours nor another imported
issuer's (``trust.conflict``; the same issuer again must keep its root), and its status list is
not older than the one already held (no rollback to a list from before a revocation). A licence
is shown under the name of the issuer whose keys verified it, so two trusted issuers may never
share a name. A replacement is swapped in
with renames, so a reader never sees half a folder. Files come from
:mod:`elicense.trust_files` (directory or zip, strictly checked).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from core import ErrorCode, Settings
from elicense.errors import TrustImportError, TrustIssuerNotFoundError, TrustMaterialError
from elicense.publish import STATUS_LIST_FILE, TRUST_LIST_FILE, TrustMaterial, load_trust
from elicense.trust_files import (
    read_trust_dir,
    read_trust_zip,
    write_trust_files,
)
from elicense.trusted_issuers import TrustedIssuers, TrustSource
from signing import KeysInvalidError, TrustList, parse_trust_list, verify_status_list

log = logging.getLogger(__name__)

TRUST_DIR: Final = "trust"
_ISSUER_CODE: Final = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
# Freshness is not a reason to refuse an import (the status list says how fresh it is when a
# licence is verified); only its signature and its age relative to the held copy matter.
_ANY_AGE: Final = timedelta(days=365 * 100)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class TrustedIssuer:
    """One imported issuer, as its trust list names it."""

    code: str
    name_zh: str
    name_en: str
    jurisdiction_code: str
    demo: bool
    keys: int
    trust_list_issued_at: datetime
    status_list_issued_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en,
                "jurisdiction_code": self.jurisdiction_code, "demo": self.demo,
                "keys": self.keys,
                "trust_list_issued_at": self.trust_list_issued_at.isoformat(),
                "status_list_issued_at": None if self.status_list_issued_at is None
                else self.status_list_issued_at.isoformat()}


def _issuer(trust_list: TrustList, status_issued: datetime | None) -> TrustedIssuer:
    info = trust_list.issuer
    return TrustedIssuer(code=info.code, name_zh=info.name_zh, name_en=info.name_en,
                         jurisdiction_code=info.jurisdiction_code, demo=info.demo,
                         keys=len(trust_list.keys), trust_list_issued_at=trust_list.issued_at,
                         status_list_issued_at=status_issued)


def _status_issued_at(material: TrustMaterial, now: datetime) -> datetime | None:
    if material.status_list is None:
        return None
    verdict = verify_status_list(material.status_list, material.trusted_keys, now,
                                 leeway=_ANY_AGE)
    if not verdict.valid or verdict.issued_at is None:
        raise TrustImportError(f"{STATUS_LIST_FILE} does not verify with the folder's keys "
                               f"({verdict.code.value})",
                               f"{STATUS_LIST_FILE} 无法用该目录的密钥验证")
    return verdict.issued_at


def _folded(name: str) -> str:
    """A name as compared for collisions: NFKC (full-width brackets are brackets), no case,
    no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _folded_names(names: Iterable[str]) -> set[str]:
    return {folded for folded in map(_folded, names) if folded}


class TrustStore:
    """The imported issuers under ``root`` (``<data dir>/trust``); ``own_code`` is this
    office's issuer code, which can never be imported, and ``own_names`` its names (Chinese and
    English), which no imported issuer may carry."""

    def __init__(self, root: Path, own_code: str, *, own_names: Iterable[str]) -> None:
        self.root = root
        self.own_code = own_code
        self.own_names = tuple(own_names)

    @classmethod
    def for_data_dir(cls, data_dir: Path, own_code: str, *, own_names: Iterable[str]
                     ) -> TrustStore:
        return cls(data_dir / TRUST_DIR, own_code, own_names=own_names)

    @classmethod
    def for_settings(cls, settings: Settings) -> TrustStore:
        """This office's store: ``<data dir>/trust``, our code and names from ``settings``."""
        return cls.for_data_dir(settings.data_dir, settings.issuer_code,
                                own_names=(settings.issuer_name, settings.issuer_name_en))

    def _folder(self, code: str) -> Path:
        if not _ISSUER_CODE.match(code):
            raise TrustIssuerNotFoundError(code)
        return self.root / code

    def _describe(self, folder: Path, now: datetime | None = None) -> TrustedIssuer:
        material = load_trust(folder)
        trust_list = parse_trust_list((folder / TRUST_LIST_FILE).read_bytes(),
                                      pinned_root=material.root)
        return _issuer(trust_list, _status_issued_at(material, now or datetime.now(UTC)))

    def list(self) -> list[TrustedIssuer]:
        """The imported issuers by code; an unreadable folder is skipped (and logged)."""
        out = []
        for folder in sorted(self.root.glob("*")) if self.root.is_dir() else []:
            if not folder.is_dir() or not _ISSUER_CODE.match(folder.name):
                continue
            try:
                out.append(self._describe(folder))
            except (TrustMaterialError, TrustImportError, KeysInvalidError, OSError):
                log.warning("imported trust folder %s cannot be read", folder.name)
        return out

    def get(self, code: str) -> TrustedIssuer:
        folder = self._folder(code)
        if not folder.is_dir():
            raise TrustIssuerNotFoundError(code)
        return self._describe(folder)

    def materials(self) -> list[tuple[TrustedIssuer, TrustMaterial]]:
        """Every readable imported issuer with its trust material (for verification)."""
        out = []
        for issuer in self.list():
            try:
                out.append((issuer, load_trust(self.root / issuer.code)))
            except TrustMaterialError:
                log.warning("imported trust folder %s cannot be read", issuer.code)
        return out

    def trusted_issuers(self, *, own: TrustSource | None = None) -> TrustedIssuers:
        """The imported issuers, found by key id (``own``, this office, first): what a
        verifier picks the issuer of a licence from."""
        return TrustedIssuers((TrustSource(issuer.code, issuer.name_zh, material)
                               for issuer, material in self.materials()), own=own)

    def import_zip(self, data: bytes, *, now: datetime | None = None) -> TrustedIssuer:
        return self.import_files(read_trust_zip(data), now=now)

    def import_path(self, path: Path, *, now: datetime | None = None) -> TrustedIssuer:
        """A published folder, or a ``.zip`` of one."""
        if path.is_file():
            if path.stat().st_size > 8 * 1024 * 1024:
                raise TrustImportError("the zip is too large", "压缩包过大")
            return self.import_zip(path.read_bytes(), now=now)
        return self.import_files(read_trust_dir(path), now=now)

    def import_files(self, files: dict[str, bytes], *, now: datetime | None = None
                     ) -> TrustedIssuer:
        """Check and store one published folder's files (see the module docstring)."""
        now = now or datetime.now(UTC)
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".staging-{secrets.token_hex(8)}"
        try:
            write_trust_files(files, staging)
            try:
                issuer = self._describe(staging, now)
            except TrustMaterialError as exc:
                raise TrustImportError(exc.message_en, exc.message_zh) from None
            except KeysInvalidError as exc:
                raise TrustImportError(exc.message_en, exc.message_zh) from None
            if not _ISSUER_CODE.match(issuer.code):
                raise TrustImportError("the trust list's issuer code is not a credit code",
                                       "信任列表的签发机构代码不是统一社会信用代码")
            if issuer.code == self.own_code:
                raise TrustImportError("this is this office's own trust list",
                                       "这是本机关自己的信任列表", ErrorCode.TRUST_OWN_ISSUER)
            if _folded_names((issuer.name_zh, issuer.name_en)) & _folded_names(self.own_names):
                raise TrustImportError(
                    "its issuer carries this office's name", "其签发机构名称与本机关相同",
                    ErrorCode.TRUST_CONFLICT)
            if issuer.status_list_issued_at is None:
                raise TrustImportError(f"{STATUS_LIST_FILE} is missing",
                                       f"缺少 {STATUS_LIST_FILE}")
            with _LOCK:
                self._replace(issuer, staging, now)
            log.info("imported the trust list of issuer %s", issuer.code)
            return issuer
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _check_other_issuers(self, issuer: TrustedIssuer, staging: Path) -> None:
        """Refuse a name another imported issuer carries, or the code of an imported issuer
        with another root (a different office claiming that code: remove the old one first)."""
        names = _folded_names((issuer.name_zh, issuer.name_en))
        for held in self.list():
            if held.code != issuer.code and names & _folded_names((held.name_zh, held.name_en)):
                raise TrustImportError(
                    f"its issuer carries the name of the imported issuer {held.code}",
                    f"其签发机构名称与已导入的签发机构 {held.code} 相同",
                    ErrorCode.TRUST_CONFLICT)
        target = self.root / issuer.code
        if target.is_dir():
            try:
                held_root = load_trust(target).root
            except TrustMaterialError:
                return  # a broken copy is simply replaced
            if held_root != load_trust(staging).root:
                raise TrustImportError(
                    f"issuer {issuer.code} is already imported with another root certificate"
                    " (remove it first if it really changed its root)",
                    f"签发机构 {issuer.code} 已以另一根证书导入（如确已更换根证书，请先移除）",
                    ErrorCode.TRUST_CONFLICT)

    def _replace(self, issuer: TrustedIssuer, staging: Path, now: datetime) -> None:
        self._check_other_issuers(issuer, staging)
        target = self.root / issuer.code
        if target.is_dir():
            try:
                held = self._describe(target, now)
            except (TrustMaterialError, TrustImportError, KeysInvalidError):
                held = None  # a broken copy is simply replaced
            if held is not None and held.status_list_issued_at is not None \
                    and issuer.status_list_issued_at is not None \
                    and issuer.status_list_issued_at < held.status_list_issued_at:
                raise TrustImportError(
                    "its status list is older than the one already imported",
                    "其状态列表比已导入的更旧", ErrorCode.TRUST_ROLLBACK)
            old = self.root / f".old-{secrets.token_hex(8)}"
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
            return
        os.replace(staging, target)

    def remove(self, code: str) -> TrustedIssuer:
        """Forget an issuer: its licences are untrusted from now on."""
        folder = self._folder(code)
        with _LOCK:
            if not folder.is_dir():
                raise TrustIssuerNotFoundError(code)
            try:
                issuer = self._describe(folder)
            except (TrustMaterialError, TrustImportError, KeysInvalidError):
                issuer = TrustedIssuer(code, "", "", "", False, 0, datetime.now(UTC), None)
            old = self.root / f".old-{secrets.token_hex(8)}"
            os.replace(folder, old)
            shutil.rmtree(old, ignore_errors=True)
        log.info("removed the trust list of issuer %s", code)
        return issuer
