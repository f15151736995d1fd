"""`--waivers FILE`: waived findings are reported as waived, do not count, never block; expiry by as_of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")  # as_of 2016-11-08
DC_RULE = "art17-data-centre-without-approval"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def waiver(rule: str = DC_RULE, entity: str = "prj.ex02", expires: str = "2017-06-30", **extra: str) -> dict[str, str]:
    return {"rule": rule, "entity": entity, "justification": "imaging storage volume <script>alert(1)</script>",
            "approved_by": "泉州市数字办", "approval_ref": "泉数字办〔2016〕12号", "expires": expires, **extra}


def write(tmp_path: Path, items: Any, name: str = "waivers.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"waivers": items} if isinstance(items, list) else items, allow_unicode=True,
                                   sort_keys=False), "utf-8")
    return str(path)


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("check", OWN_DC, "--format", "json", *args)
    assert "Traceback" not in out + err
    return code, json.loads(out)["submissions"][0]


def test_waived_findings_are_reported_do_not_count_and_do_not_block(tmp_path: Path) -> None:
    found = check_json()[1]["findings"]
    assert any(f["rule"] == DC_RULE for f in found)
    keys = sorted({(f["rule"], f["subject"]["id"]) for f in found})
    path = write(tmp_path, [waiver(rule, entity) for rule, entity in keys])
    code, sub = check_json("--waivers", path, "--fail-on", "insufficient")
    assert code == 0
    waived = [f for f in sub["findings"] if f.get("waived")]
    assert len(waived) == len(found) == len(sub["findings"])  # still reported, all of them
    w = next(f for f in waived if f["rule"] == DC_RULE)["waived"]
    assert w["approval_ref"] == "泉数字办〔2016〕12号" and w["expires"] == "2017-06-30"
    assert w["file"].endswith("waivers.yaml") and w["line"] > 0
    assert sub["summary"]["waived"] == len(found) and sub["summary"]["violation"] == 0
    code, out, _ = run("gate", OWN_DC, "--waivers", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["submissions"][0]["decision"]["outcome"] == "allow"


def test_waived_finding_is_marked_in_every_format(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver()])
    for fmt, needle in (("table", "waived"), ("markdown", "Waived"), ("html", 'class="waiver-tag"'),
                        ("sarif", DC_RULE), ("junit", DC_RULE), ("json", '"waived"')):
        code, out, _ = run("check", OWN_DC, "--waivers", path, "--format", fmt)
        assert code in (0, 1) and needle in out, fmt
    html = run("check", OWN_DC, "--waivers", path, "--format", "html")[1]
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_waiver_never_hides_other_entities_or_other_rules(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver(entity="prj.other"), waiver(rule="art17-county-not-in-city-data-centre")])
    code, sub = check_json("--waivers", path)
    assert code == 1
    assert not [f for f in sub["findings"] if f.get("waived")]
    kinds = sorted(n["kind"] for n in sub["notices"])
    assert kinds == ["waiver_unused", "waiver_unused"]


def test_waiver_for_another_submission_does_not_apply(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver(submission="ex99")])
    _, sub = check_json("--waivers", path)
    assert not [f for f in sub["findings"] if f.get("waived")]


def test_expired_waiver_waives_nothing_and_is_a_notice_not_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver(expires="2016-11-07")])  # the day before as_of
    code, sub = check_json("--waivers", path)
    assert code == 1
    assert not [f for f in sub["findings"] if f.get("waived")]
    [notice] = sub["notices"]
    assert notice["kind"] == "waiver_expired" and notice["level"] == "warning"
    assert "expired on 2016-11-07" in notice["message"] and "2016-11-08" in notice["message"]
    for fmt in ("table", "markdown", "html"):
        assert "expired on 2016-11-07" in run("check", OWN_DC, "--waivers", path, "--format", fmt)[1], fmt
    assert "已于 2016-11-07 到期" in run("check", OWN_DC, "--waivers", path, "--format", "table", "--lang", "zh")[1]


def test_waiver_expiring_on_the_submission_date_still_holds(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver(expires="2016-11-08")])
    _, sub = check_json("--waivers", path)
    assert [f["rule"] for f in sub["findings"] if f.get("waived")] == [DC_RULE]


def test_a_bare_list_is_not_a_waiver_file(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump([waiver()], allow_unicode=True), "utf-8")
    code, out, err = run("check", OWN_DC, "--waivers", str(path), "--format", "json")
    assert code == 2 and "w.yaml:1:1" in err and "Traceback" not in out + err


@pytest.mark.parametrize(("entry", "needle"), [
    ({k: v for k, v in waiver().items() if k != "approved_by"}, "missing required field 'approved_by'"),
    (waiver(expires="2017-02-30"), "'2017-02-30' is not a date"),
    (waiver(rule="art17-data-center-without-approval"), "did you mean 'art17-data-centre-without-approval'"),
    ({**waiver(), "aproved": "x"}, "unknown field 'aproved'"),
    ({**waiver(), "justification": ""}, "'justification' must be non-empty text"),
])
def test_malformed_waiver_file_exits_2_with_file_and_line(tmp_path: Path, entry: dict[str, Any],
                                                          needle: str) -> None:
    path = write(tmp_path, [waiver(entity="prj.first"), entry])
    code, out, err = run("check", OWN_DC, "--waivers", path, "--format", "json")
    assert code == 2
    assert needle in err
    assert "waivers.yaml:" in err and ":1:" not in err.split("waivers.yaml")[1][:4]  # a real line, not 1
    assert "Traceback" not in out + err


def test_waiver_file_that_is_not_a_list_or_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, {"waivers": {"rule": DC_RULE}})
    code, _, err = run("check", OWN_DC, "--waivers", path, "--format", "json")
    assert code == 2 and "list of waivers" in err
    bad = tmp_path / "broken.yaml"
    bad.write_text("waivers:\n  - rule: [unclosed\n", "utf-8")
    code, out, err = run("check", OWN_DC, "--waivers", str(bad), "--format", "json")
    assert code == 2 and "broken.yaml:" in err and "Traceback" not in out + err
    code, _, err = run("check", OWN_DC, "--waivers", str(tmp_path / "missing.yaml"), "--format", "json")
    assert code == 2 and "missing.yaml" in err


def test_duplicate_waiver_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, [waiver(), waiver()])
    code, _, err = run("check", OWN_DC, "--waivers", path, "--format", "json")
    assert code == 2 and "a second waiver" in err
