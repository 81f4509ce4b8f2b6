"""The value types of ``ocr.loading``: accepted formats, resource limits and decoded pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from core import FileFormat

if TYPE_CHECKING:
    from core import Settings


# The formats an upload may have (core's, shared with verify.photo); the values are the
# ``Page.source_format`` strings.
SourceFormat = FileFormat


@dataclass(frozen=True, slots=True)
class LoadLimits:
    """Resource limits applied to one upload. ``max_pdf_pages`` also bounds multi-page TIFF."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    min_side: int = 32
    max_pdf_pages: int = 10
    pdf_dpi: int = 200

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "min_side", "max_pdf_pages", "pdf_dpi"):
            if getattr(self, name) < 1:
                raise ValueError(f"LoadLimits.{name} must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> LoadLimits:
        """The limits configured in :class:`core.Settings`."""
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            min_side=settings.min_image_side,
            max_pdf_pages=settings.max_pdf_pages,
            pdf_dpi=settings.pdf_render_dpi,
        )


DEFAULT_LIMITS: Final = LoadLimits()


# eq=False: a generated __eq__/__hash__ would compare and hash the ndarray, which cannot work.
@dataclass(frozen=True, slots=True, eq=False)
class Page:
    """One page: a BGR ``uint8`` image of shape ``(H, W, 3)``, C-contiguous and writable.

    ``index`` counts from 0; ``dpi`` is the file's horizontal resolution when it states one
    (rounded to 0.1), and for PDF the resolution the page was actually rendered at.
    """

    image: np.ndarray
    index: int
    source_format: SourceFormat
    dpi: float | None
