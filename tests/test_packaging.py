"""The wheel carries everything an installed egov-rules needs with no checkout around: the rulebook,
the bundled schema, the article catalogue and the report templates."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_rulebook_and_data(tmp_path: Path) -> None:
    import hatchling.builders.wheel as builders  # a dev dependency: never skipped
    wheel = Path(next(iter(builders.WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))))
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").rglob("*.yaml")}
    assert rule_files, "no rule files in the checkout"
    for rel in rule_files:
        assert f"egov_rules/data/{rel}" in names, f"{rel} is not in the wheel"
    for needed in ("egov_rules/data/submission.schema.json", "egov_rules/data/articles.yaml"):
        assert needed in names
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "egov_rules" / "templates").rglob("*") if p.is_file()}
    assert templates <= names
