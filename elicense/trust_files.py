"""Reading another office's published trust folder (``trust-list.json``, ``root.pem``,
``crls/*.pem`` (the SM2 CAs' ones named ``crls/sm2-*.pem``), ``status-list.cose``, optionally
``sm2-root.pem`` and ``sm2-ca.pem``) from a directory or a ``.zip`` of one, strictly: only those
names (optionally under one top folder), no absolute paths, ``..``, links, encryption or
duplicates, a cap on the number of entries and on every file's real (decompressed) size, so a
zip bomb or a path-traversal archive is refused before anything is written. Raises
:class:`TrustImportError` (code ``trust.invalid``).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Final

from elicense.errors import TrustImportError
from elicense.publish import (
    CRL_DIR,
    ROOT_FILE,
    SM2_CA_FILE,
    SM2_ROOT_FILE,
    STATUS_LIST_FILE,
    TRUST_LIST_FILE,
)

MAX_ZIP_BYTES: Final = 8 * 1024 * 1024
MAX_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 8 * 1024 * 1024
MAX_ENTRIES: Final = 64
_TOP_FILES: Final = frozenset({TRUST_LIST_FILE, ROOT_FILE, STATUS_LIST_FILE,
                               SM2_ROOT_FILE, SM2_CA_FILE})  # the SM2 ones optional
_CRL_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.pem$")


def _bad(problem: str, problem_zh: str) -> TrustImportError:
    return TrustImportError(problem, problem_zh)


def _allowed(name: str) -> bool:
    parts = name.split("/")
    if len(parts) == 1:
        return name in _TOP_FILES
    return len(parts) == 2 and parts[0] == CRL_DIR and bool(_CRL_NAME.match(parts[1]))


def _checked_name(raw: str) -> str:
    if "\\" in raw or "\x00" in raw or raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        raise _bad("an entry has an absolute or non-portable path",
                   "压缩包含有绝对路径或不可移植的路径")
    path = PurePosixPath(raw)
    if any(part in ("..", ".") for part in path.parts) or not path.parts:
        raise _bad("an entry's path leaves the folder", "压缩包含有越出目录的路径")
    return "/".join(path.parts)


def _strip_top_folder(names: list[str]) -> dict[str, str]:
    """Entry name → name inside the published folder (one common top folder is dropped)."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = tops.pop()
        if top != CRL_DIR:
            return {name: name.split("/", 1)[1] for name in names}
    return {name: name for name in names}


def _check_files(files: dict[str, bytes]) -> dict[str, bytes]:
    for required in (TRUST_LIST_FILE, ROOT_FILE, STATUS_LIST_FILE):
        if required not in files:
            raise _bad(f"{required} is missing", f"缺少 {required}")
    return files


def read_trust_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zipped published folder, by their name inside the folder."""
    if len(data) > MAX_ZIP_BYTES:
        raise _bad("the zip is too large", "压缩包过大")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _bad("not a zip archive", "不是 zip 压缩包") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _bad("the zip has too many entries", "压缩包条目过多")
        entries: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            name = _checked_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _bad("the zip contains a link", "压缩包含有链接")
            if info.flag_bits & 0x1:
                raise _bad("the zip is encrypted", "压缩包已加密")
            if info.is_dir():
                continue
            entries.append((name, info))
        renamed = _strip_top_folder([name for name, _ in entries])
        files: dict[str, bytes] = {}
        total = 0
        for name, info in entries:
            inside = renamed[name]
            if not _allowed(inside):
                raise _bad(f"unexpected file {inside!r} (a published folder holds only "
                           f"{TRUST_LIST_FILE}, {ROOT_FILE}, {STATUS_LIST_FILE}, "
                           f"{SM2_ROOT_FILE}, {SM2_CA_FILE} and {CRL_DIR}/*.pem)",
                           f"压缩包含有不应有的文件“{inside}”")
            if inside in files:
                raise _bad(f"{inside} appears twice", f"{inside} 重复出现")
            if info.file_size > MAX_FILE_BYTES:
                raise _bad(f"{inside} is too large", f"{inside} 过大")
            try:
                with archive.open(info) as stream:
                    content = stream.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError,
                    RuntimeError) as exc:
                raise _bad(f"{inside} cannot be unpacked ({type(exc).__name__})",
                           f"{inside} 无法解压") from None
            if len(content) > MAX_FILE_BYTES:
                raise _bad(f"{inside} is too large", f"{inside} 过大")
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise _bad("the unpacked files are too large", "解压后的文件过大")
            files[inside] = content
    return _check_files(files)


def read_trust_dir(directory: Path) -> dict[str, bytes]:
    """The files of a published folder on disk (the same rules as a zip; links refused)."""
    if not directory.is_dir() or directory.is_symlink():
        raise _bad("not a directory", "不是目录")
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(directory.rglob("*")):
        inside = path.relative_to(directory).as_posix()
        if path.is_symlink():
            raise _bad(f"{inside} is a link", f"{inside} 是链接")
        if path.is_dir():
            if inside != CRL_DIR:
                raise _bad(f"unexpected folder {inside!r}", f"不应有的目录“{inside}”")
            continue
        if not _allowed(inside):
            raise _bad(f"unexpected file {inside!r}", f"不应有的文件“{inside}”")
        if len(files) >= MAX_ENTRIES:
            raise _bad("the folder has too many files", "目录中文件过多")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _bad(f"{inside} is too large", f"{inside} 过大")
        files[inside] = path.read_bytes()
        total += len(files[inside])
        if total > MAX_TOTAL_BYTES:
            raise _bad("the files are too large", "文件过大")
    return _check_files(files)


def write_trust_files(files: dict[str, bytes], directory: Path) -> None:
    """Write checked files into a new, empty ``directory``."""
    directory.mkdir(parents=True)
    (directory / CRL_DIR).mkdir()
    for name, content in files.items():
        (directory / name).write_bytes(content)
