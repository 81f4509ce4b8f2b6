"""The printed licence QR code: its version, modules and module size for each sample licence
type, as a bare ``ZZ1:`` token and as the verification link the office prints
(``https://zz.example.gov.cn/v#<token>``, docs/tokens.md section 10), and how many of a few
simulated phone photographs of the printed page decode.

    python bench/qr_print.py [--photos 5] [--json]

Each sample record of ``samples/licences`` is issued once with a throw-away key (real token
sizes: a person's licence carries a photo hash). A photograph is the page rendered at 300 dpi
(a 12-megapixel phone over an A4 sheet), tilted by a perspective warp, blurred (Gaussian, 1.2
pixels), lit unevenly, with sensor noise and saved as a JPEG at quality 60; OpenCV reads it at
full size, 3/4 and 1/2 (as scanner apps try smaller frames). Prints the table and writes
``bench/results/qr_print.md`` and ``qr_print.json``.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pypdfium2  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bench.common import report  # noqa: E402
from core import Settings  # noqa: E402
from elicense import (  # noqa: E402
    FileRegistry,
    issue_licence,
    load_licence,
    load_templates,
    qr_geometry,
    verify_link,
)
from elicense.render_layout import QR_SIZE  # noqa: E402
from signing import IssuerIdentity, KeyStore  # noqa: E402

SAMPLES = ROOT / "samples" / "licences"
PUBLIC_URL = "https://zz.example.gov.cn"


def photographed(page: Image.Image, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.asarray(page, dtype=np.float32)
    height, width = image.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    jitter = rng.uniform(-0.07, 0.07, (4, 2)).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(corners, corners + jitter * np.float32([width, height]))
    image = cv2.warpPerspective(image, matrix, (width, height), borderValue=200)
    image = image * np.linspace(0.75, 1.0, width, dtype=np.float32)[None, :]
    image = image + rng.normal(0, 9, image.shape).astype(np.float32)
    blurred = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    blurred.save(buffer, format="JPEG", quality=60)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))


def scan(image: np.ndarray) -> str:
    for scale in (1.0, 0.75, 0.5):
        frame = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale,
                                                      interpolation=cv2.INTER_AREA)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text, _points, _raw = detector.detectAndDecode(frame)
            if text:
                return text
    return ""


def measure(photos: int) -> list[dict]:
    settings = Settings(_env_file=None)
    now = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="zz-bench-qr-") as tmp:
        store = KeyStore(Path(tmp) / "keys", SecretStr("bench qr passphrase (throw-away)"))
        store.initialise(IssuerIdentity.from_settings(settings), now=now - timedelta(days=1))
        registry = FileRegistry(Path(tmp) / "licences")
        photo = (SAMPLES / "holder_photo.jpg").read_bytes()
        for record in sorted(SAMPLES.glob("*.json")):
            licence = load_licence(record)
            template = load_templates().get(licence.type_code)
            issued = issue_licence(licence, template, photo=photo if template.photo else None,
                                   store=store, registry=registry,
                                   issuer_code=settings.issuer_code, now=now,
                                   public_url=PUBLIC_URL)
            page = pypdfium2.PdfDocument(issued.pdf)[0].render(scale=300 / 72).to_pil()
            gray = page.convert("L")
            link = verify_link(issued.token, PUBLIC_URL)
            decoded = sum(scan(photographed(gray, seed)) == link for seed in range(photos))
            for form, text in (("token", issued.token), ("link", link)):
                geometry = qr_geometry(text, QR_SIZE)
                rows.append({"licence": record.stem, "form": form, "chars": len(text),
                             "version": geometry.version, "modules": geometry.modules,
                             "module_mm": round(geometry.module_mm, 3),
                             "decoded": f"{decoded}/{photos}" if form == "link" else ""})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.photos)
    lines = [f"QR side {QR_SIZE / 72 * 25.4:.0f} mm with the quiet zone, level M",
             "", "| licence | QR holds | characters | version | modules | module mm | "
             "photos decoded |", "|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['licence']} | {r['form']} | {r['chars']} | {r['version']} | "
              f"{r['modules']} | {r['module_mm']:.2f} | {r['decoded']} |" for r in rows]
    report("qr_print", "\n".join(lines), rows, as_json=args.json)


if __name__ == "__main__":
    main()
