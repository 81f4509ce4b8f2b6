"""Signing in through the web form as a browser does: fetch a page for its CSRF token (the
``zz_csrf`` cookie lands in the client's jar), then post with it (``api.csrf``)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_token_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the forms on ``path`` for this client's cookies."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str) -> Response:
    """Post the sign-in form with its token; afterwards every form post of ``client`` carries
    the (renewed) token in the ``X-CSRF-Token`` header, as a page's script could."""
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token_of(client)},
                           follow_redirects=False)
    client.headers["X-CSRF-Token"] = csrf_token_of(client)
    return response
