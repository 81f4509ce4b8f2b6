"""OFD packages (GB/T 33190): a bounded, safe reader of untrusted packages and a deterministic
writer.

An OFD file is a zip of XML parts (``OFD.xml``, each document's ``Document.xml``, pages,
resources, signatures) and binary resources (fonts, images, ``SignedValue.dat``). Everything a
verifier reads comes from strangers, so :func:`read_ofd` refuses, each with its own stable
``ofd.*`` code (:class:`signing.errors.OfdFormatError`), before it spends memory on them:

- a package larger than :attr:`OfdLimits.max_package_bytes` or with too many entries;
- a zip bomb: an entry declaring or inflating to more than :attr:`OfdLimits.max_entry_bytes`,
  all entries together more than :attr:`OfdLimits.max_total_bytes`, an inflation ratio above
  :attr:`OfdLimits.max_ratio` (past :attr:`OfdLimits.ratio_floor` bytes), or entries whose
  compressed sizes add up to more than the package (overlapping entries);
- entry names that are absolute (``/x``, ``C:x``), climb (``..``), use backslashes or control
  characters, are links, or that collide with another entry once normalised (``.`` and empty
  segments dropped, Unicode NFC, case folded);
- encrypted entries, compression other than stored or deflate, truncated or corrupt data;
- a missing ``OFD.xml``, document (``DocBody/DocRoot``) or page (``Pages/Page/@BaseLoc``);
- XML above :attr:`OfdLimits.max_xml_bytes`, XML with a DTD, entities or external references
  (parsed by ``defusedxml``: no XXE, no billion laughs), XML that is not well-formed or whose
  root is not the element the part must hold.

:func:`write_ofd` writes the same layout byte for byte for the same files: sorted entries, fixed
timestamps and attributes, deflate level 6 (images and fonts already compressed are stored).

Locations inside a package (``ST_Loc``) are resolved by :func:`resolve_loc`: absolute from the
package root when they start with ``/``, otherwise relative to the part that names them; a
location that leaves the package is refused like an unsafe entry name.
"""

from __future__ import annotations

import io
import posixpath
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

from core import ErrorCode
from signing.errors import OfdFormatError

__all__ = [
    "OFD_NAMESPACE",
    "OFD_ROOT_FILE",
    "OfdLimits",
    "OfdPackage",
    "normalise_entry_name",
    "parse_ofd_xml",
    "read_ofd",
    "resolve_loc",
    "write_ofd",
]

OFD_NAMESPACE: Final = "http://www.ofdspec.org/2016"
OFD_ROOT_FILE: Final = "OFD.xml"
# 1980-01-01 00:00:00, the earliest time a zip entry can carry: the same bytes on every run.
_FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)
_STORED_SUFFIXES: Final = (".png", ".jpg", ".jpeg", ".gif", ".dat", ".otf", ".ttf", ".ttc")
_CHUNK: Final = 64 * 1024
_CENTRAL_RECORD: Final = b"PK\x01\x02"


@dataclass(frozen=True)
class OfdLimits:
    """The bounds :func:`read_ofd` enforces. The defaults leave ample room for a licence (about
    200 KB with its font subset and photo) and for the sealed samples of other implementations.
    """

    max_package_bytes: int = 32 * 1024 * 1024
    max_entries: int = 2000
    max_entry_bytes: int = 16 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024
    max_xml_bytes: int = 2 * 1024 * 1024
    max_name_chars: int = 255
    max_documents: int = 16
    max_pages: int = 1000


DEFAULT_LIMITS: Final = OfdLimits()


def _fail(code: ErrorCode, en: str, zh: str, entry: str = "") -> OfdFormatError:
    return OfdFormatError(code, f"OFD package refused: {en}", f"OFD 文件被拒绝：{zh}", entry)


