"""The one place that knows HTTP for errors: every :class:`core.ZhengzhaoError` becomes an
RFC 9457 ``application/problem+json`` body with its stable ``code``, an English ``detail`` and a
Chinese ``detail_zh``; request-validation errors become 422 ``api.validation_failed``; anything
unexpected becomes a bare 500 problem (logged by type only, never a traceback in the body)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from core import ErrorCode, ZhengzhaoError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:zhengzhao:error:"

_STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.TRUST_NOT_FOUND: 404,
    ErrorCode.CRL_NOT_FOUND: 404,
    ErrorCode.TRUST_INVALID: 422,
    ErrorCode.TRUST_OWN_ISSUER: 409,
    ErrorCode.TRUST_ROLLBACK: 409,
    ErrorCode.TRUST_CONFLICT: 409,
    ErrorCode.SERVICE_NOT_FOUND: 404,
    ErrorCode.LICENCE_NOT_FOUND: 404,
    ErrorCode.PHOTO_PROFILE_NOT_FOUND: 404,
    ErrorCode.INPUT_NOT_FOUND: 404,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.LOGIN_THROTTLED: 429,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.HOST_NOT_ALLOWED: 400,
    ErrorCode.JOBS_QUOTA_EXCEEDED: 429,
    ErrorCode.HOLDER_ID_INVALID: 422,
    ErrorCode.INPUT_TOO_LARGE: 413,
    ErrorCode.INPUT_TOO_MANY_PIXELS: 413,
    ErrorCode.INPUT_PDF_TOO_MANY_PAGES: 413,
    ErrorCode.INPUT_UNSUPPORTED_TYPE: 415,
    ErrorCode.INPUT_TYPE_MISMATCH: 415,
    ErrorCode.INPUT_EMPTY: 422,
    ErrorCode.INPUT_TRUNCATED: 422,
    ErrorCode.INPUT_CORRUPT: 422,
    ErrorCode.INPUT_TOO_SMALL: 422,
    ErrorCode.INPUT_PDF_ENCRYPTED: 422,
    ErrorCode.VALIDATION_FAILED: 422,
    ErrorCode.MATERIAL_INVALID: 422,
    ErrorCode.TOKEN_MALFORMED: 422,
    ErrorCode.LICENCE_RECORD_INVALID: 422,
    ErrorCode.LICENCE_ISSUER_NOT_OURS: 422,
    # An uploaded OFD package that is refused is the client's input: never a 500 (issue 15).
    ErrorCode.OFD_NOT_ZIP: 422,
    ErrorCode.OFD_CORRUPT: 422,
    ErrorCode.OFD_TOO_LARGE: 413,
    ErrorCode.OFD_ZIP_BOMB: 413,
    ErrorCode.OFD_ENCRYPTED: 422,
    ErrorCode.OFD_PATH_NAME: 422,
    ErrorCode.OFD_DUPLICATE_ENTRY: 422,
    ErrorCode.OFD_MISSING_ENTRY: 422,
    ErrorCode.OFD_XML_TOO_LARGE: 413,
    ErrorCode.OFD_XML_FORBIDDEN: 422,
    ErrorCode.OFD_XML_INVALID: 422,
    ErrorCode.OFD_SEAL_MALFORMED: 422,
    ErrorCode.PHOTO_FIX_IMPOSSIBLE: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.LICENCE_EXISTS: 409,
    ErrorCode.KEYS_EXIST: 409,
    ErrorCode.ENGINE_UNAVAILABLE: 503,
    ErrorCode.ENGINE_MODEL_MISSING: 503,
    ErrorCode.PHOTO_MODEL_UNAVAILABLE: 503,
    ErrorCode.KEYS_MISSING: 503,
}
# HTTP errors raised by the framework itself (unknown route, wrong method) get the closest code.
_CODE_FOR_STATUS: dict[int, ErrorCode] = {
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.INPUT_TOO_LARGE,
    415: ErrorCode.INPUT_UNSUPPORTED_TYPE,
    429: ErrorCode.RATE_LIMITED,
}
_TITLES: dict[int, str] = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(BaseModel):
    """The RFC 9457 body every error response carries (documented in the OpenAPI schema)."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    detail_zh: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": title}
    for status, title in _TITLES.items() if status in (413, 415, 422, 429)
}
# The errors every authenticated route may answer, documented as problem+json in OpenAPI.
ROUTE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    **{status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": title}
       for status, title in ((401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"),
                             (409, "Conflict"), (503, "Service Unavailable"))},
}


class ApiError(ZhengzhaoError):
    """An error raised by the service layer itself (bad request shape, auth, rate limits)."""

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message_en, message_zh)
        self.headers = headers or {}


def status_for(code: ErrorCode) -> int:
    """The HTTP status an error code maps to (500 for server-side faults)."""
    return _STATUS.get(code, 500)


def problem_response(status: int, code: str, detail: str, detail_zh: str, *,
                     instance: str | None = None, headers: dict[str, str] | None = None,
                     errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body = Problem(type=PROBLEM_TYPE_PREFIX + code, title=_TITLES.get(status, "Error"),
                   status=status, code=code, detail=detail, detail_zh=detail_zh,
                   instance=instance, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


async def _zhengzhao_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ZhengzhaoError)
    status = status_for(exc.code)
    if status >= 500:
        log.error("request failed with %s", exc.code.value)
    headers = dict(getattr(exc, "headers", {}) or {})
    # A use case's error says when to try again (api.workflow.errors.QuotaExceededError).
    if (retry_after := getattr(exc, "retry_after_seconds", None)) is not None:
        headers.setdefault("Retry-After", str(retry_after))
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(status, exc.code.value, exc.message_en, exc.message_zh,
                            instance=request.url.path, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what kind: the rejected input itself may be personal data.
    errors = [{"loc": [str(part) for part in err.get("loc", ())], "type": err.get("type", ""),
               "msg": err.get("msg", "")} for err in exc.errors()]
    return problem_response(422, ErrorCode.VALIDATION_FAILED.value,
                            "the request is not valid", "请求参数无效",
                            instance=request.url.path, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 405:  # Starlette names only the first matching route's methods
        headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    code = _CODE_FOR_STATUS.get(status, ErrorCode.VALIDATION_FAILED)
    if status == 404:
        en, zh = "no such resource", "资源不存在"
    elif status == 405:
        en, zh = "method not allowed for this resource", "该资源不支持此请求方法"
    else:
        en, zh = str(exc.detail), str(exc.detail)
    return problem_response(status, code.value, en, zh, instance=request.url.path,
                            headers=headers)


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route accepts at this path (for the 405 ``Allow`` header)."""
    from starlette.routing import Match  # noqa: PLC0415

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return methods


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled %s on %s", type(exc).__name__, request.url.path)
    return problem_response(500, "api.internal", "internal error", "服务器内部错误",
                            instance=request.url.path)


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI schema say what the handlers do: every error response of every operation
    is ``application/problem+json`` with the :class:`Problem` schema, plus a ``default`` one."""
    from fastapi.openapi.utils import get_openapi  # noqa: PLC0415

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}")
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if status[0] in "45":
                        response["content"] = problem
                responses["default"] = {"description": "an error (RFC 9457 problem)",
                                        "content": problem}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` and document them (called by ``create_app``)."""
    document_problems(app)
    app.add_exception_handler(ZhengzhaoError, _zhengzhao_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
