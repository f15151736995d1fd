"""Why a rule fired or did not (``egov-rules explain PATH --rule ID``).

For every binding the rule is checked for (each project, each component, ...), the rule's own compiled
closures are run again with a ``Trace``: the same code the engine ran, so the explanation cannot disagree
with the verdict.  ``when``, ``require`` and ``downgrade`` get a trace each, so the reader sees which part
decided.  Trace events arrive in evaluation order with a quantifier's event *after* those of its items;
``_tree`` puts them back under their quantifier.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .check import Checker
from .decisions.findings import named
from .engine.evaluate import CompiledRule, Verdict, binding_key, rule_in_force
from .engine.getters import Trace
from .errors import UsageError, Wording, closest
from .input.facts import POINTER, FactBase
from .input.load import Document
from .reports.sanitize import clean, json_text
from .text.i18n import SEVERITY, citation, t
from .text.labels import value_label
from .text.zh import zh_punct

NO_ENTITY = Wording("no entity '{entity}' in the submission", "报送材料中没有编号为“{entity}”的条目")
E_ENTITY = Wording("the id of one of its entities (--entity)", "其中某一条目的编号（--entity）")
CLASS = {"A": ("A (shall not be implemented)", "A类（不得组织实施）"), "B": ("B (by stage)", "B类（按阶段处理）"),
         "B-review": ("B, for a reviewer to confirm", "B类，待审核确认"),
         "A-review": ("A, for a reviewer to confirm", "A类，待审核确认"), "none": ("none", "无")}
OUTCOMES = ("fired", "downgraded", "unknown", "passed", "not_applicable")
OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in", "not_in": "not in",
       "contains": "contains", "is_set": "is set:", "is_a": "is a"}
_COMPARE = re.compile(r"^(\S+) (" + "|".join(OPS) + r") (.*)$")
_FROZENSET = re.compile(r"frozenset\((\{.*?\})\)")
_DATE = re.compile(r"datetime\.date\((\d+), (\d+), (\d+)\)")

L: dict[str, tuple[str, str]] = {
    "fired": ("FIRED", "触发"), "downgraded": ("FIRED, downgraded to a warning", "触发（降为疑似违规，待确认）"),
    "unknown": ("UNKNOWN", "无法判定"), "passed": ("PASSED", "通过"),
    "not_applicable": ("DOES NOT APPLY", "不适用"),
    "when": ("applies when", "适用条件"), "require": ("requires", "合规要求"),
    "downgrade": ("downgrade when", "降级条件"),
    "true": ("true", "成立"), "false": ("false", "不成立"), "null": ("undecided", "无法判定"),
    "value": ("value", "值"), "vs": ("against", "对比"), "found": ("found", "命中"),
    "none_found": ("no match", "无匹配"), "candidate": ("examined", "已检查"),
    "all_of": ("all of", "同时满足"), "any_of": ("any of", "满足其一"),
    "matches": ("matches", "符合"), "no_match": ("does not match", "不符合"),
    "undecided": ("cannot be decided", "无法判定"),
    "supply": ("supply", "需补充"), "line": ("line", "行"), "finding": ("finding", "问题"),
    "decided_by": ("decided by", "判定依据"), "severity": ("severity", "级别"),
    "art44": ("Art 44 class", "第四十四条类别"), "as_of": ("as of", "截至"), "rule_file": ("rule file", "规则文件"),
    "not_in_force": ("the rule is not in force on the submission's date",
                     "该规则在申报材料日期不适用（未生效或已失效）"),
    "none_checked": ("the rule had nothing to check: no binding exists in this submission",
                     "该规则在本申报材料中没有可检查的对象"),
    "why_na": ("the 'when' condition is false", "适用条件不成立"),
    "why_passed": ("every requirement holds", "各项合规要求均成立"),
    "why_fired": ("the requirement is false", "合规要求不成立"),
    "why_down": ("the requirement is false, but a documented justification downgrades it to a warning",
                 "合规要求不成立，但有书面说明，降为疑似违规（待确认）"),
    "why_unknown": ("cannot be decided: these facts are not given", "以下事实未填写"),  # after 无法判定
    "summary": ("{n} binding(s): {fired} fired, {passed} passed, {unknown} unknown, {na} not applicable",
                "共 {n} 个绑定：触发 {fired}，通过 {passed}，无法判定 {unknown}，不适用 {na}"),
}


@dataclass
class Step:
    """One traced condition: a comparison, or a quantifier with the steps of the items it looked at."""

    condition: str
    result: bool | None
    value: Any = None
    operand: Any = None
    rule_line: int = 0
    quantifier: bool = False
    children: list[Step] = field(default_factory=list)
    item: str | None = None  # a candidate a quantifier examined: the binding name (the steps are its tests)
    group: bool = False  # "all of" / "any of": the steps under it are its parts

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"condition": self.condition, "result": self.result, "value": self.value}
        if self.item:
            out["candidate"] = {"binding": self.item, "id": self.value}
        elif not self.quantifier:
            out["operand"] = self.operand
        out["rule_line"] = self.rule_line
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class Fact:
    """A fact a test read, with its pointer and position in the submission."""
    path: str
    pointer: str
    line: int
    column: int
    cell: str | None = None  # in a workbook: 'sheet'!C7


@dataclass
class BindingExplanation:
    """How one binding of a rule was decided, test by test."""
    bindings: list[dict[str, Any]]  # name, id, pointer, line, column
    outcome: str
    when: list[Step] | None
    require: list[Step] | None
    downgrade: list[Step] | None
    unknown: list[Fact]
    witnesses: list[dict[str, Any]]  # entities a quantifier settled on (the approval that matched, ...)
    finding: dict[str, Any] | None  # the finding check would report (message, location) when one is due


@dataclass
class Explanation:
    """How a rule was decided for a submission: in force or not, and every binding."""
    rule: dict[str, Any]
    file: str
    submission: str | None
    as_of: str
    in_force: bool
    items: list[BindingExplanation]

    def counts(self) -> dict[str, int]:
        out = {o: 0 for o in OUTCOMES}
        for it in self.items:
            out[it.outcome] += 1
        return out


# ------------------------------------------------------------------------------------------- explain
def explain(checker: Checker, doc: Document, rule_id: str, entity: str | None = None) -> Explanation:
    """Explain rule ``rule_id`` on a loaded submission (registry merged as for ``check``)."""
    compiled = checker.native.by_id.get(rule_id)
    if compiled is None:
        raise UsageError(f"no rule '{rule_id}'", expected="the id of a rule (egov-rules rules list)",
                         suggestion=closest(rule_id, checker.native.by_id))
    facts = checker.validate(doc)
    if entity is not None and entity not in facts.by_id:  # a typo would read as "nothing to check"
        raise UsageError(NO_ENTITY(entity=entity), file=doc.source, expected=E_ENTITY(),
                         suggestion=closest(entity, facts.by_id))
    rule = compiled.rule
    spec = rule.spec
    info = {
        "id": rule.id, "article": spec.article, "paragraph": spec.paragraph, "item": spec.item,
        "title": {"en": spec.title.en, "zh": spec.title.zh}, "severity": spec.severity,
        "art44": spec.sanctions.art44, "file": rule.file, "line": rule.line,
    }
    in_force = rule_in_force(rule, facts)
    items: list[BindingExplanation] = []
    if in_force:
        for env in compiled.environments(facts):
            if entity is not None and not _mentions(env, compiled.names, entity):
                continue
            items.append(_explain_one(checker, compiled, env, facts, doc))
    as_of = facts.submission["as_of"]
    return Explanation(info, doc.source, facts.submission.get("id"), as_of.isoformat(), in_force, items)


def _mentions(env: dict[str, Any], names: tuple[str, ...], entity: str) -> bool:
    return any(isinstance(env.get(n), dict) and env[n].get("id") == entity for n in names)


def _explain_one(checker: Checker, compiled: CompiledRule, env: dict[str, Any], facts: FactBase,
                 doc: Document) -> BindingExplanation:
    bindings = [_entity(n, env.get(n), doc) for n in compiled.names]
    work = dict(env)
    unknown: dict[str, str] = {}
    when_steps = require_steps = down_steps = None
    applies: bool | None = True
    if compiled.when is not None:
        trace = Trace(every_item=True)
        applies = compiled.when(work, facts, trace)
        when_steps = _tree(trace.events)
        unknown.update(trace.unknown)
    result: bool | None = None
    downgraded = False
    if applies is True:  # as the engine: the requirement is only looked at when the rule applies
        trace = Trace(every_item=True)
        result = compiled.require(work, facts, trace)
        require_steps = _tree(trace.events)
        unknown.update(trace.unknown)
        if result is False and compiled.downgrade is not None:
            trace = Trace(every_item=True)
            downgraded = compiled.downgrade(work, facts, trace) is True
            down_steps = _tree(trace.events)
    if applies is False:
        outcome = "not_applicable"
    elif applies is None or result is None:
        outcome = "unknown"
    elif result:
        outcome = "passed"
    else:
        outcome = "downgraded" if downgraded else "fired"
    finding = None
    if outcome in ("fired", "downgraded", "unknown"):
        status = "unknown" if outcome == "unknown" else "fail"
        verdict = Verdict(compiled.rule, env, status, downgraded, binding_key(env, compiled.names))
        f = checker.builder.build(verdict, facts, doc)
        finding = {"severity": f.severity, "message": f.message, "line": f.line, "column": f.column,
                   "pointer": f.pointer, "fingerprint": f.fingerprint, **_cell(f.cell)}
    facts_needed = []
    if outcome == "unknown":
        for pointer, path in sorted(unknown.items()):
            line, column = doc.locate(pointer)
            facts_needed.append(Fact(path, pointer, line, column, _cell_of(doc, pointer)))
    witnesses = [_entity(n, v, doc) for n, v in work.items()
                 if n not in env and n != "submission" and isinstance(v, dict)]
    return BindingExplanation(bindings, outcome, when_steps, require_steps, down_steps, facts_needed, witnesses,
                              finding)


def _cell_of(doc: Document, pointer: str) -> str | None:
    cell_of = getattr(doc, "cell_of", None)  # a workbook: 'sheet'!C7
    return cell_of(pointer) if cell_of else None


def _cell(cell: str | None) -> dict[str, Any]:
    return {"cell": cell} if cell else {}


def _entity(name: str, value: Any, doc: Document) -> dict[str, Any]:
    if isinstance(value, dict):
        pointer = value.get(POINTER, "")
        line, column = doc.locate(pointer)
        out = {"name": name, "id": value.get("id"), "pointer": pointer, "line": line, "column": column,
               **_cell(_cell_of(doc, pointer))}
        if isinstance(value.get("name"), str) and value["name"].strip():
            out["label"] = value["name"].strip()
        return out
    return {"name": name, "id": None, "pointer": None, "value": _plain(value), "line": 0, "column": 0}


def _tree(events: list[dict[str, Any]]) -> list[Step]:
    """Events in evaluation order → a tree: a quantifier's items come before it, one level deeper."""
    pending: dict[int, list[Step]] = {}
    for e in events:
        depth = e["depth"]
        children = pending.pop(depth + 1, [])
        quantifier = "operand" not in e
        pending.setdefault(depth, []).append(Step(
            _clean(e["condition"]), e["result"], _plain(e.get("value")), _plain(e.get("operand")), e.get("line", 0),
            quantifier and not e.get("group"), children, e.get("item"), bool(e.get("group")),
        ))
    top = pending.get(0, [])
    if len(top) == 1 and top[0].group and top[0].condition == "all of":  # the rule's own top-level list
        return top[0].children
    return top