def _local(tag: object) -> str:
    """The local name of an element tag (``{ns}Name`` or ``Name``)."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: Element, name: str) -> str | None:
    for child in _children(element, name):
        return (child.text or "").strip()
    return None


def normalise_entry_name(name: str, limits: OfdLimits = DEFAULT_LIMITS) -> str:
    """The canonical form of a zip entry name, or :class:`OfdFormatError` (``ofd.path_name``).

    Refused: empty names, names longer than ``limits.max_name_chars``, backslashes, control
    characters, absolute names (``/x``, ``C:x``) and ``..`` segments. ``.`` and empty segments
    are dropped and the name is put in Unicode NFC, so ``a/./b`` and ``a//b`` are ``a/b``.
    """
    if not name or len(name) > limits.max_name_chars:
        raise _fail(ErrorCode.OFD_PATH_NAME, "an entry name is empty or too long",
                    "条目名称为空或过长", name[:80])
    if "\\" in name:
        raise _fail(ErrorCode.OFD_PATH_NAME, f"entry name {name!r} contains a backslash",
                    f"条目名称“{name}”含有反斜杠", name)
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise _fail(ErrorCode.OFD_PATH_NAME, "an entry name contains control characters",
                    "条目名称含有控制字符", name.encode("unicode_escape").decode("ascii")[:80])
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":"):
        raise _fail(ErrorCode.OFD_PATH_NAME, f"entry name {name!r} is absolute",
                    f"条目名称“{name}”是绝对路径", name)
    segments = [part for part in name.split("/") if part not in ("", ".")]
    if any(part == ".." for part in segments):
        raise _fail(ErrorCode.OFD_PATH_NAME, f"entry name {name!r} climbs out with '..'",
                    f"条目名称“{name}”含有“..”", name)
    if not segments:
        raise _fail(ErrorCode.OFD_PATH_NAME, f"entry name {name!r} names no file",
                    f"条目名称“{name}”不指向文件", name)
    return unicodedata.normalize("NFC", "/".join(segments))


def resolve_loc(base_part: str, loc: str, limits: OfdLimits = DEFAULT_LIMITS) -> str:
    """The package path a location (``ST_Loc``) written in ``base_part`` names.

    ``/Doc_0/Document.xml`` is from the package root; ``Pages/Page_0/Content.xml`` written in
    ``Doc_0/Document.xml`` is ``Doc_0/Pages/Page_0/Content.xml``. ``..`` is followed while it
    stays inside the package; a location that leaves it is ``ofd.path_name``.
    """
    loc = loc.strip()
    if "\\" in loc or not loc:
        raise _fail(ErrorCode.OFD_PATH_NAME, f"location {loc!r} in {base_part} is not usable",
                    f"{base_part} 中的位置“{loc}”无效", base_part)
    if loc.startswith("/"):
        joined = loc.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(base_part), loc)
    resolved = posixpath.normpath(joined)
    if resolved.startswith("../") or resolved in ("..", ".", ""):
        raise _fail(ErrorCode.OFD_PATH_NAME, f"location {loc!r} in {base_part} leaves the package",
                    f"{base_part} 中的位置“{loc}”超出了文件包", base_part)
    return normalise_entry_name(resolved, limits)


def parse_ofd_xml(data: bytes, part: str, limits: OfdLimits = DEFAULT_LIMITS) -> Element:
    """Parse one XML part safely: size cap, then ``defusedxml`` with DTDs, entities and external
    references forbidden. Raises :class:`OfdFormatError` (``ofd.xml_*``)."""
    if len(data) > limits.max_xml_bytes:
        raise _fail(ErrorCode.OFD_XML_TOO_LARGE,
                    f"{part} is larger than {limits.max_xml_bytes} bytes of XML",
                    f"{part} 超过 {limits.max_xml_bytes} 字节的 XML 上限", part)
    try:
        return _defused_fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except DefusedXmlException:
        raise _fail(ErrorCode.OFD_XML_FORBIDDEN,
                    f"{part} carries a DTD, an entity or an external reference",
                    f"{part} 含有 DTD、实体或外部引用", part) from None
    except (ParseError, ValueError, UnicodeError):
        raise _fail(ErrorCode.OFD_XML_INVALID, f"{part} is not well-formed XML",
                    f"{part} 不是格式正确的 XML", part) from None


@dataclass(frozen=True)
class OfdPackage:
    """A package :func:`read_ofd` accepted: every entry by its normalised name, and the
    structure checked (``OFD.xml``, its documents and their pages exist and parse)."""

    files: dict[str, bytes]
    limits: OfdLimits = DEFAULT_LIMITS
    _parsed: dict[str, Element] = field(default_factory=dict, repr=False, compare=False)

    def xml(self, path: str) -> Element:
        """The parsed root element of the XML part ``path`` (parsed once, then cached).
        ``ofd.missing_entry`` when there is no such entry, ``ofd.xml_*`` when it is bad XML."""
        name = normalise_entry_name(path, self.limits)
        cached = self._parsed.get(name)
        if cached is not None:
            return cached
        if name not in self.files:
            raise _fail(ErrorCode.OFD_MISSING_ENTRY, f"{name} is missing",
                        f"缺少 {name}", name)
        element = parse_ofd_xml(self.files[name], name, self.limits)
        self._parsed[name] = element
        return element

    def doc_bodies(self) -> list[Element]:
        """The ``DocBody`` elements of ``OFD.xml``, in order."""
        return _children(self.xml(OFD_ROOT_FILE), "DocBody")

    def document_paths(self) -> list[str]:
        """The package path of each document (``DocBody/DocRoot``), in order."""
        paths = []
        for body in self.doc_bodies():
            loc = _child_text(body, "DocRoot")
            if not loc:
                raise _fail(ErrorCode.OFD_MISSING_ENTRY, "a DocBody in OFD.xml has no DocRoot",
                            "OFD.xml 的 DocBody 缺少 DocRoot", OFD_ROOT_FILE)
            paths.append(resolve_loc(OFD_ROOT_FILE, loc, self.limits))
        return paths

    def signatures_path(self, doc: str | int = 0) -> str | None:
        """The package path of the signature list (``DocBody/Signatures``) of a document, given
        by its index or its ``DocRoot`` path; ``None`` when the document has none."""
        bodies = self.doc_bodies()
        if isinstance(doc, int):
            index = doc
        else:
            wanted = normalise_entry_name(doc, self.limits)
            paths = self.document_paths()
            if wanted not in paths:
                raise _fail(ErrorCode.OFD_MISSING_ENTRY, f"no document {wanted} in OFD.xml",
                            f"OFD.xml 中没有文档 {wanted}", wanted)
            index = paths.index(wanted)
        if not 0 <= index < len(bodies):
            raise _fail(ErrorCode.OFD_MISSING_ENTRY, f"no document number {index} in OFD.xml",
                        f"OFD.xml 中没有第 {index} 个文档", OFD_ROOT_FILE)
        loc = _child_text(bodies[index], "Signatures")
        return resolve_loc(OFD_ROOT_FILE, loc, self.limits) if loc else None

    def page_paths(self, document: str) -> list[str]:
        """The package path of each page's content (``Pages/Page/@BaseLoc``) of a document."""
        root = self.xml(document)
        paths = []
        for pages in _children(root, "Pages"):
            for page in _children(pages, "Page"):
                loc = page.get("BaseLoc")
                if not loc:
                    raise _fail(ErrorCode.OFD_MISSING_ENTRY, f"a page in {document} has no BaseLoc",
                                f"{document} 中有页面缺少 BaseLoc", document)
                paths.append(resolve_loc(document, loc, self.limits))
        return paths


