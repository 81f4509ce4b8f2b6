"""Cryptography for e-licences: the PKI (root, issuing CA, timestamp authority), PAdES signing
and validation, compact signed QR tokens, the trust list and the revocation status list.

Imports only ``core``. Not built yet: see issue 4.
"""

__all__: list[str] = []
