"""Licence rendering speed: median ms to render one licence PDF per sample licence type, with the
QR drawn as vector rectangles and as an embedded PNG, and the one-off cost of loading the font.

    python bench/render.py [--repeat 50] [--json]

Inputs: the three records of ``samples/licences`` with their bundled templates, the drawn
sample photo for the type that has a photo box, and a 420-character base45 payload (the size of
a ``ZZ1:`` token; QR version 13 at level M). Three warm-up renders per case are excluded. The
target for issuing (render + B-LTA sign) is 120 ms, so rendering should stay well under ~40 ms.
Prints the figures and writes ``bench/results/render.md`` and ``render.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, report  # noqa: E402
from elicense import QrStyle, load_licence, load_templates, render_licence  # noqa: E402
from elicense.render_fonts import register_font  # noqa: E402

SAMPLES = ROOT / "samples" / "licences"
NAMES = ("individual_business_licence", "food_business_licence", "residence_permit")
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
PAYLOAD = "ZZ1:" + "".join(random.Random(45).choice(BASE45) for _ in range(416))
WARM_UP = 3



def time_cases(repeat: int) -> list[dict]:
    catalog = load_templates()
    photo = (SAMPLES / "holder_photo.jpg").read_bytes()
    rows = []
    for name in NAMES:
        licence = load_licence(SAMPLES / f"{name}.json")
        template = catalog.get(licence.type_code)
        for style in QrStyle:
            def once(licence=licence, template=template, style=style) -> bytes:
                return render_licence(licence, template, photo=photo if template.photo else None,
                                      qr_payload=PAYLOAD, qr_style=style)
            for _ in range(WARM_UP):
                pdf = once()
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                once()
                times.append((time.perf_counter() - start) * 1000)
            rows.append({"licence": name, "qr": style.value, "median_ms": statistics.median(times),
                         "p90_ms": percentile(times, 0.9), "pdf_bytes": len(pdf)})
    return rows


def markdown(result: dict, meta: str) -> str:
    lines = [f"# Licence rendering ({meta})", "",
             f"Font load (once per process): {result['font_load_ms']:.0f} ms; "
             f"payload {len(PAYLOAD)} characters, {result['repeat']} renders per row.", "",
             "| licence | QR | median ms | p90 ms | PDF bytes |", "|---|---|---:|---:|---:|"]
    for row in result["rows"]:
        lines.append(f"| {row['licence']} | {row['qr']} | {row['median_ms']:.1f} | "
                     f"{row['p90_ms']:.1f} | {row['pdf_bytes']} |")
    for style in QrStyle:
        medians = [r["median_ms"] for r in result["rows"] if r["qr"] == style.value]
        lines.append(f"\nMedian over types, {style.value} QR: {statistics.median(medians):.1f} ms")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    register_font()
    font_load_ms = (time.perf_counter() - start) * 1000
    result = {"font_load_ms": font_load_ms, "repeat": args.repeat,
              "rows": time_cases(args.repeat)}
    meta = f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    table = markdown(result, meta)
    report("render", table, result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
