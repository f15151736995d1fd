"""Shared by the tests that write small rulebooks: a rule file head and the compliant county base."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from egov_rules.input.load import load_document
from egov_rules.rules.rulebook import default_rules_dir

BASE = load_document(default_rules_dir() / "_bases" / "county.yaml").data

RULE_HEAD = """\
article: 17
rules:
  - id: art17-test-rule
    title: {en: Test, zh: 测试}
    message: {en: "Found in {submission.id}", zh: "{submission.id} 中发现"}
    remediation: {en: Fix it, zh: 整改}
    severity: violation
    sanctions: {art44: B, art46: [{item: 1}]}
    examples:
      - {name: a, expect: pass}
      - {name: b, expect: violation}
"""


def write_rule(tmp_path: Path, body: str, head: str = RULE_HEAD) -> Path:
    """A rulebook directory holding one rule: RULE_HEAD followed by ``body`` (for_each, when, require)."""
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / "art17-test.yaml").write_text(head + textwrap.indent(textwrap.dedent(body), "    "), "utf-8")
    return d


def require_durable() -> None:
    """The durable engine is part of the test install ('.[dev]'): missing, it fails, never skips, except on
    CPython 3.13+, where durable_rules cannot be built at all (README, pyproject)."""
    if sys.version_info >= (3, 13):
        pytest.skip("durable_rules does not build on CPython 3.13+", allow_module_level=True)
    import durable.engine  # noqa: F401  (an ImportError here is a broken test install)