def read_ofd(data: bytes, limits: OfdLimits = DEFAULT_LIMITS) -> OfdPackage:
    """Read an untrusted OFD package within ``limits``; :class:`OfdFormatError` when refused.

    Never raises anything else for any input bytes. Checks, in order: the zip (size, entries,
    names, encryption, inflated sizes), then ``OFD.xml``, each document it names and each page
    each document names (present and well-formed XML with the expected root element).
    """
    files = _read_zip(data, limits)
    package = OfdPackage(files=files, limits=limits)
    _check_structure(package)
    return package


def _read_zip(data: bytes, limits: OfdLimits) -> dict[str, bytes]:
    if len(data) > limits.max_package_bytes:
        raise _fail(ErrorCode.OFD_TOO_LARGE,
                    f"the package is larger than {limits.max_package_bytes} bytes",
                    f"文件大小超过 {limits.max_package_bytes} 字节")
    if not data.startswith(b"PK"):
        raise _fail(ErrorCode.OFD_NOT_ZIP, "the file is not a zip package",
                    "文件不是 zip 格式的 OFD 文件包")
    # zipfile builds an object per central directory record before we could count them; each
    # record starts with this signature, so counting it first bounds that memory.
    if data.count(_CENTRAL_RECORD) > limits.max_entries:
        raise _fail(ErrorCode.OFD_TOO_LARGE,
                    f"the package has more than {limits.max_entries} entries",
                    f"文件包条目超过 {limits.max_entries} 个")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.LargeZipFile:
        raise _fail(ErrorCode.OFD_ZIP_BOMB, "the zip declares more than it can hold",
                    "压缩包声明的大小超出其容量") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, IndexError, KeyError,
            NotImplementedError, UnicodeError, struct.error, zlib.error):
        raise _fail(ErrorCode.OFD_NOT_ZIP,
                    "the file is not a readable zip package (not a zip, or truncated)",
                    "文件不是可读取的 zip 文件包（不是 zip 或已截断）") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise _fail(ErrorCode.OFD_TOO_LARGE,
                        f"the package has more than {limits.max_entries} entries",
                        f"文件包条目超过 {limits.max_entries} 个")
        entries = _checked_entries(infos, len(data), limits)
        files: dict[str, bytes] = {}
        total = 0
        for name, info in entries:
            content = _inflate(archive, info, name, limits)
            total += len(content)
            if total > limits.max_total_bytes:
                raise _fail(ErrorCode.OFD_ZIP_BOMB,
                            f"the entries inflate to more than {limits.max_total_bytes} bytes",
                            f"条目解压后总计超过 {limits.max_total_bytes} 字节", name)
            files[name] = content
    return files


