"""durable_rules 2.0.28 reads past a pattern's join-expression sequence when an ``$and`` short-circuits on its
last join test (events.c, ``reduceExpressionSequence``: the skip to the group's end steps before it looks,
so it steps over that OP_END; valgrind: "Invalid read" under ``isBetaMatch``).  The translation closes every
pattern that joins with an always-true group of its own (``patterns.CLOSING_GROUP``).

The C loop is modelled here as written (rete.c builds the sequence: one entry per ``$and``/``$or``, one per
join test, one OP_END per group), and every pattern of the whole rulebook's rulesets is run through it with
each join test the one that fails (or, in an ``$or``, the one that holds): no read may fall outside the
sequence, and the closing group may not change the pattern's outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rule_fixtures import require_durable
from test_durable_engine import CASES, checkers

from egov_rules.check import Checker

AND, OR, END, JOIN = "$and", "$or", "END", "JOIN"
OPERATORS = {"$lt", "$lte", "$gt", "$gte", "$eq", "$neq", "$ex", "$nex", "$mt", "$imt"}


class Overrun(Exception):
    pass


def sequence(test: dict[str, Any]) -> list[str]:
    """The join-expression sequence durable builds for one pattern's test (rete.c createAlpha/findAlpha)."""
    [(key, value)] = test.items()
    if key in (AND, OR):
        return [key, *(e for item in value for e in sequence(item)), END]
    if key in ("$iany", "$iall"):
        return []  # tests on the fact's own list: alpha nodes only
    if key in OPERATORS:
        [(_, value)] = value.items()
    # a value naming another binding ({"sub": "f4"}) is a join test; "$m" names a field of the fact itself
    return [JOIN] if isinstance(value, dict) and "$m" not in value else []


def reduce_sequence(seq: list[str], outcome: Callable[[int], bool]) -> bool:
    """events.c ``isBetaMatch`` -> ``reduceExpressionSequence``, step by step; ``outcome(i)`` is the i-th
    entry's join test.  Raises Overrun where durable would read an entry past the sequence."""
    i = 0

    def read(at: int) -> str:
        if at >= len(seq):
            raise Overrun(f"entry {at} of a sequence of {len(seq)}: {seq}")
        return seq[at]

    def reduce(operator: str | None) -> bool:
        nonlocal i
        result = True
        while i < len(seq):
            current = i
            entry = read(current)
            if entry == END:
                return result
            if entry in (AND, OR):
                i += 1
                result = reduce(entry)
            else:
                result = outcome(current)
                i += 1
            if (operator == AND and not result) or (operator == OR and result):
                while read(current) != END:  # the skip to the group's end, as written in C
                    i += 1
                    current = i
                return result
        return result

    return reduce(None)


def scenarios(seq: list[str]) -> Iterator[dict[int, bool]]:
    """Every short-circuit point: all tests hold, none holds, exactly one fails, exactly one holds."""
    joins = [i for i, e in enumerate(seq) if e == JOIN]
    yield dict.fromkeys(joins, True)
    yield dict.fromkeys(joins, False)
    for j in joins:
        yield {i: i != j for i in joins}
        yield {i: i == j for i in joins}


def patterns(checker: Checker) -> Iterator[tuple[str, dict[str, Any]]]:
    definitions = checker.engine.definitions  # type: ignore[attr-defined]
    for ruleset, rules in definitions.items():
        for rule_name, rule in rules.items():
            for pattern in rule["all"]:
                [(binding, test)] = pattern.items()
                yield f"{ruleset}.{rule_name}.{binding}", test


def assert_no_overrun(checker: Checker) -> int:
    joined = 0
    for where, test in patterns(checker):
        seq = sequence(test)
        joined += JOIN in seq
        for outcomes in scenarios(seq):
            try:
                result = reduce_sequence(seq, outcomes.__getitem__)
            except Overrun as exc:
                raise AssertionError(f"{where}: durable reads past the join sequence: {exc}\n{test}") from None
            if JOIN in seq and seq[0] == AND:  # the closing group never changes a conjunction's outcome
                assert result == all(outcomes.values()), where
    return joined


def test_the_model_finds_the_read_past_the_sequence_that_valgrind_found() -> None:
    # the pattern of the valgrind report (case "is_set, is_a, count ..."), as translated before the fix
    unguarded = {AND: [{"t": "information_systems"}, {"f0s": "v"}, {"$lt": {"f0": {"sub": "f4"}}}]}
    assert sequence(unguarded) == [AND, JOIN, END]
    with pytest.raises(Overrun):
        reduce_sequence(sequence(unguarded), lambda i: False)
    assert reduce_sequence(sequence(unguarded), lambda i: True) is True
    # a failing join test that is not the last one happens to stop on the group's end
    assert reduce_sequence([AND, JOIN, JOIN, END], {1: False, 2: True}.__getitem__) is False
    # and a group stops at the end of a nested group: the join test after it is never evaluated (why the
    # translation keeps joining patterns flat and puts the closing group last)
    assert reduce_sequence([AND, AND, END, JOIN, END], {3: False}.__getitem__) is True


def test_no_pattern_of_the_rulebook_makes_durable_read_past_its_join_sequence() -> None:
    require_durable()
    assert assert_no_overrun(Checker(engine="durable")) > 100  # the rulebook joins in hundreds of patterns


def test_no_pattern_of_a_construct_makes_durable_read_past_its_join_sequence(tmp_path: Path) -> None:
    joined = 0
    for i, case in enumerate(sorted(CASES)):
        (tmp_path / str(i)).mkdir()
        _, durable = checkers(tmp_path / str(i), CASES[case][0])
        joined += assert_no_overrun(durable)
    assert joined > 10
