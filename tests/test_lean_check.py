"""The lean parts of a whole check (issue 15): the time limit, names worked out on first read, finding texts
put together from cached layouts, waivers matched through an index, the decision without findings.

Each shortcut is held to what it replaces: the time limit still stops a runaway body and leaves no handler
and no timer behind, whatever ends the body; lazy names give the same reports as eager ones, also through a
pickle (the batch's workers); cached Chinese layouts give the texts that tidying each text whole gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import pickle
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EXAMPLES, document, rulebook, submissions

from egov_rules.batch import _portable
from egov_rules.check import Checker, Report, entity_names, submission_info
from egov_rules.deadline import time_limit
from egov_rules.decisions.findings import _REF, FindingBuilder, question_text, render_value
from egov_rules.decisions.sanctions import STAGES, decide
from egov_rules.decisions.waivers import Waiver, Waivers
from egov_rules.errors import LimitExceeded
from egov_rules.input.load import Limits, load_document
from egov_rules.reports import FORMATS, RenderOptions, render
from egov_rules.text.zh import fill_zh_layout, tidy_zh, tidy_zh_layout, value_edges

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CHECKER = Checker(rulebook=rulebook())


def no_timer_left() -> bool:
    return signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def spin() -> None:
    while True:  # a runaway rule: only the timer can end it
        pass


@pytest.fixture
def own_handler() -> Iterator[list[int]]:
    """The program's own SIGALRM handler, put back afterwards whatever the test did."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: seen.append(signum))
    try:
        yield seen
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------------------------ time limit
def test_time_limit_stops_a_runaway_body_and_leaves_nothing_behind() -> None:
    with pytest.raises(LimitExceeded) as info, time_limit(0.05, "runaway.yaml"):
        spin()
    assert "time limit of 0.05 s" in str(info.value) and "--max-seconds" in str(info.value)
    assert info.value.file == "runaway.yaml" and info.value.__cause__ is None
    assert no_timer_left()


@pytest.mark.parametrize("ending", ["normal", "exception", "limit exceeded inside"])
def test_time_limit_leaves_nothing_behind_however_the_body_ends(ending: str) -> None:
    def body() -> None:
        with time_limit(30, "x.yaml"):
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # armed while the body runs
            if ending == "exception":
                raise ValueError("a bug in the body")
            if ending == "limit exceeded inside":
                raise LimitExceeded("loading took longer than 1 s", file="x.yaml")

    if ending == "normal":
        body()
    else:
        with pytest.raises(ValueError if ending == "exception" else LimitExceeded) as info:
            body()
        assert "time limit" not in str(info.value)  # the body's own error, unchanged
    assert no_timer_left()


def test_a_later_check_is_not_hit_by_an_earlier_limit() -> None:
    for _ in range(3):
        with time_limit(0.02, "fast.yaml"):
            pass
    with time_limit(30, "slow.yaml"):
        threading.Event().wait(0.1)  # longer than the earlier limits: none of them may fire now
    assert no_timer_left()


def test_time_limit_leaves_the_programs_own_handler_alone(own_handler: list[int]) -> None:
    mine = signal.getsignal(signal.SIGALRM)
    with time_limit(0.01, "x.yaml"):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # not armed: the handler is the program's
        threading.Event().wait(0.05)
    assert signal.getsignal(signal.SIGALRM) is mine and own_handler == []


def test_nested_time_limits_keep_the_outer_one() -> None:
    with pytest.raises(LimitExceeded) as info, time_limit(0.05, "outer.yaml"), time_limit(100, "inner.yaml"):
        spin()
    assert "time limit of 0.05 s" in str(info.value) and info.value.file == "outer.yaml"
    assert no_timer_left()


def test_off_the_main_thread_the_body_runs_without_a_timer() -> None:
    seen: dict[str, Any] = {}

    def in_thread() -> None:
        try:
            with time_limit(0.01, "x.yaml"):
                seen["timer"] = signal.getitimer(signal.ITIMER_REAL)
                threading.Event().wait(0.05)
            seen["ended"] = True
        except BaseException as exc:  # reported below, not lost in the thread
            seen["error"] = exc

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == {"timer": (0.0, 0.0), "ended": True}
    assert no_timer_left()


