"""Reading an uploaded material safely: the multipart field ``file``, at most
``max_upload_bytes``, its type decided by its magic bytes (``core.sniff_format``) and never by
the client's file name or ``Content-Type``, a truncated image refused, an image whose header
declares more than ``max_image_pixels`` refused (a decompression bomb), a photo accepted only as
an image. The client's file name is never used as a path (the bytes are stored under their
SHA-256), so a name like ``../../etc/passwd`` could do no harm; it is refused anyway (422) as a
sign of a tampering client, and otherwise ignored."""

from __future__ import annotations

import io
from dataclasses import dataclass

from fastapi import Request
from PIL import Image

from api.errors_http import ApiError
from api.request_body import read_form_file
from core import ErrorCode, FileFormat, ends_early, sniff_format, webp_canvas_size

__all__ = ["CONTENT_TYPES", "IMAGE_FORMATS", "SniffedUpload", "read_material_upload",
           "sniff_upload"]

# Multipart framing (boundaries, part headers) on top of the file itself.

CONTENT_TYPES: dict[FileFormat, str] = {
    FileFormat.PDF: "application/pdf",
    FileFormat.PNG: "image/png",
    FileFormat.JPEG: "image/jpeg",
    FileFormat.WEBP: "image/webp",
    FileFormat.TIFF: "image/tiff",
    FileFormat.BMP: "image/bmp",
}
IMAGE_FORMATS = frozenset(CONTENT_TYPES) - {FileFormat.PDF}


@dataclass(frozen=True, slots=True)
class SniffedUpload:
    """An accepted upload: its bytes and the type its content proved."""

    data: bytes
    format: FileFormat

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def sniff_upload(data: bytes, *, image_only: bool = False,
                 max_pixels: int | None = None) -> SniffedUpload:
    """Accept ``data`` as a material, or raise a 4xx :class:`ApiError` with a stable code.
    With ``max_pixels``, an image whose header declares more pixels is refused (a
    decompression bomb is a few hundred KB that decodes to gigabytes)."""
    if not data:
        raise ApiError(ErrorCode.INPUT_EMPTY, "the uploaded file is empty", "上传的文件为空")
    fmt = sniff_format(data)
    if fmt is None or (image_only and fmt not in IMAGE_FORMATS):
        wanted_en = "a JPEG, PNG, WebP, TIFF or BMP image" + ("" if image_only else " or a PDF")
        wanted_zh = "JPEG、PNG、WebP、TIFF 或 BMP 图片" + ("" if image_only else "或 PDF")
        raise ApiError(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                       f"the file's content is not {wanted_en}", f"文件内容不是{wanted_zh}")
    if ends_early(data, fmt):
        raise ApiError(ErrorCode.INPUT_TRUNCATED, f"the {fmt.value} file is cut short",
                       f"{fmt.value} 文件不完整（被截断）")
    if max_pixels is not None and fmt in IMAGE_FORMATS:
        _check_pixels(data, fmt, max_pixels)
    return SniffedUpload(data, fmt)


def _too_many_pixels(max_pixels: int) -> ApiError:
    return ApiError(ErrorCode.INPUT_TOO_MANY_PIXELS,
                    f"the image has more than {max_pixels} pixels",
                    f"图像像素超过上限 {max_pixels}")


def _check_pixels(data: bytes, fmt: FileFormat, max_pixels: int) -> None:
    """Refuse an image whose declared size exceeds ``max_pixels``, reading its header only. An
    image whose header cannot be read is left to processing, which reports it."""
    if fmt is FileFormat.WEBP:
        # libwebp allocates the whole canvas when Pillow merely opens the file.
        size = webp_canvas_size(data)
    else:
        try:
            with Image.open(io.BytesIO(data), formats=[fmt.value.upper()]) as image:
                size = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own, higher limit (the warning only when warnings are errors).
            raise _too_many_pixels(max_pixels) from None
        except Exception:  # Whatever Pillow says about hostile bytes, processing will say too.
            size = None
    if size is not None and size[0] * size[1] > max_pixels:
        raise _too_many_pixels(max_pixels)


def _check_file_name(name: str | None) -> None:
    if name is None:
        return
    if (len(name) > 255 or "/" in name or "\\" in name or ".." in name
            or any(ord(c) < 32 for c in name)):
        raise ApiError(ErrorCode.VALIDATION_FAILED,
                       "the file name is not acceptable (no paths or control characters)",
                       "文件名不可接受（不得包含路径或控制字符）")


async def read_material_upload(request: Request, limit: int) -> bytes:
    """The bytes of the multipart field ``file`` (413 over ``limit``, 415 when the body is not
    multipart, 422 without the field or for a path-like file name)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise ApiError(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                       "send the file as multipart/form-data in the field 'file'",
                       "请以 multipart/form-data 在字段 file 中上传文件")
    return await read_form_file(request, limit, check_name=_check_file_name)