def _checked_entries(infos: list[zipfile.ZipInfo], package_bytes: int, limits: OfdLimits,
                     ) -> list[tuple[str, zipfile.ZipInfo]]:
    """Names, flags and declared sizes of every entry, checked before anything is inflated."""
    entries: list[tuple[str, zipfile.ZipInfo]] = []
    seen: dict[str, str] = {}
    compressed_total = 0
    declared_total = 0
    for info in infos:
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _fail(ErrorCode.OFD_PATH_NAME, f"entry {info.filename!r} is a link",
                        f"条目“{info.filename}”是链接", info.filename[:80])
        raw = info.filename.rstrip("/") if info.is_dir() else info.filename
        name = normalise_entry_name(raw or info.filename, limits)
        key = name.casefold()
        if key in seen:
            raise _fail(ErrorCode.OFD_DUPLICATE_ENTRY,
                        f"entries {seen[key]!r} and {info.filename!r} name the same file",
                        f"条目“{seen[key]}”与“{info.filename}”指向同一文件", name)
        seen[key] = info.filename
        if info.flag_bits & 0x1:
            raise _fail(ErrorCode.OFD_ENCRYPTED, f"entry {name} is encrypted",
                        f"条目 {name} 已加密", name)
        if info.is_dir():
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(ErrorCode.OFD_CORRUPT,
                        f"entry {name} uses compression method {info.compress_type}"
                        " (only stored and deflate are read)",
                        f"条目 {name} 使用了不支持的压缩方法 {info.compress_type}", name)
        if info.file_size > limits.max_entry_bytes:
            raise _fail(ErrorCode.OFD_ZIP_BOMB,
                        f"entry {name} declares more than {limits.max_entry_bytes} bytes",
                        f"条目 {name} 声明的大小超过 {limits.max_entry_bytes} 字节", name)
        _check_ratio(name, info.file_size, info.compress_size, limits)
        compressed_total += info.compress_size
        declared_total += info.file_size
        entries.append((name, info))
    if compressed_total > package_bytes:
        # Entries that overlap (one deflate stream shared by many names) inflate many times
        # their package: refused before any is read.
        raise _fail(ErrorCode.OFD_ZIP_BOMB, "the entries overlap (their compressed sizes add up"
                    " to more than the package)", "条目相互重叠（压缩大小之和超过文件包）")
    if declared_total > limits.max_total_bytes:
        raise _fail(ErrorCode.OFD_ZIP_BOMB,
                    f"the entries declare more than {limits.max_total_bytes} bytes in all",
                    f"条目声明的大小总计超过 {limits.max_total_bytes} 字节")
    return entries


