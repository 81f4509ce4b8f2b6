"""PAdES speed: median ms to sign a typical one-page licence PDF at each level (B-LTA is what
``issue`` uses), to issue one (render + B-LTA sign), and to validate the signed file, by the
full pyHanko validator (``fast=False``) and by the fast path for our own licences.

Issue 16: the raw ECDSA P-256 verify time is measured in the same run, and every verification
figure is also given as a count of raw verifies (target: ``verify_licence_pdf`` <= 60). A split
table (cProfile, inclusive ms per call of the named functions; nested parts overlap: revocation
is inside path building, which is inside the timestamps and the CMS check) shows where a full
and a fast ``verify_licence_pdf`` spend their time.

    python bench/signing.py [--repeat 50] [--json] [--simple]

Input: the ``individual_business_licence`` sample rendered by ``elicense.render_licence`` (vector
QR, 420-character payload), or with ``--simple`` a one-page reportlab PDF. A key store is made in
a temporary directory; the signer and timestamp keys are loaded once and cached, as in the
service. Validation uses the pinned root and the key store's CRLs, at the wall clock. Three
warm-up runs per case are excluded. Targets: issue (render + sign) <= 120 ms, validate <= 60 ms.
Prints the figures and writes ``bench/results/signing.md`` and ``signing.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bench.common import percentile, report  # noqa: E402
from core import Settings  # noqa: E402
from signing import (  # noqa: E402
    CertRole,
    Indication,
    IssuerIdentity,
    KeyStore,
    PadesLevel,
    pyhanko_timestamper,
    sign_pdf,
    validate_pdf,
)

SAMPLE = ROOT / "samples" / "licences" / "individual_business_licence.json"
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
PAYLOAD = "ZZ1:" + "".join(random.Random(45).choice(BASE45) for _ in range(416))
WARM_UP = 3
TARGET_ISSUE_MS = 120.0
TARGET_VALIDATE_MS = 60.0
TARGET_VERIFY_RATIO = 60.0
# The parts of a verification (issue 16), each as the functions whose inclusive time it is.
PARTS: dict[str, list[tuple[str, str]]] = {
    "parsing (full: pyHanko reader, signatures, DSS)": [
        ("pdf_streams.py", "open_untrusted_pdf"), ("reader.py", "embedded_signatures"),
        ("pades_validate.py", "_dss_contents")],
    "parsing + difference analysis (fast: strict layout)": [
        ("pades_fast.py", "read_layout")],
    "attachments (fast: strict reader)": [("pdf_attachments.py", "read_pdf_attachments")],
    "digest (full: compute_integrity_info, incl. its difference analysis; fast: SHA-256)": [
        ("pdf_embedded.py", "compute_integrity_info"), ("pades_fast.py", "_range_digest")],
    "CMS signature (signed attributes, ECDSA)": [("generic_cms.py", "validate_sig_integrity"),
                                                 ("pades_fast.py", "_check_signer_info")],
    "path building / pinned chain": [("validate.py", "async_validate_path"),
                                     ("pades_fast.py", "_check_chain")],
    "revocation (CRLs)": [("validate_crl.py", "verify_crl"),
                          ("pades_fast.py", "_check_revocation")],
    "timestamps (signature + document)": [("generic_cms.py", "validate_tst_signed_data"),
                                          ("pdf_embedded.py", "async_validate_pdf_timestamp"),
                                          ("pades_fast.py", "_check_token")],
    "difference analysis (full; fast: in the layout row)": [
        ("pdf_embedded.py", "evaluate_modifications"),
                                   ("pades_policy.py", "later_revision_problem"),
                                   ("pades_policy.py", "trailing_bytes")],
    "token": [("tokens.py", "verify_token")],
    "status list": [("status_list.py", "verify_status_list")],
    "whole signature validation": [("pades_validate.py", "validate_pdf")],
}


def raw_verify() -> Callable[[], None]:
    """One raw ECDSA P-256 / SHA-256 verify (cryptography) of a 64-byte message."""
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    message = b"x" * 64
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()

    def verify() -> None:
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))

    return verify


RAW_BATCH = 20


def verify_batch_ms(verify: Callable[[], None]) -> float:
    """CPU ms of one raw verify, timed over :data:`RAW_BATCH` of them."""
    start = time.process_time()
    for _ in range(RAW_BATCH):
        verify()
    return (time.process_time() - start) * 1000 / RAW_BATCH


def ecdsa_verify_ms(runs: int = 2000) -> float:
    """Median CPU ms of one raw ECDSA P-256 / SHA-256 verify, in batches."""
    verify = raw_verify()
    return statistics.median(verify_batch_ms(verify) for _ in range(runs // RAW_BATCH))


def split(action: Callable[[], object], runs: int) -> dict[str, float]:
    """Inclusive ms per call of each part of :data:`PARTS` (cProfile, after warm-up)."""
    for _ in range(WARM_UP):
        action()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        action()
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out = {}
    for part, functions in PARTS.items():
        total = sum(row[3] for (path, _line, name), row in stats.items()
                    if any(path.endswith("/" + f) and name == n for f, n in functions))
        out[part] = total * 1000 / runs
    return out



def timed(action: Callable[[], object], repeat: int, *, ratio: bool = False
          ) -> dict[str, float]:
    """Median and p90 wall-clock ms of ``action``; with ``ratio``, also its median CPU ms and
    that as a count of raw ECDSA verifies, whose CPU time is measured in batches interleaved
    with the runs (CPU time, so that other processes on a busy machine do not count)."""
    verify = raw_verify() if ratio else None
    for _ in range(WARM_UP):
        action()
    times, cpu, verifies = [], [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if verify is not None:
            verifies.append(verify_batch_ms(verify))
    out = {"median_ms": statistics.median(times), "p90_ms": percentile(times, 0.9)}
    if verifies:
        out["cpu_ms"] = statistics.median(cpu)
        out["raw_verify_cpu_ms"] = statistics.median(verifies)
        out["raw_verifies"] = out["cpu_ms"] / out["raw_verify_cpu_ms"]
    return out


def simple_pdf() -> bytes:
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 720, "Business licence (benchmark)")
    page.showPage()
    page.save()
    return out.getvalue()


def licence_renderer() -> Callable[[], bytes]:
    from elicense import load_licence, load_templates, render_licence  # noqa: PLC0415

    licence = load_licence(SAMPLE)
    template = load_templates().get(licence.type_code)

    def render() -> bytes:
        return render_licence(licence, template, photo=None, qr_payload=PAYLOAD)

    return render


def run(repeat: int, simple: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp) / "keys", SecretStr("benchmark passphrase, not a secret"))
        store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)))
        signer, crls = store.signer(), store.crls()
        stamper = pyhanko_timestamper(store.timestamp_signer())
        root = store.certificate(CertRole.ROOT)
        render = simple_pdf if simple else licence_renderer()
        pdf = render()

        def sign(level: PadesLevel, source: bytes = pdf) -> bytes:
            return sign_pdf(source, signer, stamper, crls=crls, level=level)

        result: dict = {"input": "reportlab one-line page" if simple else SAMPLE.stem,
                        "input_bytes": len(pdf), "repeat": repeat, "sign": {}}
        for level in PadesLevel:
            result["sign"][level.value] = timed(lambda level=level: sign(level), repeat)
        result["render"] = timed(render, repeat)
        result["issue"] = timed(lambda: sign(PadesLevel.B_LTA, render()), repeat)
        signed = sign(PadesLevel.B_LTA)
        result["signed_bytes"] = len(signed)
        verdict = validate_pdf(signed, trust_roots=[root], crls=crls)
        if verdict.indication is not Indication.PASSED:
            raise SystemExit(f"the benchmark licence does not validate: {verdict}")
        result["validate"] = timed(
            lambda: validate_pdf(signed, trust_roots=[root], crls=crls, fast=False), repeat,
            ratio=True)
        result["validate_fast"] = timed(
            lambda: validate_pdf(signed, trust_roots=[root], crls=crls), repeat, ratio=True)
        result["ecdsa_verify_ms"] = ecdsa_verify_ms()
        if not simple:
            result.update(end_to_end(store, Path(tmp), repeat))
    return result


class MemoryRegistry:
    """A register in memory, so that issuing the same record again is allowed here."""

    def __init__(self) -> None:
        self.entries: dict = {}
        self.next = 0

    def reserve_index(self, size: int) -> int:
        self.next += 1
        return self.next % size

    def add(self, entry) -> None:  # noqa: ANN001
        self.entries[entry.identifier] = entry

    def get(self, identifier: str) -> None:
        return None

    def find_by_sha256(self, pdf_sha256: str) -> None:
        return None

    def revoke(self, identifier: str, reason: str, at) -> None:  # noqa: ANN001
        raise NotImplementedError

    def revoked_indices(self) -> set[int]:
        return set()


def end_to_end(store: KeyStore, tmp: Path, repeat: int) -> dict:
    """``elicense`` as the CLI and the service use it: issue (token, render, attachment, B-LTA,
    register) and verify (signature, token, agreement, status list, period)."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from elicense import (  # noqa: PLC0415
        issue_licence,
        load_licence,
        load_templates,
        load_trust,
        publish,
        verify_licence_pdf,
        verify_licence_token,
    )

    licence = load_licence(ROOT / "samples" / "licences" / "residence_permit.json")
    template = load_templates().get(licence.type_code)
    photo = (ROOT / "samples" / "licences" / "holder_photo.jpg").read_bytes()
    registry = MemoryRegistry()
    code = Settings(_env_file=None).issuer_code

    def issue():  # noqa: ANN202
        return issue_licence(licence, template, photo=photo, store=store, registry=registry,
                             issuer_code=code)

    issued = issue()
    trust = load_trust(publish(store, registry, tmp / "published", code, datetime.now(UTC)))
    full, fast = (verify_licence_pdf(issued.pdf, trust, fast=False),
                  verify_licence_pdf(issued.pdf, trust))
    if not full.passed or fast != full:
        raise SystemExit("the issued benchmark licence does not verify the same both ways")
    runs = max(5, repeat // 2)
    return {
        "issue_licence": timed(issue, repeat),
        "verify_licence_pdf_full": timed(
            lambda: verify_licence_pdf(issued.pdf, trust, fast=False), repeat, ratio=True),
        "verify_licence_pdf": timed(lambda: verify_licence_pdf(issued.pdf, trust), repeat,
                                    ratio=True),
        "verify_licence_pdf_cold": timed(lambda: cold(issued.pdf, trust), repeat, ratio=True),
        "split_full": split(lambda: verify_licence_pdf(issued.pdf, trust, fast=False), runs),
        "split_fast": split(lambda: cold(issued.pdf, trust), runs),
        "verify_licence_token": timed(lambda: verify_licence_token(issued.token, trust), repeat),
        "token_chars": len(issued.token),
    }


def cold(pdf: bytes, trust) -> object:  # noqa: ANN001
    """A fast verification as if the file had never been seen: the strict reader's parse
    cache is emptied first (the certificate and CRL caches, facts about the issuer shared by
    all its licences, stay warm)."""
    from elicense import verify_licence_pdf  # noqa: PLC0415
    from signing.pdf_revisions import clear_document_cache  # noqa: PLC0415

    clear_document_cache()
    return verify_licence_pdf(pdf, trust)


def markdown(result: dict, meta: str) -> str:
    issue, validate = result["issue"]["median_ms"], result["validate"]["median_ms"]
    lines = [f"# PAdES signing and validation ({meta})", "",
             f"Input: {result['input']} ({result['input_bytes']} bytes; B-LTA signed "
             f"{result['signed_bytes']} bytes); {result['repeat']} runs per row.", "",
             "| operation | median ms | p90 ms |", "|---|---:|---:|"]
    for level, row in result["sign"].items():
        lines.append(f"| sign {level} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} |")
    labels = {"issue": "issue (render + sign B-LTA)", "validate": "validate B-LTA (full)",
              "validate_fast": "validate B-LTA (fast path)",
              "verify_licence_pdf_full": "verify_licence_pdf, full (fast=False)",
              "verify_licence_pdf_cold": "verify_licence_pdf, fast, file not seen before",
              "issue_licence": "issue_licence: token + render + attach + B-LTA + register "
              "(with photo)", "verify_licence_pdf": "verify_licence_pdf: signature + token + "
              "agreement + status list + period", "verify_licence_token": "verify_licence_token"}
    for name in labels | {"render": "render"}:
        if name not in result:
            continue
        row = result[name]
        label = labels.get(name, name)
        lines.append(f"| {label} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} |")
    verify_ms = result["ecdsa_verify_ms"]
    lines += ["", f"Raw ECDSA P-256 verify in this run: {verify_ms * 1000:.0f} µs of CPU "
              f"(median of batches of {RAW_BATCH}). Ratio: median CPU ms of a call over the "
              "median CPU ms of a raw verify, batches interleaved with the calls.", "",
              "| verification | median ms | CPU ms | raw ECDSA verifies |",
              "|---|---:|---:|---:|"]
    for name in ("validate", "validate_fast", "verify_licence_pdf_full", "verify_licence_pdf",
                 "verify_licence_pdf_cold"):
        if name in result:
            row = result[name]
            lines.append(f"| {labels[name]} | {row['median_ms']:.2f} | {row['cpu_ms']:.2f} | "
                         f"{row['raw_verifies']:.0f} |")
    if "split_full" in result:
        lines += ["", "Split of one verify_licence_pdf (cProfile, inclusive ms per call; "
                  "profiling inflates both columns):", "",
                  "| part | full ms | fast ms |", "|---|---:|---:|"]
        for part in PARTS:
            lines.append(f"| {part} | {result['split_full'][part]:.2f} | "
                         f"{result['split_fast'][part]:.2f} |")
        for name in ("verify_licence_pdf", "verify_licence_pdf_cold"):
            ratio = result[name]["raw_verifies"]
            lines += ["", f"{labels[name]} = {ratio:.0f} raw verifies (target <= "
                      f"{TARGET_VERIFY_RATIO:.0f}: "
                      f"{'met' if ratio <= TARGET_VERIFY_RATIO else 'MISSED'})."]
    lines += ["", f"Issue {issue:.1f} ms (target <= {TARGET_ISSUE_MS:.0f}: "
              f"{'met' if issue <= TARGET_ISSUE_MS else 'MISSED'}); validate {validate:.1f} ms "
              f"(target <= {TARGET_VALIDATE_MS:.0f}: "
              f"{'met' if validate <= TARGET_VALIDATE_MS else 'MISSED'})."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--simple", action="store_true",
                        help="sign a one-line reportlab page instead of a rendered licence")
    args = parser.parse_args()
    result = run(args.repeat, args.simple)
    meta = f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    table = markdown(result, meta)
    report("signing-simple" if args.simple else "signing", table, result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
