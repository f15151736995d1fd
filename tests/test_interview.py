"""The guided interview as a library: questions come from the schema and the engine; a scripted reviewer
reaches a valid submission with the expected findings; back and change work; bad answers are refused."""

from __future__ import annotations

from typing import Any

import pytest
from service_support import FIXTURES

from egov_rules.check import Checker
from egov_rules.input.load import load_document
from egov_rules.interview import UNKNOWN, AnswerError, Interview
from egov_rules.interview.scripted import run


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def test_starts_with_the_submission_then_the_project_and_its_unit(checker: Checker) -> None:
    iv = Interview(checker, lang="zh")
    assert [q.pointer for q in iv.next_questions(1)] == ["/submission/id"]
    iv = iv.with_answer("/submission/id", "t1").with_answer("/submission/as_of", "2020-01-01")
    kind = iv.next_questions(1)[0]
    assert kind.kind == "enum" and {v for v, _ in kind.choices} == {"project_proposal", "unit_review", "mixed"}
    iv = iv.with_answer("/submission/kind", "project_proposal")
    pointers = [q.pointer for q in iv.next_questions(4)]
    assert pointers[0] == "/projects/0/id" and "/projects/0/unit" in pointers


def test_references_are_pick_lists_of_entered_entities(checker: Checker) -> None:
    iv = (Interview(checker).with_answer("/submission/id", "t2").with_answer("/submission/as_of", "2020-01-01")
          .with_answer("/submission/kind", "project_proposal").with_answer("/projects/0/id", "p1")
          .with_answer("/projects/0/unit", "__new__:u1"))
    assert iv.draft["units"] == [{"id": "u1"}]
    network = iv.question("/projects/0/network", "format")
    assert network.kind == "ref" and network.new_collection == "platforms" and network.choices == []
    with pytest.raises(AnswerError):
        iv.with_answer("/projects/0/network", "not-entered")  # neither an entered entity nor a new id


def test_bad_answers_are_refused_with_a_message(checker: Checker) -> None:
    iv = Interview(checker).with_answer("/submission/id", "t3")
    with pytest.raises(AnswerError) as err:
        iv.with_answer("/submission/as_of", "31/01/2020")
    assert "YYYY-MM-DD" in err.value.message["en"] and "日期" in err.value.message["zh"]
    with pytest.raises(AnswerError):
        iv.with_answer("/submission/kind", "something_else")
    with pytest.raises(AnswerError):
        iv.with_answer("/submission/as_of", UNKNOWN)  # required and not nullable: unknown is no answer


def test_back_and_change(checker: Checker) -> None:
    iv = Interview(checker).with_answer("/submission/id", "a").with_answer("/submission/as_of", "2020-01-01")
    assert iv.back().next_questions(1)[0].pointer == "/submission/as_of"
    changed = iv.with_answer("/submission/id", "b")
    assert changed.draft["submission"]["id"] == "b" and len(changed.answers) == 2


@pytest.mark.parametrize("fixture", [
    "02_municipal_own_datacentre.yaml", "11_municipal_sharing_refusals.yaml",
    "09_municipal_approved_own_dc.yaml",  # the approval is in a list nothing points to: it must be asked for
    "05_county_own_room_and_hall.yaml",  # a directory entry's optional kind decides a rule: asked
    "07_planning_unknown_facts.yaml",  # an optional consent record: its required parts asked, no loop
])
def test_scripted_reviewer_reaches_a_valid_submission_with_the_expected_findings(checker: Checker,
                                                                                   fixture: str) -> None:
    """Answering from the fixture file, starting empty: the interview ends, the submission checks without an
    input error, and it has exactly the fixture's violations and the same Art 44 decisions: the interview
    offers every list a rule goes through or searches, and the optional facts rules read, so nothing a
    rule concludes from rests on a fact the reviewer was never asked."""
    path = FIXTURES / fixture
    iv, asked = run(Interview(checker, lang="en"), load_document(path).data)
    assert iv.next_questions() == []
    _, result, error = iv.check()
    assert error is None and result is not None
    reference = checker.check_path(path)
    assert {(f.rule, f.subject_id) for f in result.findings if f.severity == "violation"} == \
        {(f.rule, f.subject_id) for f in reference.findings if f.severity == "violation"}
    assert [d.outcome for d in result.decisions] == [d.outcome for d in reference.decisions]
    assert asked > 0
    # the YAML it downloads is a submission the checker reads the same way
    again = checker.check_bytes(iv.yaml().encode("utf-8"), "again.yaml", raise_errors=True)
    assert [d.outcome for d in again.decisions] == [d.outcome for d in result.decisions]


