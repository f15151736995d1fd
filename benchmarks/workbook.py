"""Workbook speed and size (a script, not a test): writing the template from a submission, reading it back,
against loading the same submission as YAML.  Prints a Markdown table.

    .venv/bin/python benchmarks/workbook.py            # 40, 1,000 and 10,000 entities
    .venv/bin/python benchmarks/workbook.py --quick    # 40 and 1,000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import dump, entity_count, generate  # noqa: E402

from egov_rules.input.load import Limits, load_bytes, load_document  # noqa: E402
from egov_rules.input.xlsx_template import write_template  # noqa: E402


def timed(fn: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sizes = [40, 1_000] if args.quick else [40, 1_000, 10_000]
    print("| entities | xlsx size | write (template --from) | read xlsx | load YAML | read / YAML |")
    print("|---|---|---|---|---|---|")
    limits = Limits(max_seconds=600)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = generate(n)
            book = Path(tmp) / f"b{n}.xlsx"
            text = dump(data).encode("utf-8")
            repeat = 5 if n <= 1_000 else 1
            write = timed(lambda: write_template(str(book), "zh", data), repeat)  # noqa: B023
            read = timed(lambda: load_document(book, limits=limits), repeat)  # noqa: B023
            load = timed(lambda: load_bytes(text, "x.yaml", limits=limits), repeat)  # noqa: B023
            print(f"| {entity_count(data):,} | {book.stat().st_size / 1024:,.0f} KiB | {write * 1000:,.0f} ms "
                  f"| {read * 1000:,.0f} ms | {load * 1000:,.0f} ms | {read / load:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
