"""Licence-token speed: ``verify_token`` verifications per second on one core, and sizes.

    python bench/tokens.py [--seconds 1.0] [--rounds 7] [--json]

The process is pinned to one CPU (``os.sched_setaffinity``). Each figure is the median over
``--rounds`` rounds of about ``--seconds`` each. Timed: the full ``verify_token`` (prefix,
base45, zlib, COSE_Sign1, ES256 signature, CWT claims, time checks) of a realistic person's
licence token; the same with 3 keys under the kid (a collision, the right key last); the
decoding alone; the raw ECDSA P-256 verify of cryptography as the floor; ``encode_token``; and
``verify_status_list`` of a 16 KB list with 1,000 random entries revoked. Also prints the
token lengths and QR versions (level M) for the realistic person and company payloads. Prints
the ratio to the issue 4 target (>= 3,000 verifications per second) and writes
``bench/results/tokens.md`` and ``tokens.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report  # noqa: E402

TARGET_PER_SECOND = 3000.0
KID = bytes.fromhex("0102030405060708")
REVOKED = 1000


def per_second(function: Callable[[], object], seconds: float, rounds: int) -> float:
    """The median rate over ``rounds`` rounds of about ``seconds`` each (one warm-up call)."""
    function()
    batch = 1
    while True:  # Size a batch to ~1/20 of a round so the clock is read rarely.
        started = time.perf_counter()
        for _ in range(batch):
            function()
        if time.perf_counter() - started > seconds / 20:
            break
        batch *= 2
    rates = []
    for _ in range(rounds):
        calls = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for _ in range(batch):
                function()
            calls += batch
        rates.append(calls / elapsed)
    return statistics.median(rates)


def licences():
    from signing.token_claims import LicenceClaims, TokenClaims

    issued = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

    def token_claims(**changes) -> TokenClaims:
        values = {
            "identifier": "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
            "holder_name": "欧阳晓明",
            "holder_code": "1****************X",
            "holder_code_type": "111",
            "issuer_name": "吉林省长春市朝阳区市场监督管理局",
            "issued_on": date(2026, 3, 1),
            "valid_from": date(2026, 3, 1),
            "valid_until": date(2031, 2, 28),
            "photo_sha256": hashlib.sha256(b"portrait").digest(),
            "status_index": 98765,
            **changes,
        }
        return TokenClaims("11220000013544541J", issued, LicenceClaims(**values), issued,
                           datetime(2031, 3, 1, tzinfo=UTC))

    person = token_claims()
    company = token_claims(holder_name="长春市朝阳区示例餐饮服务有限公司",
                           holder_code="91220104MA0Y123456", holder_code_type="001",
                           photo_sha256=None)
    return person, company, issued + timedelta(days=30)


def run(seconds: float, rounds: int) -> dict:
    import segno
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from signing.status_list import StatusList, sign_status_list, verify_status_list
    from signing.tokens import decode_token, encode_token, verify_token

    key = ec.generate_private_key(ec.SECP256R1())
    person, company, now = licences()
    token = encode_token(person, key, KID)
    trusted = {KID: [key.public_key()]}
    crowded = {KID: [ec.generate_private_key(ec.SECP256R1()).public_key() for _ in range(2)]
               + [key.public_key()]}
    assert verify_token(token, trusted, now).valid and verify_token(token, crowded, now).valid
    raw_signature = key.sign(b"x" * 300, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()
    revoked = random.Random(4).sample(range(131072), REVOKED)
    status = sign_status_list(StatusList.empty().with_revoked(revoked), key, KID,
                              issuer="11220000013544541J", issued_at=now)
    assert verify_status_list(status, trusted, now).valid

    rates = {
        "verify_token": per_second(lambda: verify_token(token, trusted, now), seconds, rounds),
        "verify_token_3_keys_same_kid": per_second(
            lambda: verify_token(token, crowded, now), seconds, rounds),
        "decode_token_only": per_second(lambda: decode_token(token), seconds, rounds),
        "raw_ecdsa_p256_verify": per_second(
            lambda: public.verify(raw_signature, b"x" * 300, ec.ECDSA(hashes.SHA256())),
            seconds, rounds),
        "encode_token": per_second(lambda: encode_token(person, key, KID), seconds, rounds),
        "verify_status_list_16kb": per_second(
            lambda: verify_status_list(status, trusted, now), seconds / 2, rounds),
    }
    sizes = {}
    for label, claims in (("person with photo", person), ("company, no photo", company)):
        text = encode_token(claims, key, KID)
        qr = segno.make(text, error="m", micro=False, boost_error=False)
        sizes[label] = {"chars": len(text), "qr_version": qr.version, "qr_error": qr.error}
    return {
        "per_second": rates,
        "ratio_to_target": rates["verify_token"] / TARGET_PER_SECOND,
        "target_per_second": TARGET_PER_SECOND,
        "token_sizes": sizes,
        "status_list_bytes": len(status),
        "seconds_per_round": seconds,
        "rounds": rounds,
    }


def markdown(result: dict, meta: str) -> str:
    out = [meta, "", "| operation | per second (1 core) | µs each |", "|---|---:|---:|"]
    for name, rate in result["per_second"].items():
        out.append(f"| {name} | {rate:,.0f} | {1e6 / rate:.0f} |")
    out.append("")
    out.append(f"- verify_token: {result['per_second']['verify_token']:,.0f}/s, "
               f"{result['ratio_to_target']:.2f}× the target of "
               f"{result['target_per_second']:,.0f}/s")
    for label, size in result["token_sizes"].items():
        out.append(f"- token, {label}: {size['chars']} characters, QR version "
                   f"{size['qr_version']}-{size['qr_error']}")
    out.append(f"- signed status list (131,072 entries, {REVOKED:,} random ones revoked): "
               f"{result['status_list_bytes']:,} bytes")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    result = run(args.seconds, args.rounds)
    meta = f"licence tokens, pinned to 1 of {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    table = markdown(result, meta)
    report("tokens", table, result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