def test_a_check_with_a_runaway_engine_ends_with_the_limit_and_restores_everything(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checker = Checker(rulebook=rulebook(), limits=Limits(max_seconds=0.05))
    monkeypatch.setattr(checker.engine, "run", lambda facts, deadline=None: spin())
    assert gc.isenabled()
    result = checker.check_path(FIXTURES[0])
    assert isinstance(result.error, LimitExceeded) and "time limit of 0.05 s" in str(result.error)
    assert no_timer_left() and gc.isenabled()
    with pytest.raises(LimitExceeded):
        checker.check_path(FIXTURES[0], raise_errors=True)
    assert no_timer_left() and gc.isenabled()


# ------------------------------------------------------------------------------ names worked out lazily
def reports(result: Any, stage: str | None = None) -> list[str]:
    report = Report([result], CHECKER.rulebook, CHECKER.engine.name, stage=stage)
    return [render(report, fmt, RenderOptions(lang=lang)) for fmt in FORMATS for lang in ("en", "zh")]


@pytest.mark.parametrize("path", FIXTURES[:6], ids=lambda p: p.name)
def test_lazy_names_give_the_reports_eager_names_give(path: Path) -> None:
    lazy = CHECKER.check_path(path)
    eager = CHECKER.check_path(path)
    facts = CHECKER.validate(load_document(path))
    eager.names, eager.info = entity_names(facts), submission_info(facts)  # given, as before they were lazy
    assert reports(lazy) == reports(eager)
    assert lazy.names == eager.names and lazy.info == eager.info and lazy.names  # the fixtures name entities
    shipped = pickle.loads(pickle.dumps(_portable(CHECKER.check_path(path))))  # a batch worker's result
    assert shipped.facts is None and shipped.names == eager.names and reports(shipped) == reports(eager)


@SETTINGS
@given(base=submissions())
def test_names_read_late_are_the_names_of_the_facts_checked(base: dict[str, Any]) -> None:
    result = CHECKER.check_data(base)
    facts = CHECKER.validate(document(base))
    expected = (entity_names(facts), submission_info(facts))
    copies = [pickle.loads(pickle.dumps(result)), dataclasses.replace(result, runs=[])]
    assert all(c.facts is None and (c.names, c.info) == expected for c in copies)  # worked out, facts left
    assert (result.names, result.info) == expected and dataclasses.replace(copies[0], runs=[]) == copies[1]


def test_the_facts_are_let_go_once_names_and_info_are_worked_out() -> None:
    result = CHECKER.check_path(FIXTURES[1])
    expected = reports(CHECKER.check_path(FIXTURES[1]))
    assert result.facts is not None and result.names  # names read: the facts still serve info
    assert result.facts is not None and result.info["projects"]
    assert result.facts is None  # both worked out: nothing else needs them
    settled = CHECKER.check_path(FIXTURES[1]).settle()
    assert settled.facts is None and reports(settled) == reports(result) == expected


def test_names_given_are_kept_and_an_error_has_none() -> None:
    result = CHECKER.check_path(FIXTURES[0])
    result.names = {"x": "given"}
    assert result.names == {"x": "given"} and result.named("x") == "given (x)"
    failed = CHECKER.check_data({"submission": {}})
    assert failed.error is not None and failed.names == {} and failed.info == {}


# ------------------------------------------------------------------------------------------ finding texts
_MARKS = re.compile("[\ue000-\ue003]")
_MARKED = re.compile("[\ue000\ue002](\\d+)[\ue001\ue003]")


def tidy_whole(parts: list[tuple[str, bool]]) -> str:
    """zh.tidy_zh_parts as it was before layouts: each text marked, tidied and filled in whole."""
    values: list[str] = []
    marked = []
    for text, is_value in parts:
        if is_value:
            head = "\ue000" if text[:1] and not text[:1].isascii() else "\ue002"
            tail = "\ue001" if text[-1:] and not text[-1:].isascii() else "\ue003"
            marked.append(f"{head}{len(values)}{tail}")
            values.append(text)
        else:
            marked.append(_MARKS.sub("", text))
    return _MARKED.sub(lambda m: values[int(m.group(1))], tidy_zh("".join(marked)))


PIECES = st.sampled_from(["项目", "的", " ", "  ", "\n", "(", ")", "（", "，", ",", ":", "?", "a", "ci.33", "B",
                          "1", "“", "”", "\ue000", "\ue003", "。", "数据中心", " x ", "!"])
TEXTS = st.lists(PIECES, max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXTS, st.booleans()), max_size=7), st.lists(TEXTS, min_size=7, max_size=7))
def test_a_chinese_layout_gives_the_text_tidied_whole(parts: list[tuple[str, bool]], others: list[str]) -> None:
    parts = [(" ".join(t.split()) if v else t, v) for t, v in parts]  # values arrive with blanks folded
    shape: list[str | tuple[str, str]] = [value_edges(t) if v else t for t, v in parts]
    layout = tidy_zh_layout(shape)
    values = [t for t, v in parts if v]
    assert fill_zh_layout(layout, values) == tidy_whole(parts)
    # the same layout serves other values with the same edges (what FindingBuilder keeps it for)
    swapped = [(o, v) if v and value_edges(o) == value_edges(t) and o == " ".join(o.split()) else (t, v)
               for (t, v), o in zip(parts, others, strict=False)]
    assert fill_zh_layout(layout, [t for t, v in swapped if v]) == tidy_whole(swapped)