def _check_ratio(name: str, inflated: int, compressed: int, limits: OfdLimits) -> None:
    if inflated > limits.ratio_floor and inflated > limits.max_ratio * max(compressed, 1):
        raise _fail(ErrorCode.OFD_ZIP_BOMB,
                    f"entry {name} inflates more than {limits.max_ratio} times",
                    f"条目 {name} 的压缩比超过 {limits.max_ratio} 倍", name)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: OfdLimits,
             ) -> bytes:
    """One entry's bytes, read in chunks and stopped as soon as it passes a bound."""
    cap = min(limits.max_entry_bytes, info.file_size)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise _fail(ErrorCode.OFD_ZIP_BOMB,
                                f"entry {name} inflates to more than it declares",
                                f"条目 {name} 解压后超过其声明的大小", name)
                chunks.append(chunk)
    except OfdFormatError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
            RuntimeError, ValueError, IndexError, KeyError, UnicodeError, zlib.error,
            struct.error) as exc:
        raise _fail(ErrorCode.OFD_CORRUPT,
                    f"entry {name} cannot be unpacked ({type(exc).__name__})",
                    f"条目 {name} 无法解压", name) from None
    if size != info.file_size:
        raise _fail(ErrorCode.OFD_CORRUPT, f"entry {name} is shorter than it declares",
                    f"条目 {name} 比声明的短", name)
    _check_ratio(name, size, info.compress_size, limits)
    return b"".join(chunks)


def _expect_root(package: OfdPackage, path: str, name: str) -> Element:
    root = package.xml(path)
    if _local(root.tag) != name:
        raise _fail(ErrorCode.OFD_XML_INVALID,
                    f"{path} holds <{_local(root.tag)}>, not <{name}>",
                    f"{path} 的根元素是 <{_local(root.tag)}>，不是 <{name}>", path)
    return root


def _check_structure(package: OfdPackage) -> None:
    if OFD_ROOT_FILE not in package.files:
        raise _fail(ErrorCode.OFD_MISSING_ENTRY, "OFD.xml is missing", "缺少 OFD.xml",
                    OFD_ROOT_FILE)
    _expect_root(package, OFD_ROOT_FILE, "OFD")
    documents = package.document_paths()
    if not documents:
        raise _fail(ErrorCode.OFD_MISSING_ENTRY, "OFD.xml names no document (DocBody/DocRoot)",
                    "OFD.xml 未指明任何文档（DocBody/DocRoot）", OFD_ROOT_FILE)
    if len(documents) > package.limits.max_documents:
        raise _fail(ErrorCode.OFD_TOO_LARGE,
                    f"OFD.xml names more than {package.limits.max_documents} documents",
                    f"OFD.xml 指明的文档超过 {package.limits.max_documents} 个", OFD_ROOT_FILE)
    for document in documents:
        _expect_root(package, document, "Document")
        pages = package.page_paths(document)
        if len(pages) > package.limits.max_pages:
            raise _fail(ErrorCode.OFD_TOO_LARGE,
                        f"{document} has more than {package.limits.max_pages} pages",
                        f"{document} 的页面超过 {package.limits.max_pages} 页", document)
        for page in pages:
            _expect_root(package, page, "Page")


def write_ofd(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (package path -> bytes) that is the same bytes for the same files.

    Entries are sorted by name, carry the 1980-01-01 timestamp, no extra fields and fixed
    attributes. Names must already be canonical (:func:`normalise_entry_name` returns them
    unchanged, no two equal when case-folded): ``ValueError`` otherwise, as that is a
    programming error of the caller, not untrusted input.
    """
    seen: set[str] = set()
    for name in files:
        try:
            canonical = normalise_entry_name(name)
        except OfdFormatError as exc:
            raise ValueError(f"unusable OFD entry name {name!r}: {exc.message_en}") from None
        if canonical != name or name.casefold() in seen:
            raise ValueError(f"OFD entry name {name!r} is not canonical or is repeated")
        seen.add(name.casefold())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.create_system = 0
            info.external_attr = 0
            stored = name.lower().endswith(_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=None if stored else 6)
    return out.getvalue()
