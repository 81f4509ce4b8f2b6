"""What a licence's QR code holds: a verification link with the signed token in its fragment,
``<ZZ_PUBLIC_URL>/v#<token, percent-encoded>`` — or the bare ``ZZ1:`` token when the office has
no public address — and the reverse, the token inside any text a scanner may hand a verifier
(issue 13, item 3; the format is in ``docs/tokens.md``, section 10).

The token sits in the URL *fragment* so that a phone camera opens the verification page
directly while the browser never sends the token to the server: the page (``/v``) reads it
with a script, which can check it in the page itself (issue 14) or, for now, post it to the
office. Base45 text holds a space and ``%``, which a URL cannot carry as they are (a browser
would write the space as ``%20`` and could not tell it from a ``%20`` of the token), so those
two are percent-encoded; every other base45 character is legal in a fragment. The encoded
token is still all QR alphanumeric characters: only the address costs byte mode.

Imports only the standard library and ``signing``'s token prefix.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote

from signing import TOKEN_PREFIX

__all__ = ["MAX_QR_TEXT_CHARS", "VERIFY_PATH", "token_from_qr_text", "verify_link"]

# The page a QR link opens (``api.routes.pages``); the token follows it after ``#``.
VERIFY_PATH: Final = "/v"
# The most characters any QR code holds (version 40, numeric mode): longer text is no scan.
MAX_QR_TEXT_CHARS: Final = 7089
# Base45 characters written as they are in the fragment (space and "%" are percent-encoded).
_FRAGMENT_SAFE: Final = "$*+-./:"
# An absolute http(s) address or a bare path, ending in the verification path.
_LINK_BASE = re.compile(r"^(?:https?://[^/\s?#@]+)?(?:/[^\s?#]*)?/v$", re.IGNORECASE)
_PATH_FORM = re.compile(r"^(?:https?://[^/\s?#@]+)?(?:/[^\s?#]*)?/v/(?P<token>[^?#]+)$",
                        re.IGNORECASE)


def verify_link(token: str, public_url: str | None) -> str:
    """What the QR code of ``token`` holds: ``<public_url>/v#<token>`` (space and ``%``
    percent-encoded), or ``token`` itself when ``public_url`` is unset (a relative link is
    nothing a phone can open, and a guessed host would be printed into a signed licence)."""
    if not public_url:
        return token
    return public_url.rstrip("/") + VERIFY_PATH + "#" + quote(token, safe=_FRAGMENT_SAFE)


def token_from_qr_text(text: str) -> str:
    """The ``ZZ1:`` token in what a QR code or a verifier's input holds: the bare token, a
    verification link ``…/v#<token>`` (anything up to and including ``#`` stripped, the rest
    percent-decoded) or the older page address ``…/v/<token>``. Any other text comes back
    stripped but otherwise unchanged, so that the token check reports it as malformed."""
    text = text.strip()
    if text.startswith(TOKEN_PREFIX) or len(text) > MAX_QR_TEXT_CHARS:
        return text
    base, hash_sign, fragment = text.partition("#")
    if hash_sign and _LINK_BASE.match(base):
        return unquote(fragment).strip()
    match = _PATH_FORM.match(text)
    if match:
        return unquote(match["token"]).strip()
    return text
