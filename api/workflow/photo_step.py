"""The photo step as the pages show it: from a material's stored photo check, the failed checks
(with their messages) and whether an auto-fixed photo is on offer."""

from __future__ import annotations

from typing import Any

__all__ = ["BACKGROUND_CHECK_IDS", "photo_offer"]

# The photo checks about the background: when one failed, the fix offer says so first.
BACKGROUND_CHECK_IDS = ("background_color", "background_uniform")


def photo_offer(photo_check: dict[str, Any] | None) -> dict[str, Any]:
    """The failed photo checks (with their messages) and whether a fixed photo is on offer."""
    if not photo_check:
        return {"failed": [], "error": None, "fixed": False, "background": False}
    result = photo_check.get("result") or {}
    failed = [c for c in result.get("checks") or [] if c.get("status") == "fail"]
    error = result.get("error") if isinstance(result.get("error"), dict) else None
    return {"failed": failed, "error": error, "fixed": bool(photo_check.get("fixed_sha256")),
            "background": any(c.get("check") in BACKGROUND_CHECK_IDS for c in failed)}