def _clean(text: str) -> str:
    """Condition text with stable set order, ISO dates and operators as symbols."""
    def sorted_set(m: re.Match[str]) -> str:
        try:
            items = ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            return m.group(0)
        return "[" + ", ".join(sorted(map(str, items))) + "]"

    text = _FROZENSET.sub(sorted_set, text)
    text = _DATE.sub(lambda m: dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), text)
    m = _COMPARE.match(text)
    if m and m[2] == "is_set":  # "x is set: False" reads as "x is not given"
        return f"{m[1]} is given" if m[3].strip() == "True" else f"{m[1]} is not given"
    return f"{m[1]} {OPS[m[2]]} {m[3]}" if m else text


def _plain(value: Any) -> Any:
    """JSON-safe and stable: sets sorted, dates as text."""
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return value.get("id", value.get(POINTER))
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# ------------------------------------------------------------------------------------------- render
def to_dict(ex: Explanation, lang: str) -> dict[str, Any]:
    from . import __version__

    rule = dict(ex.rule)
    rule["title"] = ex.rule["title"][lang]
    rule["citation"] = citation(ex.rule["article"], ex.rule["paragraph"], None, lang)
    items = []
    for it in ex.items:
        entry: dict[str, Any] = {
            "bindings": it.bindings, "outcome": it.outcome, "why": _why(it, lang),
            "when": _steps(it.when), "require": _steps(it.require), "downgrade": _steps(it.downgrade),
            "unknown_facts": [{k: v for k, v in vars(f).items() if k != "cell" or v} for f in it.unknown],
            "decided_by": it.witnesses,
        }
        if it.finding is not None:
            entry["finding"] = {**it.finding, "message": it.finding["message"][lang]}
        items.append(entry)
    return {
        "tool": {"name": "egov-rules", "version": __version__},
        "lang": lang, "file": ex.file, "submission": ex.submission, "as_of": ex.as_of, "rule": rule,
        "in_force": ex.in_force, "summary": ex.counts(), "bindings": items,
    }


