"""Reading an uploaded material from the request: the multipart field ``file``, at most
``max_upload_bytes``. Its content is judged by the use case
(:func:`api.workflow.materials.sniff_upload`), never by the client's file name or
``Content-Type``. The client's file name is never used as a path (the bytes are stored under their
SHA-256), so a name like ``../../etc/passwd`` could do no harm; it is refused anyway (422) as a
sign of a tampering client, and otherwise ignored."""

from __future__ import annotations

from fastapi import Request

from api.errors_http import ApiError
from api.request_body import read_form_file
from core import ErrorCode

__all__ = ["read_material_upload"]


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
