"""The interview ends, whatever a reviewer answers: random answers (any option, "unknown", new entities,
lists grown and closed) from nothing reach a state with no question left, without a loop on an input error.
Answers the interview refuses are replaced as a reviewer reading the refusal would (a year, a code)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_rules.check import Checker
from egov_rules.interview import UNKNOWN, AnswerError, Interview, Question, schema
from egov_rules.interview.core import ADD, DONE

MAX_ANSWERS = 1500


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _answer(q: Question, rng: random.Random, added: dict[str, int]) -> str | list[str]:
    if q.kind == "items":
        if added.get(q.pointer, 0) < 2 and rng.random() < 0.5:
            added[q.pointer] = added.get(q.pointer, 0) + 1
            return ADD
        return DONE
    if q.nullable and rng.random() < 0.3:
        return UNKNOWN
    if q.kind == "enum" and q.choices:
        return rng.choice(q.choices)[0]
    if q.kind == "ref":
        if q.choices and rng.random() < 0.7:
            return rng.choice(q.choices)[0]
        return f"__new__:{(q.new_collections or (q.new_collection,))[0]}/n{rng.randrange(10**6)}"
    if q.kind == "refs":
        return [c[0] for c in q.choices[:1]]
    if q.kind == "bool":
        return rng.choice(["true", "false"])
    if q.kind == "date":
        return rng.choice(["2014-05-01", "2016-03-01", "2019-12-31"])
    if q.kind in ("int", "number"):
        return str(rng.randrange(0, 5))
    if q.kind == "strs":
        return "a"
    return rng.choice(["x", "person.n"]) + str(rng.randrange(1000))


def _after_refusal(q: Question, n: int) -> str:
    """What a reviewer types after reading the refusal."""
    if q.nullable:
        return UNKNOWN
    if q.kind in ("ref", "refs"):
        return f"__new__:{(q.new_collections or (q.new_collection,))[0]}/f{n}"
    if q.choices:
        return q.choices[0][0]
    if q.kind in ("int", "number"):  # the least the field takes (an article number, a year), else 2016
        low, high = schema.number_bounds(q.entity, q.path)
        return str(int(low)) if low is not None else str(int(min(2016, high if high is not None else 2016)))
    return {"date": "2016-01-01", "bool": "false"}.get(q.kind, f"person.x{n}")


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), lang=st.sampled_from(["zh", "en"]))
def test_random_answers_reach_the_end(checker: Checker, seed: int, lang: str) -> None:
    rng = random.Random(seed)
    interview = Interview(checker, lang=lang)
    added: dict[str, int] = {}
    for n in range(MAX_ANSWERS):
        questions = interview.next_questions(1)
        if not questions:
            break
        q = questions[0]
        try:
            interview = interview.with_answer(q.pointer, _answer(q, rng, added))
        except AnswerError:
            interview = interview.with_answer(q.pointer, _after_refusal(q, n))
    else:
        pytest.fail(f"no end after {MAX_ANSWERS} answers; the last question: {q.pointer} ({q.error})")
    _, result, error = interview.check()
    assert error is None and result is not None
