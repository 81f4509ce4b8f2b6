"""SM2 sign and verify rates beside ECDSA P-256, in the same run, on one core.

    python bench/sm2.py [--seconds 1.0] [--rounds 5] [--json]

The process is pinned to one CPU (``os.sched_setaffinity``). Each figure is the median over
``--rounds`` rounds of about ``--seconds`` each, of one call on a 256-byte message:
``signing.sm2.sm2_sign`` / ``sm2_verify`` (SM3withSM2 with the Z value of the default ID, DER,
GmSSL 3 through gmssl-pyx) and cryptography's ECDSA P-256 with SHA-256 (the PAdES and token
signatures); and, for SM2, the parts: the Z value and e = SM3(Z || M) alone, verification of a
precomputed e, loading an encrypted key file (PBKDF2 + the Python d·G check) and checking one
certificate signature. Writes ``bench/results/sm2.md`` and ``sm2.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report  # noqa: E402
from bench.tokens import per_second  # noqa: E402
from signing.sm2 import (  # noqa: E402
    Sm2PrivateKey,
    sm2_digest,
    sm2_sign,
    sm2_verify,
    sm2_verify_digest,
)
from signing.sm2_keyfile import decrypt_sm2_key, encrypt_sm2_key  # noqa: E402
from signing.sm2_x509 import build_sm2_certificate, verify_sm2_cert_signature  # noqa: E402

MESSAGE = bytes(range(256))


def run(seconds: float, rounds: int) -> dict[str, float]:
    sm2_key = Sm2PrivateKey.generate()
    sm2_pub = sm2_key.public_key()
    sm2_sig = sm2_sign(sm2_key, MESSAGE)
    digest = sm2_digest(sm2_pub, MESSAGE)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pub = ec_key.public_key()
    ecdsa = ec.ECDSA(hashes.SHA256())
    ec_sig = ec_key.sign(MESSAGE, ecdsa)
    assert sm2_verify(sm2_pub, MESSAGE, sm2_sig)
    ec_pub.verify(ec_sig, MESSAGE, ecdsa)
    passphrase = SecretStr("benchmark passphrase")
    key_file = encrypt_sm2_key(sm2_key, passphrase)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    certificate = build_sm2_certificate(
        subject=asn1_x509.Name.build({"common_name": "bench"}), public_key=sm2_pub,
        issuer_key=sm2_key, issuer=None, serial_number=1, not_before=now,
        not_after=now + timedelta(days=1), ca=True, key_usage={"key_cert_sign"})

    def rate(function: Callable[[], object]) -> float:
        return per_second(function, seconds, rounds)

    return {
        "sm2_sign": rate(lambda: sm2_sign(sm2_key, MESSAGE)),
        "sm2_verify": rate(lambda: sm2_verify(sm2_pub, MESSAGE, sm2_sig)),
        "ecdsa_p256_sign": rate(lambda: ec_key.sign(MESSAGE, ecdsa)),
        "ecdsa_p256_verify": rate(lambda: ec_pub.verify(ec_sig, MESSAGE, ecdsa)),
        "sm2_z_and_digest": rate(lambda: sm2_digest(sm2_pub, MESSAGE)),
        "sm2_verify_digest": rate(lambda: sm2_verify_digest(sm2_pub, digest, sm2_sig)),
        "sm2_key_file_load": rate(lambda: decrypt_sm2_key(key_file, passphrase, "bench")),
        "sm2_cert_signature": rate(lambda: verify_sm2_cert_signature(certificate,
                                                                     certificate)),
    }


def markdown(result: dict[str, float], meta: str) -> str:
    rows = [
        ("sign", result["sm2_sign"], result["ecdsa_p256_sign"]),
        ("verify", result["sm2_verify"], result["ecdsa_p256_verify"]),
    ]
    lines = [f"SM2 vs ECDSA P-256 ({meta})", "",
             "| operation | SM2 (gmssl-pyx) /s | ECDSA P-256 (cryptography) /s | SM2 / ECDSA |",
             "|---|---:|---:|---:|"]
    lines += [f"| {name} | {sm2:,.0f} | {p256:,.0f} | {sm2 / p256:.2f} |"
              for name, sm2, p256 in rows]
    lines += ["", "| SM2 part | per second | µs each |", "|---|---:|---:|"]
    for key in ("sm2_z_and_digest", "sm2_verify_digest", "sm2_key_file_load",
                "sm2_cert_signature"):
        lines.append(f"| {key} | {result[key]:,.0f} | {1e6 / result[key]:,.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    result = run(args.seconds, args.rounds)
    meta = f"pinned to 1 of {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    report("sm2", markdown(result, meta), {"per_second": result, "meta": meta},
           as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
