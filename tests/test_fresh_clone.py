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
    ("test_differential.py", "durable_rules does not build on CPython 3.13+"),
    ("test_batch.py", "needs a pseudo-terminal"),
    # a system server, not a file or a Python package: .ci/run apt-installs PostgreSQL when it is missing
    ("service_support.py", "pytest.skip(reason)"),
    ("test_web_browser.py", "Debian's chromium is not installed"),  # a system package: .ci/run installs it
    # the kernel or the sandbox refuses a mount: nothing the project can install
    ("test_signals_output.py", "cannot mount a small tmpfs here"),
    ("test_signals_output.py", "cannot remount read-only here"),
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


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    setup = text[text.index("## Set-up on a fresh machine"):text.index("## Commands")]
    return re.findall(r"```(?:sh|powershell)\n(.+?)\n```", setup)


def test_readme_main_job_installs_without_a_compiler_and_ci_runs_the_readme_test_command() -> None:
    main, tests, win_main, win_tests = _readme_commands()
    # the main job: a plain install, no extras, so nothing that compiles (durable-rules is an extra)
    assert "pip install -q . &&" in main and "[" not in main and "egov-rules check" in main
    assert "pip install -q . &&" in win_main and "[" not in win_main and ".venv\\Scripts\\" in win_main
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")  # read as text: tomllib is 3.11+, we support 3.10
    deps = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.S | re.M)
    dev_list = re.search(r"^dev = \[(.*?)^\]", pyproject, re.S | re.M)
    assert deps and dev_list
    assert "durable" not in deps.group(1).lower()
    dev = re.findall(r'"([^"]+)"', dev_list.group(1))
    assert any(d.startswith("durable-rules") for d in dev)  # the tests cross-check both engines
    for needed in ("pytest", "hypothesis", "jsonschema", "xmlschema"):  # what the vendored schemas need
        assert any(d.startswith(needed) for d in dev), needed
    # the test command installs the dev extra and runs pytest; .ci/run calls exactly it
    assert "'.[dev]'" in tests and tests.endswith("-m pytest") and "'.[dev]'" in win_tests
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert tests in ci, ".ci/run must run the README's test command verbatim"