def test_insufficient_facts_become_questions_naming_their_article(checker: Checker) -> None:
    data = load_document(FIXTURES / "07_planning_unknown_facts.yaml").data
    iv = Interview(checker, base=data, lang="zh")
    questions = iv.next_questions()
    assert questions and all(q.source == "rules" and q.rules for q in questions)
    assert any(r.startswith("第") for q in questions for r in q.rules)
    answered = iv
    for q in questions:
        answered = answered.with_answer(q.pointer, UNKNOWN)
    assert not {q.pointer for q in questions} & {q.pointer for q in answered.next_questions()}


def test_lists_rules_search_are_offered_and_optional_facts_rules_read_are_asked(checker: Checker) -> None:
    """The rulebook read once: approvals are searched (Art 17's data centre approval), a directory entry's
    kind is read (Art 28); an interview from nothing asks for both, citing the articles."""
    from egov_rules.interview.rule_reads import fields_read, rule_collections
    assert "approvals" in rule_collections(checker.rulebook)
    assert "kind" in fields_read(checker.rulebook, "apps_services_directory")
    assert any(cite[0] == 28 for cite in fields_read(checker.rulebook, "apps_services_directory")["kind"])
    from egov_rules.interview.scripted import answer_for
    reference = load_document(FIXTURES / "05_county_own_room_and_hall.yaml").data
    iv = Interview(checker, lang="en")
    seen: dict[str, Any] = {}
    for _ in range(2000):
        questions = iv.next_questions(1)
        if not questions:
            break
        q = questions[0]
        seen[q.pointer] = q
        iv = iv.with_answer(q.pointer, answer_for(q, reference, iv))
    assert "/approvals" in seen
    kind = seen["/apps_services_directory/0/kind"]
    assert kind.source == "confirm" and any("28" in cite for cite in kind.rules)


def test_an_optional_record_given_in_part_asks_what_it_requires(checker: Checker) -> None:
    """A consent record with only "obtained": the format asks its other required parts (not "obtained"
    again, which went round in circles)."""
    data = load_document(FIXTURES / "07_planning_unknown_facts.yaml").data
    data["collection_items"][0]["consent"] = {"obtained": True}
    slots = [p for p, _ in Interview(checker, base=data, lang="en").format_slots()]
    assert "/collection_items/0/consent/purpose_stated" in slots
    assert "/collection_items/0/consent/scope_stated" in slots
    assert "/collection_items/0/consent/obtained" not in slots


def test_a_pattern_answer_is_refused_in_words_of_what_the_field_takes(checker: Checker) -> None:
    """A data element code is not an id: the refusal says what the field takes, in the reader's words,
    and the Chinese one shows no regular expression."""
    iv = Interview(checker, lang="zh")
    with pytest.raises(AnswerError) as refused:
        iv.with_answer("/info_resources/0/elements/0", "Person Name")
    assert "data element code" in refused.value.message["en"]
    zh = refused.value.message["zh"]
    assert "数据元代码" in zh and "^" not in zh and "[" not in zh
    with pytest.raises(AnswerError) as refused_id:
        iv.with_answer("/projects/0/id", "项目 一")
    assert "an id" in refused_id.value.message["en"] and "编号" in refused_id.value.message["zh"]


def test_unknown_for_a_list_of_references_is_an_empty_list(checker: Checker) -> None:
    base = load_document(FIXTURES / "09_municipal_approved_own_dc.yaml").data
    iv = Interview(checker, base=base, lang="en").with_answer("/plans/0/includes_projects", UNKNOWN)
    assert iv.draft["plans"][0]["includes_projects"] == []


def test_an_answer_about_an_entity_not_entered_is_refused(checker: Checker) -> None:
    """A form posted by hand can name any pointer: one into an entity the draft lacks is refused with a
    message, not an IndexError (a 500 on the page)."""
    iv = Interview(checker, lang="en")
    with pytest.raises(AnswerError) as refused:
        iv.with_answer("/plans/5/includes_projects", UNKNOWN)
    assert "no such question" in refused.value.message["en"] and "没有这个问题" in refused.value.message["zh"]


def test_a_number_outside_the_field_bounds_is_refused_when_answered(checker: Checker) -> None:
    """A year given as 1: refused at once with the range, not accepted and then reported as an input error
    on the next page (which asked the same question again)."""
    base = load_document(FIXTURES / "13_county_tsu_oversight.yaml").data
    iv = Interview(checker, base=base, lang="zh")
    with pytest.raises(AnswerError) as refused:
        iv.with_answer("/tsu_evaluations/0/period", "1")
    assert "1000" in refused.value.message["en"] and "9999" in refused.value.message["zh"]
    assert iv.with_answer("/tsu_evaluations/0/period", "2019").draft["tsu_evaluations"][0]["period"] == 2019
