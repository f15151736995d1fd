"""The engines: they decide fail / unknown / pass per rule and binding; ``findings`` words the verdicts.

* ``reference``: the rule AST as closures (three-valued logic, hash joins, the trace ``explain`` shows);
* ``evaluate``: ``Verdict``, ``RuleRun``, the ``Engine`` protocol, the reference engine over the closures;
* ``codegen`` / ``generated``: the rule AST as Python source, compiled once (the default engine);
* ``durable``: the same rules through durable_rules (``translate`` and ``runtime``), the cross-check.

Nothing is imported here, so a command loads only the engine it runs.
"""