def _steps(steps: list[Step] | None) -> list[dict[str, Any]] | None:
    return None if steps is None else [s.to_dict() for s in steps]


def render_json(ex: Explanation, lang: str = "en") -> str:
    return json_text(json.dumps(to_dict(ex, lang), ensure_ascii=False, indent=2)) + "\n"


def render_table(ex: Explanation, lang: str = "en") -> str:
    text = _render_table(ex, lang)
    return zh_punct(text) if lang == "zh" else text


def _render_table(ex: Explanation, lang: str = "en") -> str:
    r = ex.rule
    cite = citation(r["article"], r["paragraph"], None, lang)
    out = [
        f"{r['id']} — {cite}: {r['title'][lang]}",
        f"{t(L['rule_file'], lang)} {r['file']}:{r['line']}  {t(L['severity'], lang)}: "
        f"{t(SEVERITY[r['severity']], lang)}  {t(L['art44'], lang)}: "
        f"{t(CLASS.get(r['art44'], (r['art44'],) * 2), lang)}",
        f"{ex.file}" + (_paren(ex.submission, lang, " ") if ex.submission else "") + _comma(lang)
        + f"{t(L['as_of'], lang)} {ex.as_of}",
    ]
    if not ex.in_force:
        out += ["", t(L["not_in_force"], lang)]
        return "\n".join(out) + "\n"
    c = ex.counts()
    out.append(t(L["summary"], lang).format(n=len(ex.items), fired=c["fired"] + c["downgraded"],
                                            passed=c["passed"], unknown=c["unknown"], na=c["not_applicable"]))
    if not ex.items:
        out += ["", t(L["none_checked"], lang)]
    for n, it in enumerate(ex.items, 1):
        names = ", ".join(f"{b['name']} = {_label(b, lang)}" for b in it.bindings)
        colon = "：" if lang == "zh" else ": "
        out += ["", f"[{n}] {names}", f"    {t(L[it.outcome], lang)}{colon}{_why(it, lang)}"]
        for key, steps in (("when", it.when), ("require", it.require), ("downgrade", it.downgrade)):
            if steps:
                out.append(f"    {t(L[key], lang)}:")
                out.extend(_step_lines(steps, lang, 3))
        if it.witnesses:
            decided = ", ".join(f"{w['name']} = {_label(w, lang)}" for w in it.witnesses)
            out.append(f"    {t(L['decided_by'], lang)}: {decided}")
        for f in it.unknown:
            where = f.cell or _line(f.line, lang)
            out.append(f"    {t(L['supply'], lang)}: {f.path}{_paren(where + _comma(lang) + f.pointer, lang, ' ')}")
        if it.finding is not None:
            where = it.finding.get("cell") or _line(it.finding["line"], lang)
            head = _paren(t(SEVERITY[it.finding["severity"]], lang) + _comma(lang) + where, lang, " ")
            out.append(f"    → {t(L['finding'], lang)}{head}: {it.finding['message'][lang]}")
    return clean("\n".join(out)) + "\n"  # values quote the input: no control or bidi character


