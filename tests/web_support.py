"""An in-process workbench (FastAPI TestClient over a fresh SQLite database) with one account per role."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from service_support import PASSWORD, add_users, upgrade

WEB_USERS: dict[str, tuple[str, list[str] | None]] = {
    "rev": ("reviewer", None),
    "fin": ("finance", ["unit.qz.wjw"]),
    "boss": ("supervisor", None),
    "rev_other": ("reviewer", ["unit.nowhere"]),
}


def make_app(tmp: Path) -> Any:
    from egov_rules.service.app import create_app
    from egov_rules.service.settings import Settings

    url = f"sqlite:///{tmp / 'web.sqlite3'}"
    upgrade(url)
    add_users(url, WEB_USERS)
    return create_app(Settings(data_dir=tmp, db_url=url, session_secret="test-secret"))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def login(client: Any, name: str, lang: str | None = None) -> Any:
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "name": name, "password": PASSWORD,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    if lang:
        client.get(f"/lang/{lang}")
    return client


def client_as(app: Any, who: str | None) -> Any:
    """A TestClient logged in to the API as ``who`` (None: not logged in)."""
    from fastapi.testclient import TestClient

    c = TestClient(app)
    if who is not None:
        assert c.post("/api/v1/login", json={"name": who, "password": PASSWORD}).status_code == 200
    return c


def saved_review(app: Any, submission: bytes) -> int:
    """The id of a review saved by the reviewer ``rev`` from this YAML submission."""
    with client_as(app, "rev") as c:
        saved = c.post("/api/v1/checks", content=submission, headers={"Content-Type": "application/yaml"},
                       params={"save": "true"})
        assert saved.status_code == 200, saved.text
        return int(saved.json()["review"]["id"])
