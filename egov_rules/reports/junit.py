"""JUnit XML (the Ant schema CI servers read): one test suite per submission, one test case per rule.

A rule with findings at or above ``--fail-on`` fails; a rule that did not apply is skipped; a submission
that could not be checked is one errored test case.  Findings below the threshold, waived findings and
context findings (review_scope.py; they fail only with ``--include-context``) are listed in the suite's
``system-out``, so nothing is hidden.

The Art 44 decision is one more test case per project, ``art44-decision <project id>`` (docs/ci.md):
``allow`` passes; a blocking outcome is a ``failure`` (type = the outcome); ``needs_review`` is an ``error``
(type ``needs_review``) when the run stops on it (``gate``, exit 3, or ``check --fail-on needs-review``) and
``skipped`` otherwise; a unit review has one skipped case ``art44-decision`` ("no Art 44 decision").

The schema requires a timestamp, a hostname
and times: they are fixed (epoch, ``localhost``, 0) so the output stays byte-identical; set
``SOURCE_DATE_EPOCH`` to stamp a real time.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET

from .. import __version__
from ..check import Report, SubmissionResult, finding_threshold
from ..decisions.findings import SEVERITY_ORDER, Finding
from ..decisions.sanctions import consequence_text
from ..text.i18n import SEVERITY, citation
from ..text.labels import entity_label
from . import RenderOptions
from .model import NO_DECISION_TEXT, decision_headline
from .sanitize import clean_report

# characters XML 1.0 cannot carry at all, even escaped (hostile input may put them in messages)
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# the words of the test cases and notes, English and Chinese (--lang zh: no English word in a Chinese report)
WORDS = {"finding": ("{n} finding: {title}", "{n} 项问题：{title}"),
         "findings": ("{n} findings: {title}", "{n} 项问题：{title}"),
         "not_applicable": ("not applicable to this submission", "不适用于该报送材料"),
         "waived": ("waived: ", "已豁免："), "context": ("context: ", "背景问题："),
         "info": ("info: ", "提示："), "warning": ("warning: ", "注意：")}


def _say(key: str, lang: str) -> str:
    return WORDS[key][1 if lang == "zh" else 0]


def _line(f: Finding, lang: str) -> str:
    where = f"{f.file}: {f.cell}" if f.cell else f"{f.file}:{f.line}:{f.column}" if f.line else f.file
    if lang == "zh":
        subject = f"{entity_label(f.subject_type, 'zh')} {f.subject_id}"
        text = (f"{where}：{SEVERITY[f.severity][1]}：{citation(f.article, f.paragraph, None, 'zh')} [{f.rule}]："
                f"{f.message['zh']}（{subject}）")
        return text + f"\n    整改：{f.remediation['zh']}"
    cite = f"{citation(f.article, f.paragraph, None, 'en')} / {citation(f.article, f.paragraph, None, 'zh')}"
    text = f"{where}: {f.severity}: {cite} [{f.rule}]: {f.message[lang]} ({f.subject_type} {f.subject_id})"
    return text + f"\n    Remediation: {f.remediation[lang]}"


def _suite(sub: SubmissionResult, index: int, report: Report, options: RenderOptions,
           stamp: str) -> ET.Element:
    suite = ET.Element("testsuite", {"name": clean(sub.file), "package": clean(sub.file), "id": str(index),
                                     "timestamp": stamp, "hostname": "localhost"})
    props = ET.SubElement(suite, "properties")
    facts = {"egov-rules.version": __version__, "rulebook.version": report.rulebook.version,
             "rulebook.sha256": report.rulebook.sha256, "fail-on": options.fail_on}
    if sub.id:
        facts["submission.id"] = sub.id
    if sub.baselined is not None:
        facts["baselined"] = str(sub.baselined)
    for name, value in facts.items():
        ET.SubElement(props, "property", {"name": name, "value": clean(value)})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    notes: list[str] = []
    if sub.error is not None:
        counts["tests"] = counts["errors"] = 1
        case = ET.SubElement(suite, "testcase", {"classname": clean(sub.file), "name": "load", "time": "0"})
        error = ET.SubElement(case, "error", {"message": clean(sub.error.message_text(options.lang)),
                                              "type": sub.error.kind})
        error.text = clean(sub.error.render(options.lang))
    else:
        threshold = SEVERITY_ORDER[finding_threshold(options.fail_on)]
        by_rule: dict[str, list[Finding]] = {}
        for f in sub.findings:
            by_rule.setdefault(f.rule, []).append(f)
        known = report.rulebook.ids()
        # registry mismatches have rule-like ids outside the rulebook: a test case each, after the rules
        for rule_id in known + sorted(set(by_rule) - set(known)):
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", {"classname": clean(sub.file), "name": rule_id, "time": "0"})
            mine = by_rule.get(rule_id, [])
            failing = [f for f in mine if not f.waived and SEVERITY_ORDER[f.severity] >= threshold
                       and (options.include_context or not f.context)]
            fails = {id(f) for f in failing}
            notes += [(_say("waived", options.lang) if f.waived else _say("context", options.lang) if f.context
                       else "") + _line(f, options.lang)
                      for f in mine if id(f) not in fails]
            if failing:
                counts["failures"] += 1
                worst = max(failing, key=lambda f: SEVERITY_ORDER[f.severity])
                n = len(failing)
                message = _say("findings" if n > 1 else "finding", options.lang).format(
                    n=n, title=worst.title[options.lang])
                failure = ET.SubElement(case, "failure", {"message": clean(message), "type": worst.severity})
                failure.text = clean("\n".join(_line(f, options.lang) for f in failing))
            elif not mine and sub.outcomes.get(rule_id) == "not_applicable":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {"message": _say("not_applicable", options.lang)})
        for kind in _decision_cases(suite, sub, options):
            counts["tests"] += 1
            if kind:
                counts[kind] += 1
    notes += [(_say(n["level"], options.lang) if n.get("level", "info") in WORDS else f"{n['level']}: ")
              + n["message"][options.lang] for n in sub.notices]
    for name, count in counts.items():
        suite.set(name, str(count))
    suite.set("time", "0")
    ET.SubElement(suite, "system-out").text = clean("\n".join(notes)) if notes else None
    ET.SubElement(suite, "system-err")
    return suite


def _decision_cases(suite: ET.Element, sub: SubmissionResult, options: RenderOptions) -> list[str | None]:
    """One test case per project decision; returns the count each adds to (None: passed)."""
    lang = options.lang
    if not sub.decisions:
        case = ET.SubElement(suite, "testcase", {"classname": clean(sub.file), "name": "art44-decision", "time": "0"})
        ET.SubElement(case, "skipped", {"message": NO_DECISION_TEXT[lang]})
        return ["skipped"]
    stops_on_review = options.command == "gate" or options.fail_on == "needs-review"
    kinds: list[str | None] = []
    for d in sub.decisions:
        name = clean(f"art44-decision {d.project}")
        case = ET.SubElement(suite, "testcase", {"classname": clean(sub.file), "name": name, "time": "0"})
        text = decision_headline(d, lang)
        review = d.outcome == "needs_review"
        lines = [text] + [consequence_text(c, lang) for c in d.consequences]
        if review:  # what follows if the reviewer confirms the findings
            lines += [consequence_text(c, lang, review=True) for c in d.conditional]
        detail = "\n".join(lines)
        if d.blocks:
            ET.SubElement(case, "failure", {"message": clean(text), "type": d.outcome}).text = clean(detail)
            kinds.append("failures")
        elif review and stops_on_review:
            ET.SubElement(case, "error", {"message": clean(text), "type": "needs_review"}).text = clean(detail)
            kinds.append("errors")
        elif review:
            ET.SubElement(case, "skipped", {"message": clean(text)})
            kinds.append("skipped")
        else:
            kinds.append(None)
    return kinds


def render(report: Report, options: RenderOptions) -> str:
    report = clean_report(report)  # failure texts are shown in CI pages and logs: no control or bidi character
    root = ET.Element("testsuites")
    stamp = timestamp()
    for i, sub in enumerate(report.submissions):
        root.append(_suite(sub, i, report, options, stamp))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
