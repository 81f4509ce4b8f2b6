"""Which trusted issuer signed a licence, picked by the key id of its token: the one decision
every verification path takes before it verifies (the public API, ``/v/``, ``/verify``, the
materials an applicant hands in, ``zhengzhao verify``).

This office's own keys come first. Among the other issuers (imported with
:class:`elicense.TrustStore`), a key id that more than one lists picks none of them: two issuers
claiming one key are trusted with it by neither. The verdict then binds the licence to the
issuer picked (:func:`elicense.check_issuer_binding`): its keys verified the token, so the
licence must name it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from elicense.publish import TrustMaterial

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrustSource:
    """One issuer a verifier trusts: its code and name and its published material."""

    code: str
    name: str
    material: TrustMaterial


class TrustedIssuers:
    """The issuers a verifier trusts, by the key ids of their signing keys (see the module
    doc): ``own`` (this office, when it has published its folder) first, then ``others``."""

    def __init__(self, others: Iterable[TrustSource] = (), *,
                 own: TrustSource | None = None) -> None:
        self.own = own
        by_kid: dict[bytes, TrustSource | None] = {}
        for source in others:
            for kid in source.material.trusted_keys:
                if kid in by_kid:  # two issuers claiming one key: trust neither with it
                    log.warning("key id listed by more than one imported issuer (%s)",
                                source.code)
                    by_kid[kid] = None
                else:
                    by_kid[kid] = source
        self._others = {kid: source for kid, source in by_kid.items() if source is not None}

    def for_kid(self, kid: bytes | None) -> TrustSource | None:
        """The issuer whose signing keys include ``kid``, or ``None`` (no such issuer, an
        ambiguous key id, or no key id at all)."""
        if not kid:
            return None
        if self.own is not None and kid in self.own.material.trusted_keys:
            return self.own
        return self._others.get(kid)
