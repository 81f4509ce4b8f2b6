"""Electronic licences: metadata and identifiers (GB/T 36903/36904), PDF rendering, issuing and
the combined verification verdict. Builds on ``signing`` and ``core``; imported only by ``api``.

Not built yet: see issue 4.
"""

__all__: list[str] = []
