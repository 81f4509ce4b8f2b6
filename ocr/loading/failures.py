"""The ``InputError`` each rejection raises, in English and Chinese, and how a failed decode is
classified (truncated or corrupt). Messages carry sizes, limits and format names, never content."""

from __future__ import annotations

from core import ErrorCode, ends_early
from ocr.errors import InputError
from ocr.loading.model import SourceFormat


def empty() -> InputError:
    return InputError(ErrorCode.INPUT_EMPTY, "The file is empty.", "文件为空。")


def too_large(size: int, limit: int) -> InputError:
    return InputError(
        ErrorCode.INPUT_TOO_LARGE,
        f"The file is {size} bytes; the limit is {limit} bytes.",
        f"文件大小为 {size} 字节，超过上限 {limit} 字节。",
    )


def unsupported() -> InputError:
    return InputError(
        ErrorCode.INPUT_UNSUPPORTED_TYPE,
        "The file is not a supported type (JPEG, PNG, WebP, TIFF, BMP or PDF).",
        "文件类型不受支持（仅支持 JPEG、PNG、WebP、TIFF、BMP 或 PDF）。",
    )


def mismatch(declared: SourceFormat, actual: SourceFormat) -> InputError:
    return InputError(
        ErrorCode.INPUT_TYPE_MISMATCH,
        f"The file name says {declared.name} but the content is {actual.name}.",
        f"文件扩展名表明是 {declared.name}，但内容是 {actual.name}。",
    )


def not_found() -> InputError:
    return InputError(
        ErrorCode.INPUT_NOT_FOUND,
        "The file does not exist or is not a readable regular file.",
        "文件不存在，或不是可读取的普通文件。",
    )


def too_many_pixels(width: int, height: int, limit: int) -> InputError:
    return InputError(
        ErrorCode.INPUT_TOO_MANY_PIXELS,
        f"The image is {width}x{height} = {width * height} pixels; the limit is {limit}.",
        f"图像为 {width}x{height} = {width * height} 像素，超过上限 {limit} 像素。",
    )


def too_many_pixels_unknown(limit: int) -> InputError:
    return InputError(
        ErrorCode.INPUT_TOO_MANY_PIXELS,
        f"The image is too large to decode; the limit is {limit} pixels.",
        f"图像过大，无法解码；上限为 {limit} 像素。",
    )


def too_small(width: int, height: int, limit: int) -> InputError:
    return InputError(
        ErrorCode.INPUT_TOO_SMALL,
        f"The image is {width}x{height} pixels; each side must be at least {limit} pixels.",
        f"图像为 {width}x{height} 像素，每条边至少需要 {limit} 像素。",
    )


def too_many_pages(limit: int) -> InputError:
    return InputError(
        ErrorCode.INPUT_PDF_TOO_MANY_PAGES,
        f"The document has more than {limit} pages.",
        f"文档页数超过上限 {limit} 页。",
    )


def encrypted() -> InputError:
    return InputError(
        ErrorCode.INPUT_PDF_ENCRYPTED,
        "The PDF is password-protected; upload an unprotected copy.",
        "PDF 文件受密码保护，请上传未加密的版本。",
    )


def corrupt(fmt: SourceFormat) -> InputError:
    return InputError(
        ErrorCode.INPUT_CORRUPT,
        f"The {fmt.name} file is damaged and cannot be read.",
        f"{fmt.name} 文件已损坏，无法读取。",
    )


def truncated(fmt: SourceFormat) -> InputError:
    return InputError(
        ErrorCode.INPUT_TRUNCATED,
        f"The {fmt.name} file is incomplete (cut off before its end).",
        f"{fmt.name} 文件不完整（在结尾之前被截断）。",
    )



def decode_failure(exc: Exception, data: bytes, fmt: SourceFormat) -> InputError:
    """TRUNCATED when the decoder ran out of data (its own words, or a missing end marker),
    CORRUPT for every other complaint about a file whose magic bytes were right."""
    ran_out = isinstance(exc, EOFError) or "truncat" in str(exc).lower()
    return truncated(fmt) if ran_out or ends_early(data, fmt) else corrupt(fmt)
