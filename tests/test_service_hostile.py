"""Every hostile input of the CLI's and the loader's hostile-input tests, sent to ``POST /api/v1/checks?save=true``
of a real server: 422 with the CLI's error (file, line, column, field, expected), no traceback, nothing saved."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import test_cli_hostile
import test_load_hostile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_support import USERS, Server, add_users, database_url, make_postgres_fixture

postgres = make_postgres_fixture()


def _parametrized(fn: Any) -> list[dict[str, Any]]:
    rows = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        for value in mark.args[1]:
            rows.append(dict(zip(names, value if len(names) > 1 else (value,), strict=True)))
    return rows


def hostile_inputs() -> dict[str, tuple[bytes, str]]:
    """name -> (body, source name): the CLI's cases, the loader's parametrized documents, and the documents
    the loader's other tests build inline (same templates)."""
    cases: dict[str, tuple[bytes, str]] = {}
    for name, (data, _) in test_cli_hostile.CASES.items():
        cases[f"cli {name}"] = (data, "input.json" if name == "json nan" else "input.yaml")
    load = test_load_hostile
    for fn_name in dir(load):
        if not fn_name.startswith("test_"):
            continue
        for i, row in enumerate(_parametrized(getattr(load, fn_name))):
            text = row.get("data", row.get("text"))
            source = row.get("source", "t.yaml")
            if isinstance(text, str):
                cases[f"{fn_name}[{i}]"] = (text.encode("utf-8"), source)
            elif "word" in row:  # NaN / .inf documents
                word = row["word"]
                doc = f'{{"a": [1, {word}]}}' if "json" in fn_name else f"a:\n  b: {word}\n"
                cases[f"{fn_name}[{word}]"] = (doc.encode(), "t.json" if "json" in fn_name else "t.yaml")
    inline = {
        "billion laughs": load.BILLION_LAUGHS.encode(),
        "duplicate keys": b"a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n",
        "escaped control characters in keys": b'"evil\\x1b[31mkey\\x07": 1\n"evil\\x1b[31mkey\\x07": 2\n',
        "raw control character": b"k\x01y: 1\n",
        "latin-1": b"a: 1\nb: caf\xe9\n",
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "utf-16": "a: 1\n".encode("utf-16"),
        "bom only": b"\xef\xbb\xbf",
        "comments only": b"# only\n# comments\n",
        "document end only": b"---\n...\n",
        "second broken document": b"a: 1\n...\n---\nb: [\n",
        "huge integer": ("a: " + "9" * 5000 + "\n").encode(),
        "huge hex": ("a: 0x" + "f" * 5000 + "\n").encode(),
        "huge json float": b'{"a": 1e400}',
        "entities, no submission fields": load.ENTITIES.encode(),
        "huge keys under deep nesting": ("".join(" " * i + "k" * 1000 + ":\n" for i in range(60)) + " " * 60
                                         + "x: [" + "1," * 500_000 + "1]\n").encode(),
    }
    for name, data in inline.items():
        cases[name] = (data, "t.json" if data.startswith(b'{"a"') else "t.yaml")
    return cases


CASES = hostile_inputs()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    url = database_url(request.param, tmp, request)
    srv = Server(url, tmp)
    srv.tokens = add_users(url, USERS)
    srv.start()
    yield srv
    srv.stop()


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 80
    assert all(name in "".join(CASES) for name in ("cli alias bomb", "test_tags_are_rejected", "test_syntax_errors"))


def test_every_hostile_input_is_a_422_and_nothing_is_saved(server: Server) -> None:
    with server.client("boss") as c:
        reviews_before = c.get("/api/v1/reviews").json()["total"]
        audit_before = c.get("/api/v1/audit").json()["total"]
    failures = []
    with server.client("rev_all") as c:
        for name, (data, source) in CASES.items():
            ctype = "application/json" if source.endswith(".json") else "application/yaml"
            r = c.post("/api/v1/checks", content=data, headers={"Content-Type": ctype},
                       params={"save": "true", "name": source})
            problem = _problem(name, r, source)
            if problem:
                failures.append(problem)
    assert not failures, "\n".join(failures)
    with server.client("boss") as c:
        assert c.get("/api/v1/reviews").json()["total"] == reviews_before
        assert c.get("/api/v1/audit").json()["total"] == audit_before
    assert "Traceback" not in server.logs()