def text_whole(builder: FindingBuilder, parts: Any, env: dict[str, Any], facts: Any, lang: str) -> str:
    """FindingBuilder._text as it was before text plans: every part rendered, then the whole text tidied."""
    out: list[tuple[str, bool]] = []
    for text, path in parts:
        if path is None:
            out.append((text, False))
            continue
        own_id = bool(path.steps) and path.steps[-1].name == "id" and not path.mapped
        value = render_value(builder._value(path, env, facts), lang, _REF if own_id else path.type, facts.by_id)
        out.append((" ".join(value.split()), True))
    return tidy_whole(out) if lang == "zh" else " ".join("".join(t for t, _ in out).split())


def assert_texts_as_whole(data: dict[str, Any]) -> int:
    doc = document(data)
    facts = CHECKER.validate(doc)
    builder = CHECKER.builder
    compared = 0
    for run in CHECKER.engine.run(facts):
        for verdict in run.verdicts:
            indexed = verdict.status == "fail" and builder._may_index(run.rule)  # as build() traces it
            env = builder.native.by_id[run.rule.id].trace(verdict.env, facts, indexed).env
            whole = {kind: {lang: text_whole(builder, parts, env, facts, lang) for lang, parts in langs.items()}
                     for kind, langs in run.rule.templates.items()}
            for kind, langs in run.rule.templates.items():  # every kind, also those a finding leaves out
                for lang, parts in langs.items():
                    assert builder._text(parts, env, facts, lang) == whole[kind][lang]
                    compared += 1
            finding = builder.build(verdict, facts, doc)  # worded through one read-once cache per finding
            if verdict.status == "fail":
                assert (finding.title, finding.message, finding.remediation) == (
                    whole["title"], whole["message"], whole["remediation"])
            else:
                assert finding.title == (whole["question"] if "question" in whole else question_text(whole["title"]))
                assert all(finding.remediation[lang].endswith(whole["remediation"][lang]) for lang in ("en", "zh"))
    return compared


def test_finding_texts_match_the_texts_tidied_whole_on_the_fixtures() -> None:
    assert sum(assert_texts_as_whole(load_document(p).data) for p in FIXTURES) > 100  # findings were compared


@SETTINGS
@given(base=submissions())
def test_finding_texts_match_the_texts_tidied_whole(base: dict[str, Any]) -> None:
    assert_texts_as_whole(base)


