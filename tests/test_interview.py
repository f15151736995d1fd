"""The guided interview as a library: questions come from the schema and the engine; a scripted reviewer
reaches a valid submission with the expected findings; back and change work; bad answers are refused."""

from __future__ import annotations

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


@pytest.mark.parametrize("fixture", ["02_municipal_own_datacentre.yaml", "11_municipal_sharing_refusals.yaml"])
def test_scripted_reviewer_reaches_a_valid_submission_with_the_expected_findings(checker: Checker,
                                                                                   fixture: str) -> None:
    """Answering from the fixture file, starting empty: the interview ends, the submission checks without an
    input error, it has every violation of the fixture and the same Art 44 decision.  (It may have more:
    a fact whose absence means "none" -- an unreferenced unified platform, a null filing -- is not asked.)"""
    path = FIXTURES / fixture
    iv, asked = run(Interview(checker, lang="en"), load_document(path).data)
    assert iv.next_questions() == []
    _, result, error = iv.check()
    assert error is None and result is not None
    reference = checker.check_path(path)
    assert {(f.rule, f.subject_id) for f in result.findings if f.severity == "violation"} >= \
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
