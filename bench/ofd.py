"""OFD licences (issue 15): median ms to issue a licence as OFD (render + GB/T 38540 seal) and to
verify it, beside the PDF's figures and SM2 against ECDSA P-256, all in the same run.

    python bench/ofd.py [--repeat 30] [--json]

Input: the sample residence permit with its holder photo (``samples/licences``), issued by a
key store made in a temporary directory (``initialise`` makes both PKIs, ECDSA and SM2).

* ``ofd_with_pdf``: the OFD of a licence just issued as PDF (what the service does when a
  service's ``licence.formats`` holds both): the QR code, the same for both, is encoded once.
* ``ofd_alone``: the same with the QR code encoded afresh (its cache emptied first).
* ``pdf_issue``: ``issue_licence`` (render + PAdES B-LTA), for comparison.
* ``validate_ofd``: the seal and signature (``signing.validate_ofd``) against the SM2 root;
  ``verify_licence_ofd``: that plus licence data, token, issuer, status list and period.
* ``sm2_sign`` / ``sm2_verify`` / ``ecdsa_sign`` / ``ecdsa_verify``: one 64-byte message.

Targets: issue an OFD in <= 60 ms and verify it in <= 30 ms on 2 cores. Writes
``bench/results/ofd.md`` and ``ofd.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bench.common import report  # noqa: E402
from bench.signing import MemoryRegistry, timed  # noqa: E402
from core import Settings  # noqa: E402
from signing import IssuerIdentity, KeyStore, Sm2Role  # noqa: E402

TARGET_ISSUE_MS = 60.0
TARGET_VERIFY_MS = 30.0
RECORD = ROOT / "samples" / "licences" / "residence_permit.json"
PHOTO = ROOT / "samples" / "licences" / "holder_photo.jpg"


def crypto_rates(repeat: int) -> dict[str, dict[str, float]]:
    """SM2 (gmssl-pyx) and ECDSA P-256 (cryptography) sign and verify, one message."""
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    from signing import Sm2PrivateKey, sm2_sign, sm2_verify  # noqa: PLC0415

    message = b"x" * 64
    sm2_key = Sm2PrivateKey.generate()
    sm2_public = sm2_key.public_key()
    sm2_signature = sm2_sign(sm2_key, message)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())
    ec_signature = ec_key.sign(message, algorithm)

    def batch(action: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(20):
                action()
        return run

    rows = {
        "sm2_sign": batch(lambda: sm2_sign(sm2_key, message)),
        "sm2_verify": batch(lambda: sm2_verify(sm2_public, message, sm2_signature)),
        "ecdsa_sign": batch(lambda: ec_key.sign(message, algorithm)),
        "ecdsa_verify": batch(lambda: ec_public.verify(ec_signature, message, algorithm)),
    }
    out = {}
    for name, action in rows.items():
        figures = timed(action, repeat)
        out[name] = {"median_ms": figures["median_ms"] / 20,
                     "per_second": 20_000 / figures["median_ms"]}
    return out


def run(repeat: int) -> dict:
    import elicense  # noqa: PLC0415
    from elicense import (  # noqa: PLC0415
        issue_licence,
        licence_ofd,
        load_licence,
        load_templates,
        load_trust,
        publish,
        seal_licence_ofd,
    )
    from elicense.render_qr import make_qr  # noqa: PLC0415
    from elicense.seal import Seal  # noqa: PLC0415
    from signing import validate_ofd  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp) / "keys", SecretStr("benchmark passphrase, not a secret"))
        store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)))
        if not store.has_sm2():  # stores made before SM2 get it added
            store.initialise_sm2()
        licence = load_licence(RECORD)
        template = load_templates().get(licence.type_code)
        photo = PHOTO.read_bytes()
        registry = MemoryRegistry()
        code = Settings(_env_file=None).issuer_code
        seal = Seal(licence.issuer)

        def pdf_issue():  # noqa: ANN202
            return issue_licence(licence, template, photo=photo, store=store,
                                 registry=registry, issuer_code=code)

        issued = pdf_issue()

        def ofd_issue() -> bytes:
            ofd, placement = licence_ofd(issued, template, photo=photo, draw_seal=False)
            return seal_licence_ofd(ofd, placement, seal, store, datetime.now(UTC))

        def ofd_alone() -> bytes:
            make_qr.cache_clear()
            return ofd_issue()

        ofd = ofd_issue()
        trust = load_trust(publish(store, registry, Path(tmp) / "published", code,
                                   datetime.now(UTC)))
        root, ca = store.sm2_certificate(Sm2Role.ROOT), store.sm2_certificate(Sm2Role.CA)
        if not validate_ofd(ofd, trust_roots_sm2=[root], now=datetime.now(UTC),
                            intermediates=[ca]).passed:
            raise SystemExit("the benchmark OFD does not validate")
        out = {
            "pdf_issue": timed(pdf_issue, repeat),
            "ofd_with_pdf": timed(ofd_issue, repeat),
            "ofd_alone": timed(ofd_alone, repeat),
            "validate_ofd": timed(lambda: validate_ofd(
                ofd, trust_roots_sm2=[root], now=datetime.now(UTC), intermediates=[ca]),
                repeat),
            "ofd_bytes": len(ofd),
            "pdf_bytes": len(issued.pdf),
        }
        verify = getattr(elicense, "verify_licence_ofd", None)
        if verify is not None:
            if not verify(ofd, trust).passed:
                raise SystemExit("verify_licence_ofd does not pass the benchmark OFD")
            out["verify_licence_ofd"] = timed(lambda: verify(ofd, trust), repeat)
        out["crypto"] = crypto_rates(max(10, repeat))
        return out


def table(data: dict) -> str:
    rows = ["| case | median ms | p90 ms | target |", "|---|---:|---:|---|"]
    targets = {"ofd_with_pdf": TARGET_ISSUE_MS, "ofd_alone": TARGET_ISSUE_MS,
               "validate_ofd": TARGET_VERIFY_MS, "verify_licence_ofd": TARGET_VERIFY_MS}
    for name in ("pdf_issue", "ofd_with_pdf", "ofd_alone", "validate_ofd",
                 "verify_licence_ofd"):
        if name not in data:
            continue
        figures = data[name]
        target = targets.get(name)
        verdict = "" if target is None else (
            f"<= {target:.0f} {'met' if figures['median_ms'] <= target else 'MISSED'}")
        rows.append(f"| {name} | {figures['median_ms']:.1f} | {figures['p90_ms']:.1f} "
                    f"| {verdict} |")
    rows += ["", f"OFD {data['ofd_bytes']:,} bytes, PDF {data['pdf_bytes']:,} bytes", "",
             "| operation | median µs | per second |", "|---|---:|---:|"]
    for name, figures in data["crypto"].items():
        rows.append(f"| {name} | {figures['median_ms'] * 1000:.0f} "
                    f"| {figures['per_second']:,.0f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = run(args.repeat)
    report("ofd", table(data), data, as_json=args.json)


if __name__ == "__main__":
    main()