def _problem(name: str, r: Any, source: str) -> str | None:
    if r.status_code != 422:
        return f"{name}: {r.status_code} {r.text[:200]}"
    body = r.json()
    if "Traceback" in r.text or re.search(r"[\x00-\x08\x0b-\x1f\x7f]", body["detail"]):
        return f"{name}: unclean message {body['detail'][:200]!r}"
    problems = body["error"]["problems"]
    first = problems[0]
    if first["file"] != source or not isinstance(first["line"], int) or not isinstance(first["column"], int):
        return f"{name}: no file/line/column in {json.dumps(first)[:200]}"
    if not body["detail"].startswith(f"{source}:"):
        return f"{name}: the message does not start with the file: {body['detail'][:100]}"
    return None


def test_the_422_is_the_cli_message(server: Server, tmp_path: Any) -> None:
    from service_support import cli

    data, _ = test_cli_hostile.CASES["unknown key"]
    (tmp_path / "input.yaml").write_bytes(data)
    proc = cli("check", str(tmp_path / "input.yaml"), "--format", "json")
    with server.client("rev_all") as c:
        r = c.post("/api/v1/checks", content=data, headers={"Content-Type": "application/yaml"},
                   params={"name": str(tmp_path / "input.yaml")})
    assert r.status_code == 422 and proc.returncode == 2
    assert r.json()["detail"] == proc.stderr.strip()
    assert r.json()["error"] == json.loads(proc.stdout)["submissions"][0]["error"]
    problem = r.json()["error"]["problems"][0]
    assert problem["field"] == "/projects/0/stage" and problem["line"] > 1 and problem["column"] > 0


def test_bad_query_and_content_type(server: Server) -> None:
    with server.client("rev_all") as c:
        body = b"submission: {id: x}\n"
        assert c.post("/api/v1/checks", content=body, params={"stage": "someday"},
                      headers={"Content-Type": "application/yaml"}).status_code == 422
        assert c.post("/api/v1/checks", content=body, params={"lang": "fr"},
                      headers={"Content-Type": "application/yaml"}).status_code == 422
        assert c.post("/api/v1/checks", content=body, headers={"Content-Type": "image/png"}).status_code == 415
        no_file = c.post("/api/v1/checks", data={"x": "1"}, files={"other": ("a", b"b")})
        assert no_file.status_code == 422 and no_file.json()["error"]["problems"][0]["field"] == "file"


def test_hostile_source_names_are_cleaned(server: Server) -> None:
    data = test_cli_hostile.GOOD.encode()
    with server.client("rev_all") as c:
        named = c.post("/api/v1/checks", content=data, headers={"Content-Type": "application/yaml"},
                       params={"name": "a\x1b[31mb\x07.yaml"})
        uploaded = c.post("/api/v1/checks", files={"file": ("../../etc/x\x1b.yaml", data, "application/yaml")})
    assert named.json()["submissions"][0]["file"] == "a[31mb.yaml"
    assert uploaded.json()["submissions"][0]["file"] == "x.yaml"


FRAGMENTS = [b"submission:", b" id: x", b"\n", b"- ", b"[", b"]", b"{", b"}", b": ", b"&a ", b"*a", b"!!python/x ",
             b'"', b"'", b"\x00", b"\xff", b"\t", b"#", b"---", b"projects:", b"  - id: p", b"null", b"1e999"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40), raw=st.binary(max_size=200),
       ctype=st.sampled_from(["application/yaml", "application/json", "text/plain"]))
def test_fuzzed_bodies_are_never_a_server_error(server: Server, parts: list[bytes], raw: bytes, ctype: str) -> None:
    with server.client("rev_all") as c:
        for data in (b"".join(parts), raw):
            r = c.post("/api/v1/checks", content=data, headers={"Content-Type": ctype}, params={"save": "true"})
            assert r.status_code == 422, (data, r.status_code, r.text[:300])
            assert r.json()["error"]["problems"][0]["file"] in ("submission.yaml", "submission.json")
