"""The review service takes a workbook as it takes YAML (the same Checker path): an upload of an .xlsx gives
the findings of its YAML, located by sheet and cell; a hostile workbook answers 422 naming the cell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from service_support import FIXTURES, USERS, Server, add_users, database_url

from egov_rules.input.load import load_document
from egov_rules.input.xlsx_template import write_template

FIXTURE = FIXTURES / "02_municipal_own_datacentre.yaml"


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("service-workbook")
    url = database_url("sqlite", tmp, request)
    srv = Server(url, tmp)
    srv.tokens = add_users(url, USERS)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "ex02.xlsx"
    write_template(str(path), "zh", load_document(FIXTURE).data)
    return path


def test_a_workbook_upload_checks_like_its_yaml(server: Server, book: Path) -> None:
    with server.client("boss") as c:
        from_yaml = c.post("/api/v1/checks", content=FIXTURE.read_bytes(),
                           headers={"Content-Type": "application/yaml"}, params={"name": FIXTURE.name})
        from_book = c.post("/api/v1/checks", files={"file": (book.name, book.read_bytes(),
                                                             "application/octet-stream")})
        as_body = c.post("/api/v1/checks", content=book.read_bytes(), params={"name": book.name},
                         headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert from_yaml.status_code == 200 and from_book.status_code == 200, from_book.text
    assert as_body.status_code == 200 and as_body.json()["submissions"][0]["findings"] == \
        from_book.json()["submissions"][0]["findings"], as_body.text
    a = from_yaml.json()["submissions"][0]["findings"]
    b = from_book.json()["submissions"][0]["findings"]
    assert [(f["rule"], f["location"]["pointer"], f["fingerprint"]) for f in a] == \
           [(f["rule"], f["location"]["pointer"], f["fingerprint"]) for f in b]
    located = {f["rule"]: f["location"] for f in b}
    assert located["art17-data-centre-without-approval"]["sheet"].split()[-1] == "components"
    assert located["art17-data-centre-without-approval"]["cell"] == "A3"


def test_a_hostile_workbook_upload_is_422_naming_the_cell(server: Server, book: Path, tmp_path: Path) -> None:
    wb = load_workbook(book)
    ws = next(w for w in wb.worksheets if w.title.split()[-1] == "projects")
    ws["H3"] = "=SUM(1,2)"
    bad = tmp_path / "formula.xlsx"
    wb.save(bad)
    with server.client("boss") as c:
        r = c.post("/api/v1/checks", files={"file": (bad.name, bad.read_bytes(), "application/octet-stream")})
    assert r.status_code == 422
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "formula" in text and "H3" in text
