"""The landing page, ``GET /``: what the office's site offers its three kinds of visitors —
applicants (办事, ``/apply``), verifiers (核验, ``/verify``) and clerks (审核, ``/clerk/queue``) —
as links, in the page language of :mod:`api.web_session`. No sign-in needed; it reads nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.web_session import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request) -> HTMLResponse:
    """The landing page with a link for each role."""
    return render(request, "home.html", {})
