"""``python -m samples.real list|fetch [documents|portraits]``: show or materialise a set."""

from __future__ import annotations

import argparse
import sys

from samples.real import load_manifest, materialise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.real")
    parser.add_argument("command", choices=["list", "fetch"])
    parser.add_argument("name", nargs="?", default="documents")
    args = parser.parse_args(argv)
    if args.command == "list":
        manifest = load_manifest(args.name)
        for e in manifest.items:
            origin = f"derive {e.derive_from} {e.transform}" if e.derive_from else e.source
            print(f"{e.id:40} {e.doc_type:18} {origin}")
        print(f"{len(manifest.items)} items, {len(manifest.sources)} sources")
        return 0
    items = materialise(args.name)
    for item in items:
        state = str(item.path) if item.available else f"unavailable: {item.reason}"
        print(f"{item.id:40} {item.doc_type:18} {state}")
    ok = sum(item.available for item in items)
    print(f"{ok}/{len(items)} available")
    return 0 if ok == len(items) else 1


if __name__ == "__main__":
    sys.exit(main())
