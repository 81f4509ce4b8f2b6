"""Writing generated documents: rendering a case's documents, degrading some, saving images with
their truth JSON. ``generate_set`` is the API the CLI, tests and benchmarks use.

Seeds: image ``i`` of a set belongs to case ``i // len(kinds)``, whose seed is derived from the
set seed and the case index, so a case's ID card, licence and form describe the same people.
The truth file records that case seed: ``render_document(generate_case(seed), doc_type)``
re-renders the clean document and ``degrade(..., rng=degradation_rng(seed, doc_type))`` the
degraded one.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from core.documents import DocType
from samples.generator.business_licence import render_business_licence
from samples.generator.cases import CASE_DOCUMENTS, Case, generate_case
from samples.generator.degrade import Degraded, Preset, degrade
from samples.generator.forms import render_form
from samples.generator.id_card import render_id_back, render_id_front
from samples.generator.truth import Rendered, truth_record, write_truth

logger = logging.getLogger(__name__)

ALL_KINDS: tuple[DocType, ...] = CASE_DOCUMENTS
PRESET_CYCLE = (Preset.DESK, Preset.DESK_FLIPPED, Preset.SCAN)
CLEAN_JPEG_QUALITY = 88
PDF_DPI = 150.0


def case_seed(seed: int, index: int) -> int:
    """The seed of case ``index`` in a set generated with ``seed``."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def _kind_index(doc_type: DocType) -> int:
    return ALL_KINDS.index(doc_type)


def degradation_rng(seed: int, doc_type: DocType | str) -> np.random.Generator:
    """The generator ``degrade`` draws from for this case seed and document type."""
    return np.random.default_rng([seed, _kind_index(DocType(doc_type)), 1])


def render_document(case: Case, doc_type: DocType | str) -> Rendered:
    """Render one clean document of a case."""
    doc_type = DocType(doc_type)
    rng = np.random.default_rng([case.seed, _kind_index(doc_type)])
    if doc_type is DocType.ID_CARD_FRONT:
        return render_id_front(case.person, rng)
    if doc_type is DocType.ID_CARD_BACK:
        return render_id_back(case.person, rng)
    if doc_type is DocType.BUSINESS_LICENCE:
        return render_business_licence(case.company, rng)
    if doc_type is DocType.FORM:
        py_rng = random.Random(case.seed * 8 + _kind_index(doc_type))
        return render_form(case.filling, case.person, case.company, py_rng)
    raise ValueError(f"cannot render {doc_type}")


def render_case(case: Case) -> dict[DocType, Rendered]:
    """All four clean documents of a case."""
    return {doc_type: render_document(case, doc_type) for doc_type in ALL_KINDS}


def flatten(image: Image.Image) -> Image.Image:
    """An RGBA rendering on white (the rounded card corners become white)."""
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    white.alpha_composite(image.convert("RGBA"))
    return white.convert("RGB")


def save_image(image: Image.Image, path: Path, quality: int) -> None:
    """Save as JPEG, PNG or a single-page PDF (150 dpi) by the path's suffix."""
    suffix = path.suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        image.save(path, "JPEG", quality=quality)
    elif suffix == ".png":
        image.save(path, "PNG", optimize=False, compress_level=6)
    elif suffix == ".pdf":
        # Fixed dates: Pillow would stamp the current time and break byte-for-byte determinism.
        stamp = datetime(2025, 6, 30, tzinfo=UTC).timetuple()
        image.save(path, "PDF", resolution=PDF_DPI, quality=quality, creationDate=stamp,
                   modDate=stamp, producer="zhengzhao samples.generator")
    else:
        raise ValueError(f"unsupported image format: {suffix}")


def write_document(out_dir: Path, stem: str, extension: str, rendered: Rendered,
                   degraded: Degraded | None, *, seed: int, case: int) -> Path:
    """Write one image (clean or degraded) and its truth JSON; return the image path."""
    path = out_dir / f"{stem}.{extension}"
    if degraded is None:
        image = flatten(rendered.image)
        w, h = image.size
        quad: list[list[float]] = [[0.0, 0.0], [float(w), 0.0], [float(w), float(h)],
                                   [0.0, float(h)]]
        save_image(image, path, CLEAN_JPEG_QUALITY)
        params: dict = {}
    else:
        save_image(Image.fromarray(degraded.image, "RGB"), path, degraded.jpeg_quality)
        quad, params = degraded.quad, degraded.params
    record = truth_record(path.name, rendered, degradations=params, card_quad=quad, seed=seed,
                          case=case)
    write_truth(path.with_suffix(".json"), record)
    return path


def is_degraded(index: int, fraction: float) -> bool:
    """Spread degraded images evenly: the ``index``-th of a kind is degraded when the running
    share of degraded images would otherwise fall below ``fraction``."""
    per_mille = round(min(max(fraction, 0.0), 1.0) * 1000)
    return (index + 1) * per_mille // 1000 > index * per_mille // 1000


def _extension(doc_type: DocType, preset: Preset | None, clean_index: int,
               pdf_forms: bool) -> str:
    if doc_type is not DocType.FORM:
        return "jpg"
    if preset is None:
        return "pdf" if pdf_forms and clean_index % 2 == 0 else "png"
    return "pdf" if pdf_forms and preset is Preset.SCAN else "jpg"


def generate_set(out_dir: Path | str, count: int, seed: int,
                 kinds: Iterable[DocType | str] = ALL_KINDS, degraded_fraction: float = 0.5,
                 pdf_forms: bool = False) -> list[Path]:
    """Write ``count`` images (cycling through ``kinds``) with truth JSON; return image paths.

    Within each kind, degraded images are spread evenly at ``degraded_fraction`` and cycle
    through the presets desk, desk_flipped, scan. Clean forms are PNG (alternately PDF with
    ``pdf_forms``, which also writes scanned forms as PDF); everything else is JPEG.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kind_list: Sequence[DocType] = [DocType(k) for k in kinds]
    if not kind_list or any(k not in ALL_KINDS for k in kind_list):
        raise ValueError(f"kinds must be a non-empty subset of {[k.value for k in ALL_KINDS]}")
    seen = dict.fromkeys(kind_list, 0)
    degraded_seen = dict.fromkeys(kind_list, 0)
    clean_seen = dict.fromkeys(kind_list, 0)
    paths: list[Path] = []
    case: Case | None = None
    for i in range(count):
        doc_type = kind_list[i % len(kind_list)]
        case_index = i // len(kind_list)
        if case is None or case.seed != case_seed(seed, case_index):
            case = generate_case(case_seed(seed, case_index))
        rendered = render_document(case, doc_type)
        preset: Preset | None = None
        degraded = None
        if is_degraded(seen[doc_type], degraded_fraction):
            preset = PRESET_CYCLE[degraded_seen[doc_type] % len(PRESET_CYCLE)]
            degraded_seen[doc_type] += 1
            degraded = degrade(rendered.image, doc_type, preset,
                               degradation_rng(case.seed, doc_type))
        extension = _extension(doc_type, preset, clean_seen[doc_type], pdf_forms)
        if preset is None:
            clean_seen[doc_type] += 1
        seen[doc_type] += 1
        stem = f"{i:04d}_{doc_type.value}_{preset.value if preset else 'clean'}"
        paths.append(write_document(out, stem, extension, rendered, degraded, seed=case.seed,
                                    case=case_index))
        logger.debug("wrote %s", paths[-1].name)
    return paths
