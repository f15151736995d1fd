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
from ..errors import ConfigError, EgovError, Local, Said, Wording
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


# what a bad baseline file is told, in both languages
CANNOT_READ = Wording("cannot read the baseline: {reason}", "无法读取基线文件：{reason}")
NOT_A_REPORT = Wording("not an egov-rules JSON report", "不是 egov-rules 的 JSON 报告")
NOT_A_REPORT_MISSING = Wording("not an egov-rules JSON report: missing", "不是 egov-rules 的 JSON 报告：缺少“{key}”")
NOT_A_REPORT_TYPE = Wording("not an egov-rules JSON report: '{key}' is {type}",
                            "不是 egov-rules 的 JSON 报告：“{key}”是{type}")
SUBMISSION_NOT_OBJECT = Wording("a submission must be an object", "每份报送材料的记录应为 JSON 对象")
SECTION_NOT_LIST = Wording("'{section}' must be a list", "“{section}”应为数组")
FINDING_NOT_OBJECT = Wording("a finding must be an object", "每条检查结果应为 JSON 对象")
E_REPORT = Wording("a JSON report written by egov-rules --write-baseline",
                   "由 egov-rules --write-baseline 写出的 JSON 报告")
E_SUBMISSIONS_OBJECT = Wording("a JSON object with 'submissions'", "含“submissions”的 JSON 对象")
E_SUBMISSIONS = Wording("a list 'submissions'", "数组“submissions”")
E_SUBMISSION = Wording("an object with 'file' and 'findings'", "含“file”和“findings”的 JSON 对象")
E_FILE = Wording("the submission's file name", "报送材料的文件名")
E_FINDINGS = Wording("a list of findings", "检查结果的数组")
E_FINDING = Wording("an object with a 'fingerprint'", "含“fingerprint”的 JSON 对象")
E_FINGERPRINT = Wording("the finding's fingerprint", "检查结果的指纹")
LEFT_OUT = Wording("egov-rules: {n} known finding{s} left out (baseline {file})",
                   "egov-rules：已按基线略去 {n} 项已知问题（基线文件 {file}）")


def left_out(known: int, file: str) -> Said:
    """The note after a run with ``--baseline``: how many known findings it did not report."""
    return LEFT_OUT(n=known, s="s" if known != 1 else "", file=file)


# a JSON value's Python type as the message names it (English) and as JSON calls it (Chinese)
JSON_TYPES = {"int": "整数", "float": "数值", "str": "文本", "bool": "布尔值", "NoneType": "空值", "dict": "对象",
              "list": "数组"}


def _error(doc: Document, pointer: str, message: Said, expected: Said) -> ConfigError:
    line, col = doc.locate(pointer)
    return ConfigError(message, file=doc.source, line=line, column=col, field=pointer or None,
                       expected=expected)


def _get(doc: Document, data: dict[str, Any], pointer: str, key: str, kind: type, expected: Said) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        where = pointer + "/" + key if key in data else pointer
        name = type(value).__name__
        found = (NOT_A_REPORT_MISSING(key=key) if key not in data
                 else NOT_A_REPORT_TYPE(key=key, type=Local(name, JSON_TYPES.get(name, name))))
        raise _error(doc, where, found, expected)
    return value


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a JSON report written by ``--format json`` or ``--write-baseline``."""
    source = os.fspath(path)
    try:
        doc = load_document(source, limits=BASELINE_LIMITS)
    except EgovError as exc:
        # the loader speaks of submissions ("a mapping of entity lists"); a report is just a mapping
        message = exc.message.replace(" of entity lists", "")
        reason = Local(message, exc.message_text("zh") if message == exc.message else _zh(message))
        raise ConfigError(CANNOT_READ(reason=reason), file=exc.file, line=exc.line, column=exc.column,
                          field=exc.field, expected=E_REPORT()) from None
    if not isinstance(doc.data, dict):
        raise _error(doc, "", NOT_A_REPORT(), E_SUBMISSIONS_OBJECT())
    baseline = Baseline(source)
    subs = _get(doc, doc.data, "", "submissions", list, E_SUBMISSIONS())
    for i, sub in enumerate(subs):
        ptr = f"/submissions/{i}"
        if not isinstance(sub, dict):
            raise _error(doc, ptr, SUBMISSION_NOT_OBJECT(), E_SUBMISSION())
        file = normalise(_get(doc, sub, ptr, "file", str, E_FILE()))
        counts = baseline.entries.setdefault(file, Counter())
        for section in ("findings", "context"):  # context findings (review_scope.py) are findings too
            findings = sub.get(section) or []
            if not isinstance(findings, list):
                raise _error(doc, f"{ptr}/{section}", SECTION_NOT_LIST(section=section), E_FINDINGS())
            for j, f in enumerate(findings):
                fptr = f"{ptr}/{section}/{j}"
                if not isinstance(f, dict):
                    raise _error(doc, fptr, FINDING_NOT_OBJECT(), E_FINDING())
                counts[_get(doc, f, fptr, "fingerprint", str, E_FINGERPRINT())] += 1
        sid = sub.get("id")
        if isinstance(sid, str) and file not in baseline.ids.setdefault(sid, []):
            baseline.ids[sid].append(file)
    return baseline


def _zh(message: str) -> str:
    from ..text.errors_zh import message_zh

    return message_zh(message)


def write_baseline(report: Report, path: str, inputs: list[str]) -> None:
    """The full JSON report (every finding, in English) written atomically: a baseline is a report."""
    from ..reports import RenderOptions, render

    write_atomic(path, render(report, "json", RenderOptions(lang="en")), inputs=inputs)
