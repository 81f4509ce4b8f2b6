"""The conformance vectors (``token_vectors.py``) against the Python verifier: each token,
checked as the service checks a scanned code (this office's keys, then the imported issuer
that lists the key id), gives the vector's expected indication and sub-indication. The browser
test ``tests/e2e/test_pages_offline.py`` runs the same vectors in the offline page."""

from __future__ import annotations

import pytest
from token_vectors import Vector, build_vectors

from elicense import LicenceVerdict, TrustedIssuers, TrustSource, verify_licence_token

VECTORS = build_vectors()


def python_verdict(vector: Vector) -> LicenceVerdict:
    """The service's decision: own keys first, an imported issuer when they lack the kid."""
    verdict = verify_licence_token(vector.token, vector.own, now=vector.now)
    token = verdict.token
    if token is not None and token.code == "token.unknown_kid":
        others = TrustedIssuers(TrustSource(m.issuer.code if m.issuer else "?", "", m)
                                for m in vector.imported)
        source = others.for_kid(token.kid)
        if source is not None:
            verdict = verify_licence_token(vector.token, source.material, now=vector.now)
    return verdict


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_python_verifier_gives_the_expected_verdict(vector: Vector) -> None:
    verdict = python_verdict(vector)
    assert (verdict.indication.value, verdict.sub_indication) == (
        vector.expected, vector.sub_indication)


def test_vectors_are_deterministic() -> None:
    assert [v.token for v in build_vectors()] == [v.token for v in VECTORS]
    assert [v.trust_json() for v in build_vectors()] == [v.trust_json() for v in VECTORS]


def test_the_page_trust_lists_the_python_keys() -> None:
    genuine = VECTORS[0]
    trust = genuine.trust_json()
    own, imported = trust["issuers"]
    assert own["own"] and not imported["own"]
    assert len(own["keys"]) == sum(len(c) for c in genuine.own.trusted_keys.values())
    assert own["code"] == genuine.own.issuer.code  # type: ignore[union-attr]
    assert own["status_list"] is not None