def _label(b: dict[str, Any], lang: str = "en") -> str:
    text = str(b["id"] or b.get("pointer") or b.get("value"))
    if b.get("label") and b.get("id"):
        text = named(str(b["id"]), b["label"], lang)
    if b.get("cell"):  # a workbook: 'sheet'!C7
        return f"{text}（{b['cell']}）" if lang == "zh" else f"{text} ({b['cell']})"
    if not b.get("line"):
        return text
    return f"{text}（{_line(b['line'], lang)}）" if lang == "zh" else f"{text} ({_line(b['line'], lang)})"


def _paren(text: str, lang: str, gap: str = "  ") -> str:
    """An aside after a condition or a name: full-width parentheses in Chinese (no gap before them)."""
    return f"（{text}）" if lang == "zh" else f"{gap}({text})"


def _comma(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def _line(n: int, lang: str) -> str:
    return f"第{n}行" if lang == "zh" else f"line {n}"


def _step_lines(steps: list[Step], lang: str, depth: int) -> list[str]:
    lines = []
    pad = "  " * depth
    for s in steps:
        result = t(L["null" if s.result is None else ("true" if s.result else "false")], lang)
        if s.item:  # one candidate the quantifier examined, and the first test it failed
            verdict = t(L["matches" if s.result else ("undecided" if s.result is None else "no_match")], lang)
            failed = _first_failed(s) if s.result is not True else None
            because = ""
            if failed is not None:
                because = (f"{'：' if lang == 'zh' else ': '}{failed.condition}"
                           + _paren(f"{t(L['value'], lang)} {_show(failed.value, lang)}", lang, " "))
            colon = "：" if lang == "zh" else ": "
            lines.append(f"{pad}- {t(L['candidate'], lang)} {s.item} = {_show(s.value, lang)}{colon}{verdict}{because}")
            lines.extend(_step_lines(s.children, lang, depth + 1))
            continue
        if s.group:
            lines.append(f"{pad}[{result}] {t(L[s.condition.replace(' ', '_')], lang)}:")
            lines.extend(_step_lines(s.children, lang, depth + 1))
            continue
        if s.condition.endswith((" is given", " is not given")):  # the value says it all
            shown = _show(None if s.value in (None, "none") else s.value, lang)
            lines.append(f"{pad}[{result}] {s.condition}" + _paren(f"{t(L['value'], lang)} {shown}", lang))
            lines.extend(_step_lines(s.children, lang, depth + 1))
            continue
        if s.quantifier:
            seen = (f"{t(L['found'], lang)} {_show(s.value, lang)}" if s.value is not None
                    else t(L["none_found"], lang))
            lines.append(f"{pad}[{result}] {s.condition}" + _paren(seen, lang))
        else:
            vs = f"{_comma(lang)}{t(L['vs'], lang)} {_show(s.operand, lang)}" if s.operand is not None else ""
            lines.append(f"{pad}[{result}] {s.condition}"
                         + _paren(f"{t(L['value'], lang)} {_show(s.value, lang)}{vs}", lang))
        lines.extend(_step_lines(s.children, lang, depth + 1))
    return lines


def _first_failed(step: Step) -> Step | None:
    """The deepest test that did not hold: what ruled a candidate out."""
    for child in step.children:
        if child.result is not True:
            return _first_failed(child) if (child.children and not child.quantifier) else child
    return None


def _show(value: Any, lang: str = "en") -> str:
    if value is None:
        return "未填写" if lang == "zh" else "not given"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, lang) for v in value) + "]"
    if value == "none":
        return "无" if lang == "zh" else "none"
    if isinstance(value, str) and "_" in value and "." not in value:
        return clean(value_label(value, lang), newlines=False)
    return clean(str(value), newlines=False)  # a value is one line: a newline in it must not fake a step


def _why(it: BindingExplanation, lang: str) -> str:
    if it.outcome == "not_applicable":
        return t(L["why_na"], lang) + _failed(it.when, False, lang)
    if it.outcome == "passed":
        return t(L["why_passed"], lang)
    if it.outcome == "unknown":
        return t(L["why_unknown"], lang) + ": " + (("、" if lang == "zh" else ", ").join(f.path for f in it.unknown)
                                                     or "?")
    base = t(L["why_down" if it.outcome == "downgraded" else "why_fired"], lang)
    return base + _failed(it.require, False, lang)


def _failed(steps: list[Step] | None, result: bool, lang: str) -> str:
    """The top-level conditions that came out ``result``: the ones that decided it."""
    hit = [t(L[s.condition.replace(" ", "_")], lang) if s.group else s.condition
           for s in steps or [] if s.result is result]
    return (": " if lang == "en" else "：") + "; ".join(hit) if hit else ""
