"""Shared by the tests that write small rulebooks: a rule file head and the compliant county base."""

from __future__ import annotations

import textwrap
from pathlib import Path

from egov_rules.load import load_document
from egov_rules.rulebook import default_rules_dir

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