def test_an_unknown_finding_is_worded_from_its_question_and_remediation() -> None:
    result = CHECKER.check_path(ROOT / "fixtures" / "07_planning_unknown_facts.yaml")
    unknown = [f for f in result.findings if f.severity == "insufficient"]
    assert unknown
    for f in unknown:
        rule = CHECKER.rulebook.get(f.rule)
        assert rule is not None
        assert f.message["en"].startswith("This cannot be decided because these facts are not given: ")
        assert f.remediation["en"].startswith("Supply ") and "If the facts then show a problem: " in f.remediation["en"]
        if "question" not in rule.templates:
            assert f.title["en"].startswith("Cannot decide whether this applies: ")


def texts_of(result: Any) -> list[tuple[Any, ...]]:
    return [(f.fingerprint, f.title, f.message, f.remediation) for f in result.findings]


FRESH = Checker(rulebook=rulebook())


@SETTINGS
@given(base=submissions())
def test_texts_read_late_are_the_texts_read_at_once(base: dict[str, Any]) -> None:
    at_once = texts_of(FRESH.check_data(base))
    late = CHECKER.check_data(base)
    for path in FIXTURES[:4]:  # other checks in between: the builder's caches grow, other facts come and go
        CHECKER.check_path(path)
    copied = pickle.loads(pickle.dumps(CHECKER.check_data(base)))  # worded when pickled, not read before
    assert texts_of(late) == at_once == texts_of(copied)


def test_a_result_kept_for_the_report_holds_no_facts() -> None:
    from egov_rules.decisions.findings import _Wording

    result = CHECKER.check_path(ROOT / "fixtures" / "07_planning_unknown_facts.yaml")
    assert result.findings and result.facts is not None
    assert all(type(vars(f)["title"]) is _Wording for f in result.findings)  # not worded yet: nothing read
    kept = _portable(result)
    assert kept.facts is None and kept.names == result.names and kept.names
    for f in kept.findings:
        assert not any(type(v) is _Wording for v in vars(f).values())
        assert f.title["en"] and f.message["zh"] and f.remediation["en"].startswith("Supply ")


# ----------------------------------------------------------------------------------- waivers, decisions
def naive_hits(waiver: Waiver, findings: list[Any]) -> list[Any]:
    return [f for f in findings if waiver.matches(f)]


def test_waivers_mark_what_matching_each_finding_marked() -> None:
    result = CHECKER.check_path(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
    keys = sorted({(f.rule, f.subject_id) for f in result.findings})
    assert len(keys) >= 2
    sid = result.id

    def waiver(i: int, rule: str, entity: str, year: int, submission: str | None) -> Waiver:
        return Waiver(rule, entity, "j", "a", f"ref{i}", dt.date(year, 1, 1), submission, "w.yaml", i, 1)

    items = [waiver(0, *keys[0], 2030, "another"), waiver(1, *keys[0], 2030, None),
             waiver(2, *keys[0], 2030, sid),  # also matches: the first matching one is reported
             waiver(3, *keys[1], 2000, None),  # expired
             waiver(4, keys[0][0], "nobody", 2030, None)]  # unused
    checker = Checker(rulebook=CHECKER.rulebook, waivers=Waivers("w.yaml", items))
    waived = checker.check_path(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
    by_ref = {f.fingerprint: (f.waived or {}).get("approval_ref") for f in waived.findings}
    expected = {f.fingerprint: "ref1" for f in naive_hits(items[1], waived.findings)}
    assert {k: v for k, v in by_ref.items() if v} == expected and expected
    assert [(n["kind"], n["line"]) for n in waived.notices] == [("waiver_expired", 3), ("waiver_unused", 4)]
    assert f"({len(naive_hits(items[3], waived.findings))} finding" in waived.notices[0]["message"]["en"]


@pytest.mark.parametrize("stage", [*STAGES, None])
@pytest.mark.parametrize("severity", ["serious", "minor", None])
def test_a_project_without_findings_gets_what_one_with_only_waived_findings_gets(
        stage: str | None, severity: str | None) -> None:
    found = CHECKER.check_path(ROOT / "fixtures" / "04_provincial_programme_unfiled.yaml").findings
    assert found
    waived = [dataclasses.replace(f, waived={"rule": f.rule}) for f in found]  # skipped one by one, full path
    assert decide("prj.x", stage, severity, []) == decide("prj.x", stage, severity, waived)
