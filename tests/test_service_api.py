"""The review service's API through HTTP against a real server process (``egov-rules serve``), on SQLite and
on a real PostgreSQL server: checks, saved reviews and versions, diff, re-check, waivers, funding, rules,
articles, access by role and unit, revoked tokens, 413, and no secret in the logs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_support import FIXTURES, PASSWORD, ROOT, USERS, Server, add_users, cli, database_url, make_postgres_fixture

postgres = make_postgres_fixture()
EX01 = (FIXTURES / "01_county_compliant.yaml").read_bytes()
EX02 = (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes()
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"service-{request.param}")
    url = database_url(request.param, tmp, request)
    srv = Server(url, tmp)
    srv.tokens = add_users(url, USERS)
    srv.start()
    yield srv
    srv.stop()


def save(srv: Server, who: str, body: bytes, name: str, **params: Any) -> Any:
    with srv.client(who) as c:
        return c.post("/api/v1/checks", content=body, headers=YAML, params={"save": "true", "name": name, **params})


def review_count(srv: Server) -> int:
    with srv.client("boss") as c:
        return int(c.get("/api/v1/reviews").json()["total"])


def audit_count(srv: Server) -> int:
    with srv.client("boss") as c:
        return int(c.get("/api/v1/audit").json()["total"])


def cli_report(path: Path, *args: str) -> bytes:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", path.name, "--format", "json", *args],
                          capture_output=True, cwd=path.parent, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


# ------------------------------------------------------------------------------------------- checks
@pytest.mark.parametrize("fixture", ["02_municipal_own_datacentre.yaml", "03_collection_outside_catalogue.yaml",
                                     "11_municipal_sharing_refusals.yaml"])
def test_check_gives_the_cli_report(server: Server, fixture: str) -> None:
    path = FIXTURES / fixture
    with server.client("rev_all") as c:
        r = c.post("/api/v1/checks", content=path.read_bytes(), headers=YAML, params={"name": fixture})
    assert r.status_code == 200, r.text
    assert r.content == cli_report(path)  # byte for byte
    assert r.headers["content-type"] == "application/json"
    with server.client("rev_all") as c:  # Chinese and a stage: the same as the CLI's --lang zh
        r = c.post("/api/v1/checks", content=path.read_bytes(), headers=YAML,
                   params={"name": fixture, "lang": "zh"})
    assert r.content == cli_report(path, "--lang", "zh")


def test_json_and_multipart_bodies_give_the_same_findings(server: Server) -> None:
    import yaml

    data = yaml.safe_load(EX02)
    with server.client("rev_all") as c:
        as_yaml = c.post("/api/v1/checks", content=EX02, headers=YAML).json()
        as_json = c.post("/api/v1/checks", json=json.loads(json.dumps(data, default=str))).json()
        as_file = c.post("/api/v1/checks", files={"file": ("ex02.yaml", EX02, "application/yaml")}).json()
    rules = [[f["rule"] for f in r["submissions"][0]["findings"]] for r in (as_yaml, as_json, as_file)]
    assert rules[0] == rules[1] == rules[2] and rules[0]
    assert as_file["submissions"][0]["file"] == "ex02.yaml"


def test_saved_review_keeps_everything_a_recheck_needs(server: Server) -> None:
    r = save(server, "rev_all", EX02, "ex02.yaml", stage="proposal")
    assert r.status_code == 200, r.text
    saved = r.json()
    rid, version = saved["review"]["id"], saved["review"]["version"]
    with server.client("rev_all") as c:
        got = c.get(f"/api/v1/reviews/{rid}", params={"version": version}).json()
        again = c.post(f"/api/v1/reviews/{rid}/recheck", params={"version": version}).json()
    v = got["version"]
    assert v["submission"].encode() == EX02
    assert v["submission_sha256"] == hashlib.sha256(EX02).hexdigest()
    assert v["rulebook"] == {"version": saved["tool"]["rulebook"]["version"],
                             "sha256": saved["tool"]["rulebook"]["sha256"]}
    assert v["created_by"] == "rev_all" and v["stage"] == "proposal" and v["created_at"].endswith("Z")
    assert v["report"] == {k: val for k, val in saved.items() if k != "review"}
    assert got["units"] == ["unit.qz.wjw"] and got["submission_id"] == "ex02"
    assert again["identical"] is True and again["report"] == v["report"]


def test_versions_and_diff_by_fingerprint(server: Server) -> None:
    other = EX01.replace(b"id: ex01", b"id: diffcase", 1)
    first = save(server, "rev_all", EX02.replace(b"id: ex02", b"id: diffcase", 1), "a.yaml").json()
    second = save(server, "rev_all", other, "b.yaml").json()
    third = save(server, "rev_all", EX02.replace(b"id: ex02", b"id: diffcase", 1), "a.yaml").json()
    rid = first["review"]["id"]
    assert second["review"]["id"] == third["review"]["id"] == rid
    assert [first["review"]["version"], second["review"]["version"], third["review"]["version"]] == [1, 2, 3]
    fps = [{f["fingerprint"] for f in r["submissions"][0]["findings"]} for r in (first, second, third)]
    with server.client("boss") as c:
        versions = c.get(f"/api/v1/reviews/{rid}/versions").json()
        d12 = c.get(f"/api/v1/reviews/{rid}/diff", params={"from": 1, "to": 2}).json()
        d13 = c.get(f"/api/v1/reviews/{rid}/diff", params={"from": 1, "to": 3}).json()
        missing = c.get(f"/api/v1/reviews/{rid}/diff", params={"from": 1, "to": 9})
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert {f["fingerprint"] for f in d12["fixed"]} == fps[0] - fps[1]
    assert {f["fingerprint"] for f in d12["new"]} == fps[1] - fps[0]
    assert {f["fingerprint"] for f in d13["unchanged"]} == fps[0] and not d13["new"] and not d13["fixed"]
    assert missing.status_code == 404


def test_review_filters_and_paging(server: Server) -> None:
    for i in range(3):
        body = EX02.replace(b"id: ex02", f"id: filt{i}".encode(), 1)
        assert save(server, "rev_all", body, "f.yaml").status_code == 200
    assert save(server, "rev_all", EX01.replace(b"id: ex01", b"id: filt-ok", 1), "g.yaml").status_code == 200
    with server.client("boss") as c:
        by_unit = c.get("/api/v1/reviews", params={"unit": "unit.ct.mz"}).json()
        by_project = c.get("/api/v1/reviews", params={"project": "prj.ex02"}).json()
        by_article = c.get("/api/v1/reviews", params={"article": 17}).json()
        by_decision = c.get("/api/v1/reviews", params={"decision": "refuse_approval"}).json()
        page = c.get("/api/v1/reviews", params={"per_page": 2, "page": 2}).json()
        bad = c.get("/api/v1/reviews", params={"article": 99})
        today = c.get("/api/v1/reviews", params={"since": "2000-01-01", "until": "2000-01-02"}).json()
    assert "filt-ok" in {r["submission_id"] for r in by_unit["items"]}
    assert all("unit.ct.mz" in r["units"] for r in by_unit["items"])
    assert {"filt0", "filt1", "filt2"} <= {r["submission_id"] for r in by_project["items"]}
    assert "filt-ok" not in {r["submission_id"] for r in by_project["items"]}
    assert {"filt0", "filt1"} <= {r["submission_id"] for r in by_article["items"]}
    assert all(any(d["outcome"] == "refuse_approval" for d in r["decisions"]) for r in by_decision["items"])
    assert by_decision["total"] >= 3
    assert len(page["items"]) == 2 and page["total"] >= 4 and page["page"] == 2
    assert bad.status_code == 422 and today["total"] == 0


# ------------------------------------------------------------------------------------------- waivers, funding
def test_waiver_by_a_reviewer_with_justification(server: Server) -> None:
    saved = save(server, "rev_all", EX02.replace(b"id: ex02", b"id: waive", 1), "w.yaml").json()
    rid, fp = saved["review"]["id"], saved["submissions"][0]["findings"][0]["fingerprint"]
    body = {"fingerprint": fp, "justification": "approved pending the city cloud", "approver": "泉州市数字办",
            "expires": "2099-12-31"}
    with server.client("rev_all") as c:
        ok = c.post(f"/api/v1/reviews/{rid}/waivers", json=body)
        wrong_fp = c.post(f"/api/v1/reviews/{rid}/waivers", json={**body, "fingerprint": "nope"})
        no_reason = c.post(f"/api/v1/reviews/{rid}/waivers", json={**body, "justification": "  "})
        expired = c.post(f"/api/v1/reviews/{rid}/waivers", json={**body, "expires": "2001-01-01"})
        listed = c.get(f"/api/v1/reviews/{rid}/waivers").json()
    with server.client("fin_qz") as c:
        finance = c.post(f"/api/v1/reviews/{rid}/waivers", json=body)
    assert ok.status_code == 201, ok.text
    assert ok.json()["rule"] == saved["submissions"][0]["findings"][0]["rule"] and ok.json()["active"]
    assert wrong_fp.status_code == 422 and wrong_fp.json()["field"] == "fingerprint"
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "justification"
    assert expired.status_code == 422 and expired.json()["field"] == "expires"
    with server.client("rev_all") as c:
        missing = c.post(f"/api/v1/reviews/{rid}/waivers", json={"fingerprint": fp})
        not_json = c.post(f"/api/v1/reviews/{rid}/waivers", content=b"{nope",
                          headers={"Content-Type": "application/json"})
    assert missing.status_code == 422 and missing.json()["field"] == "body.justification"
    assert "body.approver: Field required" in missing.json()["detail"]
    assert not_json.status_code == 422 and not_json.json()["errors"][0]["type"] == "json_invalid"
    assert finance.status_code == 403
    assert [w["id"] for w in listed] == [ok.json()["id"]]
    # it takes effect at once (a new version checked with it) and on every later save; a re-check repeats it
    applied = ok.json()["applied_in"]
    assert applied == {"id": rid, "version": 2, "url": f"/api/v1/reviews/{rid}?version=2"}
    later = save(server, "rev_all", EX02.replace(b"id: ex02", b"id: waive", 1), "w.yaml").json()
    with server.client("fin_qz") as c:
        v2 = c.get(f"/api/v1/reviews/{rid}", params={"version": 2}).json()["version"]
        again = c.post(f"/api/v1/reviews/{rid}/recheck", params={"version": 2}).json()
    for report in (v2["report"], later):
        sub = report["submissions"][0]
        waived = [f for f in sub["findings"] if f.get("waived")]
        assert [f["fingerprint"] for f in waived] == [fp]
        assert waived[0]["waived"]["justification"] == body["justification"]
        assert sub["summary"]["waived"] == 1
        assert sub["summary"]["violation"] + sub["summary"]["insufficient"] + sub["summary"]["warning"] == \
            sum(saved["submissions"][0]["summary"][k] for k in ("violation", "insufficient", "warning")) - 1
    assert v2["waivers_applied"] == [ok.json()["id"]] and again["identical"] is True


def test_funding_action_by_finance_on_the_art44_decision(server: Server) -> None:
    saved = save(server, "rev_all", EX02.replace(b"id: ex02", b"id: fund", 1), "f.yaml").json()
    rid = saved["review"]["id"]
    outcome = saved["submissions"][0]["decision"]["projects"][0]["outcome"]
    body = {"project": "prj.ex02", "action": "withhold", "amount": "1200000.00", "reference": "闽财〔2016〕1号"}
    with server.client("fin_qz") as c:
        ok = c.post(f"/api/v1/reviews/{rid}/funding", json=body)
        unknown = c.post(f"/api/v1/reviews/{rid}/funding", json={**body, "project": "prj.none"})
        bad_action = c.post(f"/api/v1/reviews/{rid}/funding", json={**body, "action": "shred"})
        bad_amount = c.post(f"/api/v1/reviews/{rid}/funding", json={**body, "amount": "1e9"})
        detail = c.get(f"/api/v1/reviews/{rid}").json()
    with server.client("rev_all") as c:
        reviewer = c.post(f"/api/v1/reviews/{rid}/funding", json=body)
    with server.client("fin_other") as c:
        other_unit = c.post(f"/api/v1/reviews/{rid}/funding", json=body)
    assert ok.status_code == 201, ok.text
    assert ok.json()["decision_outcome"] == outcome and ok.json()["created_by"] == "fin_qz"
    assert unknown.status_code == 422 and unknown.json()["field"] == "project"
    assert bad_action.status_code == 422 and bad_amount.status_code == 422
    assert reviewer.status_code == 403 and other_unit.status_code == 404
    assert [f["action"] for f in detail["funding"]] == ["withhold"]


# ------------------------------------------------------------------------------------------- rules, articles
def test_rules_and_articles(server: Server) -> None:
    from egov_rules.rules.rulebook import load_rulebook

    rb = load_rulebook()
    with server.client("fin_qz") as c:
        rules = c.get("/api/v1/rules").json()
        art17 = c.get("/api/v1/articles/17").json()
        art48 = c.get("/api/v1/articles/48")
    assert [r["id"] for r in rules["rules"]] == rb.ids() and rules["rulebook"]["sha256"] == rb.sha256
    assert art17["citation"] == {"en": "Art 17", "zh": "第十七条"}
    assert {r["id"] for r in art17["rules"]} == {r.id for r in rb.rules if r.spec.article == 17}
    assert all(r["title"]["zh"] and r["title"]["en"] for r in art17["rules"])
    assert art17["text"]["en"] and art48.status_code == 422


# ------------------------------------------------------------------------------------------- access
def test_nobody_in_without_an_account(server: Server) -> None:
    with server.client() as c:
        assert c.get("/healthz").status_code == 200
        for method, path in [("GET", "/api/v1/reviews"), ("GET", "/api/v1/reviews/1"), ("POST", "/api/v1/checks"),
                             ("GET", "/api/v1/rules"), ("GET", "/api/v1/articles/17"), ("GET", "/api/v1/audit"),
                             ("POST", "/api/v1/reviews/1/waivers"), ("POST", "/api/v1/reviews/1/funding")]:
            r = c.request(method, path, content=EX02 if method == "POST" else None)
            assert r.status_code == 401, (path, r.status_code)
            assert c.request(method, path, headers={"Authorization": "Bearer egr_forged"}).status_code == 401
            assert c.request(method, path, headers={"Authorization": "Basic YTpi"}).status_code == 401
            with server.client(cookies={"egov_session": "forged"}) as forged:
                assert forged.request(method, path).status_code == 401
        spec = c.get("/openapi.json").json()
    for path in ["/api/v1/checks", "/api/v1/reviews", "/api/v1/reviews/{review_id}",
                 "/api/v1/reviews/{review_id}/versions", "/api/v1/reviews/{review_id}/diff",
                 "/api/v1/reviews/{review_id}/waivers", "/api/v1/reviews/{review_id}/funding", "/api/v1/rules",
                 "/api/v1/articles/{number}"]:
        assert path in spec["paths"], path


def test_roles(server: Server) -> None:
    for who in ("fin_qz", "boss", "admin"):  # only a reviewer saves; everyone may check
        with server.client(who) as c:
            assert c.post("/api/v1/checks", content=EX02, headers=YAML).status_code == 200
            assert c.post("/api/v1/checks", content=EX02, headers=YAML, params={"save": "true"}).status_code == 403
    for who, status in [("rev_all", 403), ("fin_qz", 403), ("boss", 200), ("admin", 200)]:
        with server.client(who) as c:
            assert c.get("/api/v1/audit").status_code == status, who


def test_unit_scope(server: Server) -> None:
    qz = save(server, "rev_qz", EX02.replace(b"id: ex02", b"id: scope-qz", 1), "s.yaml")
    assert qz.status_code == 200, qz.text
    ct = save(server, "rev_all", EX01.replace(b"id: ex01", b"id: scope-ct", 1), "t.yaml").json()["review"]["id"]
    # a reviewer of one unit may not save another unit's submission, nor add a version to its review
    assert save(server, "rev_qz", EX01.replace(b"id: ex01", b"id: scope-x", 1), "x.yaml").status_code == 403
    assert save(server, "rev_qz", EX02.replace(b"id: ex02", b"id: scope-ct", 1), "y.yaml").status_code == 403
    qz_id = qz.json()["review"]["id"]
    for who in ("rev_qz", "fin_qz"):
        with server.client(who) as c:
            listed = c.get("/api/v1/reviews", params={"per_page": 200}).json()
            assert all("unit.qz.wjw" in r["units"] for r in listed["items"]) and listed["total"] >= 1
            assert qz_id in {r["id"] for r in listed["items"]} and ct not in {r["id"] for r in listed["items"]}
            assert c.get(f"/api/v1/reviews/{ct}").status_code == 404
            assert c.get(f"/api/v1/reviews/{ct}/versions").status_code == 404
            assert c.get(f"/api/v1/reviews/{ct}/diff", params={"from": 1, "to": 1}).status_code == 404
            assert c.post(f"/api/v1/reviews/{ct}/recheck").status_code == 404
            assert c.get(f"/api/v1/reviews/{qz_id}").status_code == 200
            # a review that concerns both units (a version of each) is theirs too; one of unit.ct.mz only is not
            other = c.get("/api/v1/reviews", params={"unit": "unit.ct.mz", "per_page": 200}).json()["items"]
            assert ct not in {r["id"] for r in other} and all("unit.qz.wjw" in r["units"] for r in other)
    with server.client("fin_other") as c:
        assert c.get("/api/v1/reviews").json()["total"] == 0
    with server.client("boss") as c:
        ids = {r["id"] for r in c.get("/api/v1/reviews", params={"per_page": 200}).json()["items"]}
        assert {qz_id, ct} <= ids


def test_revoked_token_is_refused(server: Server) -> None:
    made = cli("tokens", "create", "fin_qz", "--label", "finance system", "--db", server.db_url,
               "--data-dir", str(server.data_dir))
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("egr_") and token not in made.stderr
    token_id = made.stderr.split("token ", 1)[1].split()[0]
    headers = {"Authorization": f"Bearer {token}"}
    with server.client() as c:
        assert c.get("/api/v1/me", headers=headers).json()["name"] == "fin_qz"
        revoked = cli("tokens", "revoke", token_id, "--db", server.db_url, "--data-dir", str(server.data_dir))
        assert revoked.returncode == 0, revoked.stderr
        assert c.get("/api/v1/me", headers=headers).status_code == 401
        assert c.get("/api/v1/reviews", headers=headers).status_code == 401


def test_oversized_body_is_413_and_nothing_is_saved(server: Server) -> None:
    before = review_count(server)
    big = b"submission:\n  id: big\n" + b"#" * (20 * 1024 * 1024) + b"\n"
    with server.client("rev_all") as c:
        r = c.post("/api/v1/checks", content=big, headers=YAML, params={"save": "true"})
        m = c.post("/api/v1/checks", files={"file": ("big.yaml", big, "application/yaml")}, params={"save": "true"})
    assert r.status_code == 413 and m.status_code == 413
    assert "max-bytes" in r.json()["detail"]
    assert review_count(server) == before


def test_audit_trail_is_append_only(server: Server) -> None:
    from sqlalchemy import text

    from egov_rules.service.db import Database

    before = audit_count(server)
    assert save(server, "rev_all", EX02.replace(b"id: ex02", b"id: audited", 1), "a.yaml").status_code == 200
    with server.client("boss") as c:
        entries = c.get("/api/v1/audit", params={"per_page": 5}).json()
    assert entries["total"] == before + 1
    top = entries["items"][0]
    assert (top["actor"], top["action"], top["detail"]["submission_id"]) == ("rev_all", "review.save", "audited")
    db = Database(server.db_url)
    try:
        for sql in ("UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_entries"):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        db.dispose()
    assert audit_count(server) == before + 1


def test_no_secret_in_the_logs(server: Server) -> None:
    with server.client("rev_all") as c:
        c.get("/api/v1/me")
    log = server.logs()
    assert "GET /api/v1/me" in log  # the access log is there...
    for token in server.tokens.values():  # ...but no token, password or session secret
        assert token not in log and token[4:14] not in log
    assert PASSWORD not in log
    secret = (server.data_dir / "session-secret")
    if secret.exists():
        assert secret.read_text().strip() not in log


# ------------------------------------------------------------------------------------------- administration
def test_admin_manages_accounts_and_tokens_over_http(server: Server) -> None:
    new_user = {"name": "api_rev", "role": "reviewer", "units": ["unit.qz.wjw"], "password": PASSWORD}
    for who in ("boss", "rev_all", "fin_qz"):
        with server.client(who) as c:
            assert c.get("/api/v1/users").status_code == 403
            assert c.post("/api/v1/users", json=new_user).status_code == 403
            assert c.post("/api/v1/users/rev_all/tokens", json={}).status_code == 403
    with server.client("admin") as c:
        made = c.post("/api/v1/users", json=new_user)
        assert made.status_code == 201, made.text
        assert made.json() == {"name": "api_rev", "role": "reviewer", "units": ["unit.qz.wjw"]}
        assert c.post("/api/v1/users", json=new_user).status_code == 422  # exists
        assert c.post("/api/v1/users", json={**new_user, "name": "x1", "role": "king"}).status_code == 422
        assert c.post("/api/v1/users", json={**new_user, "name": "x2", "password": "short"}).status_code == 422
        scoped = c.post("/api/v1/users", json={**new_user, "name": "x3", "units": None})
        assert scoped.status_code == 422 and scoped.json()["detail"]["field"] == "units"
        token = c.post("/api/v1/users/api_rev/tokens", json={"label": "ci"}).json()
        assert token["token"].startswith("egr_")
        listed = c.get("/api/v1/tokens").json()
        assert token["id"] in {t["id"] for t in listed} and token["token"] not in str(listed)
        assert "api_rev" in {u["name"] for u in c.get("/api/v1/users").json()}
    headers = {"Authorization": f"Bearer {token['token']}"}
    with server.client() as c:
        assert c.get("/api/v1/me", headers=headers).json()["name"] == "api_rev"
        with server.client("admin") as admin:
            assert admin.post("/api/v1/users/api_rev/disable").status_code == 200
            assert c.get("/api/v1/me", headers=headers).status_code == 401
            assert admin.post("/api/v1/users/api_rev/enable").status_code == 200
            assert c.get("/api/v1/me", headers=headers).status_code == 200
            assert admin.post(f"/api/v1/tokens/{token['id']}/revoke").status_code == 200
            assert admin.post("/api/v1/tokens/999999/revoke").status_code == 404
            assert admin.post("/api/v1/users/admin/disable").status_code == 422
        assert c.get("/api/v1/me", headers=headers).status_code == 401


def test_portfolio_counts_the_latest_outcomes_per_unit(server: Server) -> None:
    assert save(server, "rev_all", EX02.replace(b"id: ex02", b"id: folio", 1), "p.yaml").status_code == 200
    with server.client("boss") as c:
        folio = {u["unit"]: u for u in c.get("/api/v1/portfolio").json()["units"]}
        qz_total = c.get("/api/v1/reviews", params={"unit": "unit.qz.wjw"}).json()["total"]
        refused = c.get("/api/v1/reviews", params={"unit": "unit.qz.wjw", "decision": "refuse_approval"}).json()
    assert folio["unit.qz.wjw"]["reviews"] == qz_total
    assert folio["unit.qz.wjw"]["outcomes"]["refuse_approval"] == refused["total"] >= 1
    with server.client("rev_all") as c:
        assert c.get("/api/v1/portfolio").status_code == 403


def test_login_sets_a_session_cookie_and_logout_ends_it(server: Server) -> None:
    with server.client() as c:
        wrong = c.post("/api/v1/login", json={"name": "rev_qz", "password": PASSWORD + "!"})
        nobody = c.post("/api/v1/login", json={"name": "nobody", "password": PASSWORD})
        assert wrong.status_code == 401 and nobody.status_code == 401 and not c.cookies
        ok = c.post("/api/v1/login", json={"name": "rev_qz", "password": PASSWORD})
        assert ok.status_code == 200 and ok.json()["units"] == ["unit.qz.wjw"]
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/api/v1/me").json()["name"] == "rev_qz"
        value = c.cookies["egov_session"]
        assert c.post("/api/v1/logout").json() == {"logged_out": True}
        assert c.get("/api/v1/me").status_code == 401
    with server.client(cookies={"egov_session": value}) as c:  # the old cookie is dead on the server too
        assert c.get("/api/v1/me").status_code == 401
    with server.client("boss") as c:
        actions = [e["action"] for e in c.get("/api/v1/audit", params={"per_page": 10}).json()["items"]]
    assert {"session.login", "session.logout", "session.login_failed"} <= set(actions)
    assert PASSWORD not in server.logs()
