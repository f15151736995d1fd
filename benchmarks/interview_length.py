"""Interview length for the bundled fixtures: starting from an empty submission, a scripted reviewer answers
every question from the fixture file (egov_rules.interview.scripted); prints questions asked against facts
(leaf values) in the file, and whether the interview's submission gets the fixture's violations and decisions.

    PYTHONPATH=. python benchmarks/interview_length.py fixtures/*.yaml
"""

from __future__ import annotations

import sys
import time
from typing import Any

from egov_rules.check import Checker
from egov_rules.input.load import load_document
from egov_rules.interview import Interview
from egov_rules.interview.scripted import run


def leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaves(v) for v in value) if value else 1
    return 1


def main(paths: list[str]) -> None:
    checker = Checker()
    print("| fixture | facts in file | questions asked | ratio | same violations | same decisions | seconds |")
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        if path.endswith(".expected.yaml"):
            continue
        doc = load_document(path)
        started = time.perf_counter()
        interview, asked = run(Interview(checker, lang="en"), doc.data)
        _, result, error = interview.check()
        seconds = time.perf_counter() - started
        ref = checker.check_path(path)
        if result is None:
            print(f"| {path} | {leaves(doc.data)} | {asked} | | input error: {error} | | {seconds:.1f} |")
            continue
        same_v = ({(f.rule, f.subject_id) for f in result.findings if f.severity == "violation"}
                  == {(f.rule, f.subject_id) for f in ref.findings if f.severity == "violation"})
        same_d = [d.outcome for d in result.decisions] == [d.outcome for d in ref.decisions]
        print(f"| {path.rsplit('/', 1)[-1]} | {leaves(doc.data)} | {asked} | {asked / leaves(doc.data):.2f} | "
              f"{'yes' if same_v else 'no'} | {'yes' if same_d else 'no'} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
