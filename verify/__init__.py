"""Validation of application materials (``verify.forms``) and portrait photos (``verify.photo``).

Owns field rules, check-digit validators, cross-document rules and ID-photo specs. It checks
already-extracted fields (``core`` types); it never calls an OCR engine. Imports only ``core``.
Not built yet: see issue 3.
"""

__all__: list[str] = []
