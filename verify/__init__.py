"""Validation of application materials (``verify.forms``) and portrait photos (``verify.photo``).

Owns service definitions, field rules, check-digit validators (GB 11643, GB 32100, GB 11714),
cross-material rules, ID-photo profiles, photo checks and the photo auto-fix. It checks
already-extracted fields (``core`` types) and decoded photos; it never calls an OCR engine.
Imports only ``core``. The two public surfaces are the subpackages' ``__all__``: import from
``verify.forms`` and ``verify.photo``.
"""

__all__: list[str] = []
