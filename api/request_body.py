"""Reading a request body within a byte limit, for the routes that take uploads: a raw body
(``read_body``) and the multipart field ``file`` (``read_form_file``), each refused with 413
``input.too_large`` by its declared ``Content-Length`` before reading and by counting while
reading, so an oversized upload is never held whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Request
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.errors_http import ApiError
from core import ErrorCode

__all__ = ["read_body", "read_form_file", "read_uploaded_pdf", "too_large"]

# Multipart framing (boundaries, part headers) on top of the file itself.
_MULTIPART_SLACK = 16 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(ErrorCode.INPUT_TOO_LARGE, f"the upload is larger than {limit} bytes",
                    f"上传内容超过 {limit} 字节")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes — by its declared
    ``Content-Length`` before reading, and by counting while reading when it is chunked."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


async def read_form_file(request: Request, limit: int, *,
                         check_name: Callable[[str | None], None] | None = None) -> bytes:
    """The bytes of the multipart field ``file`` (413 over ``limit``, 422 without the field or
    for a broken body). The body is counted while it is read, so an oversized upload is refused
    early; ``check_name`` may refuse the client's file name (it is never used as a path).
    The body goes to the parser chunk by chunk (which spools the file to disk past 1 MB), not
    held whole as well: a 20 MB upload once took 80 MB of copies."""
    ceiling = limit + _MULTIPART_SLACK
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > ceiling:
        raise too_large(ceiling)

    async def stream() -> AsyncIterator[bytes]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > ceiling:
                raise too_large(ceiling)
            yield chunk
        yield b""

    parser = MultiPartParser(Headers(scope=request.scope), stream(), max_files=1, max_fields=4)
    try:
        form = await parser.parse()
    except MultiPartException:
        raise ApiError(ErrorCode.VALIDATION_FAILED, "the multipart body is not valid",
                       "multipart 请求体无效") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(ErrorCode.VALIDATION_FAILED, "send the file in the form field 'file'",
                           "请在表单字段 file 中上传文件")
        if check_name is not None:
            check_name(upload.filename)
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large(limit)
    return data


async def read_uploaded_pdf(request: Request, limit: int) -> bytes:
    """The bytes of the multipart field ``file`` (at most ``limit`` bytes)."""
    return await read_form_file(request, limit)
