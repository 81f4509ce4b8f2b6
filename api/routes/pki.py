"""The CRL distribution points: ``GET /pki/{name}.crl`` answers each CA's current CRL as DER
(``application/pkix-crl``, RFC 2585 section 3 / RFC 5280 section 4.2.1.13), for exactly the
names this office's certificates carry (``api.workflow.crl_points``). A third-party verifier
following a certificate's distribution point (pdfsig, Adobe, pyHanko with fetchers, an SM2
verifier) gets what the published folder holds, never a CRL signed for the request. Public, no
account, rate-limited per client like the other trust downloads; any other path under ``/pki/``
is 404 ``crl.not_found``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam

from api.deps import TrustDep
from api.errors_http import PROBLEM_RESPONSES, ApiError, Problem
from api.ratelimit import rate_limited
from api.workflow.crl_points import PublishedCrl, crl_names, published_crl
from core import ErrorCode
from signing import CRL_PATH

router = APIRouter()

CRL_MEDIA_TYPE = "application/pkix-crl"
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {CRL_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
          "description": "the CA's current CRL (DER)"},
    304: {"description": "Not Modified (If-None-Match / If-Modified-Since)"},
    404: {"model": Problem, "description": "no such CRL (crl.not_found)"},
    429: PROBLEM_RESPONSES[429],
}
CaName = Annotated[str, PathParam(
    description="the CA: its CRL distribution point's file name without .crl",
    examples=[name.removesuffix(".crl") for name in crl_names()])]


@router.get(f"{CRL_PATH}/{{name}}.crl", tags=["public"], response_class=Response,
            summary="A CA's current CRL (DER)", dependencies=[Depends(rate_limited)],
            responses=_RESPONSES)
async def crl(request: Request, trust: TrustDep, name: CaName) -> Response:
    """The current CRL of one of this office's CAs, as its certificates' CRL distribution
    points name it (``root-ca``, ``issuing-ca``, ``sm2-root-ca``, ``sm2-issuing-ca``)."""
    found = published_crl(trust, f"{name}.crl")
    if found is None:
        raise _not_found()
    return _answer(request, found)


# HEAD answers the same headers without the body (FastAPI does not add HEAD to a GET route).
router.add_api_route(f"{CRL_PATH}/{{name}}.crl", crl, methods=["HEAD"], include_in_schema=False,
                     dependencies=[Depends(rate_limited)])


@router.api_route(f"{CRL_PATH}/{{rest:path}}", methods=["GET", "HEAD"], include_in_schema=False,
                  dependencies=[Depends(rate_limited)])
async def not_a_crl(rest: str) -> Response:
    """Anything else under ``/pki/`` (another file name, an encoded ``/`` or ``..``): the same
    404 as an unknown CA, never a file from elsewhere."""
    del rest
    raise _not_found()


def _not_found() -> ApiError:
    names = ", ".join(crl_names())
    return ApiError(ErrorCode.CRL_NOT_FOUND,
                    f"no such CRL: this office publishes {names} under {CRL_PATH}/",
                    f"没有该证书吊销列表：本机构在 {CRL_PATH}/ 下发布 {names}")


def _answer(request: Request, found: PublishedCrl) -> Response:
    now = datetime.now(UTC)
    headers = {
        "Cache-Control": f"public, max-age={found.max_age(now)}",
        "ETag": found.etag,
        "Last-Modified": format_datetime(found.this_update, usegmt=True),
    }
    if _not_modified(request, found):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(media_type=CRL_MEDIA_TYPE,
                        headers={**headers, "Content-Length": str(len(found.der))})
    return Response(found.der, media_type=CRL_MEDIA_TYPE, headers=headers)


def _not_modified(request: Request, found: PublishedCrl) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        listed = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in listed or found.etag in listed
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        return False
    return found.this_update.replace(microsecond=0) <= moment
