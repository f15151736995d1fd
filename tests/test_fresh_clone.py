"""A fresh clone runs every test with nothing beside the repository: the files the tests read are vendored,
no test reads ../shared, and no test skips because a file or a dev dependency is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = sorted(ROOT.glob("tests/*.py"))
VENDORED = [
    "vendor/schemas/sarif-schema-2.1.0.json",
    "vendor/schemas/junit.xsd",
    "vendor/spec/report.md",
    "vendor/spec/submission.md",
    "vendor/spec/submission.schema.json",
    "vendor/measures/articles.md",
    "vendor/measures/measures-en.txt",
]
# the only skips allowed: a platform that cannot run the test at all, each with its reason
ALLOWED_SKIPS = {
    ("rule_fixtures.py", "durable_rules does not build on CPython 3.13+"),
    ("test_batch.py", "needs a pseudo-terminal"),
}


def test_vendored_files_exist_with_source_and_licence() -> None:
    for rel in VENDORED:
        assert (ROOT / rel).is_file(), f"{rel} is not vendored"
    assert len(list((ROOT / "vendor/spec/examples").glob("*.expected.yaml"))) >= 3
    readme = (ROOT / "vendor/README.md").read_text("utf-8")
    for rel in VENDORED:  # every vendored file is listed with where it came from and under what licence
        assert Path(rel).name in readme, f"{rel} is not described in vendor/README.md"
    assert "OASIS" in readme and "Apache License 2.0" in readme and "Windy Road" in readme


def test_bundled_schema_is_the_vendored_normative_one() -> None:
    assert (ROOT / "egov_rules/data/submission.schema.json").read_bytes() == (
        ROOT / "vendor/spec/submission.schema.json").read_bytes()


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.name)
def test_no_test_reads_outside_the_repository(path: Path) -> None:
    if path.name == Path(__file__).name:
        return
    text = path.read_text("utf-8")
    for pattern in (r"\.\./shared", r"/work/shared", r"parents\[2\]", r"ROOT\.parent\b", r"parents\[1\]\.parent",
                    r'"shared"\s*/'):
        assert not re.search(pattern, text), f"{path.name} reads outside the repository ({pattern})"


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.name)
def test_no_skip_for_a_missing_file_or_dependency(path: Path) -> None:
    if path.name == Path(__file__).name:
        return
    text = path.read_text("utf-8")
    assert "importorskip" not in text, f"{path.name}: a dev dependency is installed by the test command; import it"
    for match in re.finditer(r"(?:pytest\.skip|skipif)\((.*)", text):
        reasons = [reason for name, reason in ALLOWED_SKIPS if name == path.name and reason in match.group(0)]
        assert reasons, f"{path.name}: unexpected skip: {match.group(0).strip()}"


def test_readme_links_resolve_inside_the_repository() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "vendor/README.md"]:
        text = doc.read_text("utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):  # http(s):, mailto:
                continue
            assert (doc.parent / target).resolve().is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
            assert (doc.parent / target).exists(), f"{doc.name}: link {target} does not resolve"
