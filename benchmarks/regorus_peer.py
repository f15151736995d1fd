"""Run benchmarks/policy.rego through regorus on documents given as JSON lines (one per line on stdin).

Runs in the peers' own venv (see benchmarks/README.md), not the project's: prints, per document, the
microseconds of the evaluation alone (input already set) and of set_input + evaluation, and the pointers
of each rule's bindings that do not pass.  One answer line per document line, flushed: fastpath.py sends a
document and waits for the answer before checking it itself, so both are timed under the same load.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import regorus


def main() -> None:
    engine = regorus.Engine()
    engine.add_policy("policy.rego", (Path(__file__).parent / "policy.rego").read_text("utf-8"))
    for line in sys.stdin:
        start = time.perf_counter()
        engine.set_input_json(line)
        set_at = time.perf_counter()
        result = json.loads(engine.eval_rule_as_json("data.policy.result"))
        end = time.perf_counter()
        print(json.dumps({"eval_us": (end - set_at) * 1e6, "total_us": (end - start) * 1e6,
                          "data_centre": sorted(result["data_centre"]),
                          "outside_catalogue": sorted(result["outside_catalogue"])}), flush=True)


if __name__ == "__main__":
    main()
