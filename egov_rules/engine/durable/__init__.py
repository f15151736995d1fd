"""The durable_rules engine: the same rules, matched by durable_rules' Rete network (``--engine durable``).

It gives the same verdicts as the native engine by another route, so each engine checks the other.
Rulesets are built from data (dicts given to ``Host.set_rulesets``, no decorators), from the
engine-independent rule AST:

* **Facts.**  Each entity a rule can bind becomes a fact; a binding over a list inside another binding
  (``project.components``, ``system.accesses_shared_sensitive``) gets one *link* fact per element, owned by
  the fact of the outer binding.  Every path a rule reads from a binding (``component.platform.unified``)
  is materialised on that binding's facts by the native path reader: a value field and a state field
  (``v`` a value, ``u`` unknown, ``a`` there is none), because durable has no null, takes a missing field
  as "every comparison is false", and fails on a missing field of another fact.  Following a reference is
  a lookup done there; durable does the logic: comparisons, joins between bindings, quantifiers, negation
  and the three-valued outcome.
* **Three-valued logic.**  Each condition is compiled into durable patterns for four polarities: true,
  false, not true, not false (disjunctive normal form over patterns; each comparison guards on the state
  fields, except where the schema says a path is never null).  Per ``for_each`` combination: a false
  ``when`` is not applicable, a true ``when`` with a true or false ``require`` passes or fails, anything
  else is unknown.
* **Strata.**  Negating a body that needs more than one pattern (``none``/``every`` over a join) uses a
  fact derived in a lower stratum; each stratum starts when its ``$gate`` fact is asserted, after every fact
  it may negate (durable's negation depends on fact order: docs of the durable_rules trials).
* **Durable's limits, measured** (see ``Compiler``): tests of a pattern that read another fact are only
  reliable as a flat conjunction (so disjunctions split into alternative rules, and a nested test of a
  fact's own fields moves into a *view*); one fact never binds two patterns of a rule (so the second
  pattern on a kind reads a *replica*); 29 join tests per pattern; 256 patterns per alpha node and a
  traversal stack of 64 (so the rules are spread over rulesets of ``CHUNK`` rules, each sent only the facts
  and fields it reads); about 250 fields per fact.
* **Traps** (the durable_rules notes): every rule starts with the gate pattern; a catch-all rule; an action
  that runs first in every session; a ``Host`` without background dispatcher threads; ``delete_state`` in a
  ``finally``; exceptions raised out of ``state["exception"]``; results kept in sets (``$or`` and joins
  fire more than once); unique fact ids.
* **Durable's out-of-bounds read.**  Its C core short-circuits a false join test that is last in an ``$and``
  by scanning past the pattern's expression sequence (valgrind: an invalid read under ``isBetaMatch``, a
  segfault depending on the heap), so every pattern that joins ends with an always-true group of its own
  (``patterns.CLOSING_GROUP``; it takes two of the sequence's 31 entries, hence 29 join tests).

A rule that cannot be translated (e.g. it compares values of different types) is run by the native
engine and listed in ``DurableEngine.notes``; nothing is skipped silently.
"""

from .runtime import INSTALL_HINT, DurableEngine

__all__ = ["INSTALL_HINT", "DurableEngine"]
