"""Baselines: report only findings that a previous JSON report did not have.

A finding matches a baseline entry when both its fingerprint and its file agree.  The fingerprint alone
names a rule, an entity id and a path inside that entity (so edits elsewhere in the file do not change
it), but entity ids recur across submissions (the same unit files many projects): without the file, a
known finding in one submission would hide a new one in another.  The cost is renames; a renamed file is
matched to its old entries only when the old path no longer exists on disk and the submission id is the
same (and only one old file had that id), otherwise its findings are reported as new.  Matching counts
occurrences: two identical findings against one baselined occurrence leave one new finding.

File paths are compared relative to the working directory, so run with the same working directory
(normally the repository root) when writing and when using a baseline.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..check import Report, SubmissionResult
from ..errors import ConfigError, EgovError
from ..input.load import Document, Limits, load_document
from ..output import write_atomic

# our own report, possibly for thousands of submissions: more room than a submission gets
BASELINE_LIMITS = Limits(max_bytes=1 << 30, max_nodes=100_000_000, max_entities=10_000_000, max_seconds=600)


def normalise(file: str) -> str:
    from ..reports.sarif import relative_path

    return relative_path(file)


@dataclass
class Baseline:
    """The accepted findings of a baseline file: new findings are those not in it."""
    source: str
    entries: dict[str, Counter[str]] = field(default_factory=dict)  # file -> fingerprint -> count
    ids: dict[str, list[str]] = field(default_factory=dict)  # submission id -> files that had it

    def _entries_for(self, sub: SubmissionResult, checked: set[str]) -> Counter[str]:
        file = normalise(sub.file)
        if file in self.entries:
            return self.entries[file]
        # a rename: the old path is gone (from this run and from disk) and the submission id is the same
        old = [f for f in self.ids.get(sub.id or "", []) if f not in checked and not os.path.exists(f)]
        if sub.id and len(old) == 1:
            return self.entries[old[0]]
        return Counter()

    def apply(self, results: list[SubmissionResult]) -> None:
        """Drop baselined findings from ``results``; each result records how many it lost."""
        checked = {normalise(s.file) for s in results}
        for sub in results:
            if sub.error is not None:
                continue
            left = Counter(self._entries_for(sub, checked))  # a copy: a file checked twice matches twice
            kept = []
            for f in sub.findings:
                if not f.waived and left[f.fingerprint] > 0:
                    left[f.fingerprint] -= 1
                else:
                    kept.append(f)
            sub.baselined = len(sub.findings) - len(kept)
            sub.findings = kept


def _error(doc: Document, pointer: str, message: str, expected: str) -> ConfigError:
    line, col = doc.locate(pointer)
    return ConfigError(message, file=doc.source, line=line, column=col, field=pointer or None,
                       expected=expected)


def _get(doc: Document, data: dict[str, Any], pointer: str, key: str, kind: type, expected: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        where = pointer + "/" + key if key in data else pointer
        found = "missing" if key not in data else f"'{key}' is {type(value).__name__}"
        raise _error(doc, where, f"not an egov-rules JSON report: {found}", expected)
    return value


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a JSON report written by ``--format json`` or ``--write-baseline``."""
    source = os.fspath(path)
    try:
        doc = load_document(source, limits=BASELINE_LIMITS)
    except EgovError as exc:
        # the loader speaks of submissions ("a mapping of entity lists"); a report is just a mapping
        message = exc.message.replace(" of entity lists", "")
        raise ConfigError(f"cannot read the baseline: {message}", file=exc.file, line=exc.line,
                          column=exc.column, field=exc.field,
                          expected="a JSON report written by egov-rules --write-baseline") from None
    if not isinstance(doc.data, dict):
        raise _error(doc, "", "not an egov-rules JSON report", "a JSON object with 'submissions'")
    baseline = Baseline(source)
    subs = _get(doc, doc.data, "", "submissions", list, "a list 'submissions'")
    for i, sub in enumerate(subs):
        ptr = f"/submissions/{i}"
        if not isinstance(sub, dict):
            raise _error(doc, ptr, "a submission must be an object", "an object with 'file' and 'findings'")
        file = normalise(_get(doc, sub, ptr, "file", str, "the submission's file name"))
        counts = baseline.entries.setdefault(file, Counter())
        for section in ("findings", "context"):  # context findings (review_scope.py) are findings too
            findings = sub.get(section) or []
            if not isinstance(findings, list):
                raise _error(doc, f"{ptr}/{section}", f"'{section}' must be a list", "a list of findings")
            for j, f in enumerate(findings):
                fptr = f"{ptr}/{section}/{j}"
                if not isinstance(f, dict):
                    raise _error(doc, fptr, "a finding must be an object", "an object with a 'fingerprint'")
                counts[_get(doc, f, fptr, "fingerprint", str, "the finding's fingerprint")] += 1
        sid = sub.get("id")
        if isinstance(sid, str) and file not in baseline.ids.setdefault(sid, []):
            baseline.ids[sid].append(file)
    return baseline


def write_baseline(report: Report, path: str, inputs: list[str]) -> None:
    """The full JSON report (every finding, in English) written atomically: a baseline is a report."""
    from ..reports import RenderOptions, render

    write_atomic(path, render(report, "json", RenderOptions(lang="en")), inputs=inputs)
