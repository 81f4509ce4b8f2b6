"""Portrait-photo speed: median and p90 ms per ``check_photo`` and per ``fix_photo``.

    python bench/photo.py [--profile cn-resident-id] [--repeat 20] [--json]

Real portraits: obama, obama2, obama3 and biden from the face_recognition 1.3.0 sdist (fetched
with ``pip download`` into ``$ZZ_TEST_CACHE`` or ``var/test-cache``, as the tests do) and
scikit-image's astronaut. ``fix_photo`` is timed on the originals as they ship (512 x 512 to
1434 x 2333 px); ``check_photo`` on the 358 x 441 photos the fix made from them (the size the
issue's target is stated for, with ``--profile cn-resident-id``). The analyzer uses
``Settings.photo_threads``; one warm-up pass over every photo is excluded. Prints the figures and
their ratio to the issue 3 targets (check <= 40 ms, fix <= 150 ms on 2 cores) and writes
``bench/results/photo.md`` and ``photo.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, save_results  # noqa: E402

CHECK_TARGET_MS = 40.0
FIX_TARGET_MS = 150.0
SDIST = "face_recognition-1.3.0.tar.gz"
PORTRAITS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")



def load_portraits() -> dict[str, bytes]:
    """The real portraits as file bytes (downloading the sdist once, like the test fixture)."""
    cache = Path(os.environ.get("ZZ_TEST_CACHE") or ROOT / "var" / "test-cache")
    sdist = cache / SDIST
    if not sdist.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                        "--no-deps", "--disable-pip-version-check", "face_recognition==1.3.0",
                        "-d", str(cache)], check=True, capture_output=True)
    photos: dict[str, bytes] = {}
    with tarfile.open(sdist, "r:gz") as archive:
        for member in archive.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and "/tests/test_images/" in member.name and name in PORTRAITS:
                handle = archive.extractfile(member)
                assert handle is not None
                photos[name.removesuffix(".jpg")] = handle.read()
    from PIL import Image
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(data.astronaut()).save(out, format="JPEG", quality=95)
    photos["astronaut"] = out.getvalue()
    return photos


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return (time.perf_counter() - started) * 1000, value


def run(profile_id: str, repeat: int) -> dict:
    from core import Settings
    from verify.photo import PortraitAnalyzer, check_photo, decode_photo, fix_photo, get_profile

    settings = Settings(_env_file=None)
    profile = get_profile(profile_id, settings.photo_profiles_dir)
    originals = {name: decode_photo(data) for name, data in load_portraits().items()}
    analyzer = PortraitAnalyzer(threads=settings.photo_threads)
    t = time.perf_counter()
    analyzer.warm_up()
    load_ms = (time.perf_counter() - t) * 1000

    # Warm-up pass (excluded): first-call allocations in the graphs and in OpenCV.
    fixed = {name: decode_photo(fix_photo(photo, profile, analyzer).data)
             for name, photo in originals.items()}
    for photo in fixed.values():
        check_photo(photo, profile, analyzer)

    fix_ms: list[float] = []
    check_ms: list[float] = []
    model_ms: list[float] = []
    for _ in range(repeat):
        for photo in originals.values():
            fix_ms.append(timed(fix_photo, photo, profile, analyzer)[0])
        for photo in fixed.values():
            elapsed, report = timed(check_photo, photo, profile, analyzer)
            check_ms.append(elapsed)
            model_ms.append(report.timings_ms["models"])  # type: ignore[attr-defined]
    analyzer.close()
    sizes = sorted({f"{p.width}x{p.height}" for p in originals.values()})
    checked = sorted({f"{p.width}x{p.height}" for p in fixed.values()})
    return {
        "profile": profile_id, "photos": sorted(originals), "repeat": repeat,
        "original_sizes": sizes, "checked_sizes": checked,
        "threads": settings.photo_threads, "cores": os.cpu_count(), "model_load_ms": load_ms,
        "check_median_ms": statistics.median(check_ms), "check_p90_ms": percentile(check_ms, .9),
        "check_models_median_ms": statistics.median(model_ms),
        "fix_median_ms": statistics.median(fix_ms), "fix_p90_ms": percentile(fix_ms, 0.9),
        "check_runs": len(check_ms), "fix_runs": len(fix_ms),
    }


def markdown(r: dict) -> str:
    check_ratio = r["check_median_ms"] / CHECK_TARGET_MS
    fix_ratio = r["fix_median_ms"] / FIX_TARGET_MS
    return "\n".join([
        f"{len(r['photos'])} real portraits ({', '.join(r['photos'])}), profile {r['profile']}, "
        f"{r['repeat']} runs each, {r['cores']} cores, photo_threads {r['threads']}, "
        f"{time.strftime('%Y-%m-%d')}",
        "",
        "| step | input | runs | median ms | p90 ms | target ms | median / target |",
        "|---|---|---:|---:|---:|---:|---:|",
        f"| check_photo | {', '.join(r['checked_sizes'])} (fixed) | {r['check_runs']} | "
        f"{r['check_median_ms']:.1f} | {r['check_p90_ms']:.1f} | {CHECK_TARGET_MS:.0f} | "
        f"{check_ratio:.2f} |",
        f"| fix_photo | originals {', '.join(r['original_sizes'])} | {r['fix_runs']} | "
        f"{r['fix_median_ms']:.1f} | {r['fix_p90_ms']:.1f} | {FIX_TARGET_MS:.0f} | "
        f"{fix_ratio:.2f} |",
        "",
        f"- of which the face and person models in check_photo: median "
        f"{r['check_models_median_ms']:.1f} ms; model start-up {r['model_load_ms']:.0f} ms "
        "(once per process, not included).",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cn-resident-id")
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over every photo")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    os.environ.setdefault("GLOG_minloglevel", "2")
    result = run(args.profile, max(1, args.repeat))
    table = markdown(result)
    print(json.dumps(result, indent=1) if args.json else table)
    save_results("photo", table, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
