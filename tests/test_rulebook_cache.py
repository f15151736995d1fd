"""The parsed-rulebook cache: same files give the same rulebook; any change to a rule file is seen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from egov_rules.rules.rulebook import default_rules_dir, load_rulebook


def test_cache_hit_and_invalidation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    first = load_rulebook([rules], include_default=False)
    assert list((tmp_path / "cache" / "egov-rules").glob("rulebook-*.pickle"))
    second = load_rulebook([rules], include_default=False)
    assert second.sha256 == first.sha256 and second.ids() == first.ids()
    target = next(rules.rglob("art17-*.yaml"))
    target.write_text(target.read_text("utf-8").replace(
        "id: art17-data-centre-without-approval", "id: art17-data-centre-unapproved"), "utf-8")
    third = load_rulebook([rules], include_default=False)
    assert third.sha256 != first.sha256
    assert "art17-data-centre-unapproved" in third.ids() and "art17-data-centre-without-approval" not in third.ids()


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("EGOV_RULES_CACHE", "0")
    load_rulebook()
    assert not (tmp_path / "cache").exists()


def test_rule_files_are_shown_relative_to_the_current_directory(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # a rulebook cached by a process elsewhere (a service started in its data directory) must not leave its
    # paths in a later `rules show` or `compile --show` run from the project
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = default_rules_dir().parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    away = load_rulebook()
    assert Path(away.rules[0].file).is_absolute()
    monkeypatch.chdir(project)
    here = load_rulebook()
    assert here.rules[0].file.startswith("rules/")
    assert len(list((tmp_path / "cache" / "egov-rules").glob("rulebook-*.pickle"))) == 2
