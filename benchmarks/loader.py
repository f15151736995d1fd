"""Loader speed on large submissions: the reference builder against the fast path, in one run.

Generates submissions of 400, 4,000 and 40,000 entities (benchmarks/generate.py), writes each as YAML (as
generate.py dumps it) and as JSON (indented by 2), and times ``load_document`` alone, with
``egov_rules.input.load.FAST_PATH`` off (the builder, as before the fast path), on with the garbage collector
left running and the pointer maps built (what the reference builds), on with the maps built, and on (as
shipped: a check reads a few positions through ``locate``, which walks the position tree).  The variants
alternate within each repetition, so load from other processes hits them alike; each result is checked
identical to the reference's.  Prints the median CPU time per entity, the speed-up of the fast path as
shipped and with the maps built, and the load average.

    python benchmarks/loader.py                 # 400, 4,000 and 40,000 entities
    python benchmarks/loader.py --quick         # 400 and 4,000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

import egov_rules.input.load as load_module  # noqa: E402
import egov_rules.input.load_fast as load_fast  # noqa: E402
from egov_rules.input.load import Document, Limits, load_document  # noqa: E402

LIMITS = Limits(max_bytes=256 * 1024 * 1024)  # the 40,000-entity JSON is over the default 20 MB


@contextlib.contextmanager
def reference() -> object:
    load_module.FAST_PATH = False
    try:
        yield
    finally:
        load_module.FAST_PATH = True


@contextlib.contextmanager
def collector_running() -> object:
    paused = load_fast.collector_paused
    load_fast.collector_paused = contextlib.nullcontext  # type: ignore[assignment]
    try:
        yield
    finally:
        load_fast.collector_paused = paused


# name -> (context, whether the pointer maps are read inside the clock, as the reference builds them)
VARIANTS: dict[str, tuple[Callable[[], contextlib.AbstractContextManager[object]], bool]] = {
    "reference": (reference, False),
    "fast+maps, GC on": (collector_running, True),
    "fast + maps": (contextlib.nullcontext, True),
    "fast": (contextlib.nullcontext, False),
}


def timed(path: Path, maps: bool) -> tuple[float, Document]:
    start = time.process_time()
    doc = load_document(path, limits=LIMITS)
    if maps:
        doc.positions, doc.key_positions  # noqa: B018  # built on first read
    return time.process_time() - start, doc  # the document is freed after the clock stops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 and 4,000 entities only")
    parser.add_argument("--sizes", type=int, nargs="*", help="entity counts (default 400 4000 40000)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([400, 4000] if args.quick else [400, 4000, 40_000])
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'entities':>8} {'format':6} " + " ".join(f"{name:>17}" for name in VARIANTS) + "  speed-up (+ maps)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data = generate.generate(size)
            entities = generate.entity_count(data)
            files = {"yaml": Path(tmp, f"s{size}.yaml"), "json": Path(tmp, f"s{size}.json")}
            files["yaml"].write_text(generate.dump(data), "utf-8")
            files["json"].write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
            repeats = max(3, min(15, 40_000 // size))
            for fmt, path in files.items():
                times: dict[str, list[float]] = {name: [] for name in VARIANTS}
                expected = None
                for _ in range(repeats):
                    for name, (variant, maps) in VARIANTS.items():
                        with variant():
                            seconds, doc = timed(path, maps)
                        times[name].append(seconds)
                        result = (doc.data, doc.positions, doc.key_positions)
                        if expected is None:
                            expected = result
                        elif result != expected:
                            raise SystemExit(f"{name} loads {path.name} differently from the reference")
                        del doc, result
                per_entity = {name: statistics.median(t) / entities * 1e6 for name, t in times.items()}
                cells = " ".join(f"{per_entity[name]:>11.1f} us/ent" for name in VARIANTS)
                ratio = per_entity["reference"] / per_entity["fast"]
                with_maps = per_entity["reference"] / per_entity["fast + maps"]
                print(f"{entities:>8} {fmt:6} {cells}  {ratio:5.2f}x {with_maps:5.2f}x", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
