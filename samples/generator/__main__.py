"""Command line: ``python -m samples.generator --out DIR --count N --seed S``.

Writes images and truth JSON (see :mod:`samples.generator.truth`). Exit 0 on success, 2 on a
usage error; ``--json`` prints the written paths as JSON for machines.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from core.documents import DocType
from core.logging import configure_logging
from samples.generator.generate import ALL_KINDS, generate_set


def _kinds(text: str) -> list[DocType]:
    try:
        kinds = [DocType(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"kinds are a comma list of {', '.join(k.value for k in ALL_KINDS)}") from exc
    if not kinds or any(k not in ALL_KINDS for k in kinds):
        raise argparse.ArgumentTypeError(
            f"kinds are a comma list of {', '.join(k.value for k in ALL_KINDS)}")
    return kinds


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("the degraded fraction is between 0 and 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samples.generator",
        description="Generate synthetic ID cards, business licences and forms with ground truth.")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--count", type=int, required=True, help="number of images")
    parser.add_argument("--seed", type=int, default=0, help="seed (same seed, same files)")
    parser.add_argument("--kinds", type=_kinds, default=list(ALL_KINDS),
                        help="comma list of id_card_front,id_card_back,business_licence,form")
    parser.add_argument("--degraded-fraction", type=_fraction, default=0.5,
                        help="share of images photographed/scanned (default 0.5)")
    parser.add_argument("--pdf-forms", action="store_true",
                        help="save every other clean form and all scanned forms as PDF")
    parser.add_argument("--json", action="store_true", help="print written paths as JSON")
    parser.add_argument("--verbose", action="store_true", help="log every file, show tracebacks")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must not be negative")
    configure_logging("DEBUG" if args.verbose else "WARNING")
    start = time.perf_counter()
    try:
        paths = generate_set(args.out, args.count, args.seed, kinds=args.kinds,
                             degraded_fraction=args.degraded_fraction, pdf_forms=args.pdf_forms)
    except (OSError, ValueError) as exc:
        if args.verbose:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps({"files": [str(p) for p in paths], "seconds": round(elapsed, 3)}))
    else:
        per_image = elapsed / max(1, len(paths))
        print(f"Wrote {len(paths)} images with truth JSON to {args.out} "
              f"in {elapsed:.1f} s ({per_image:.2f} s per image)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
