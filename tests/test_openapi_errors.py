"""The OpenAPI document declares the error bodies the service really sends: every 422 (and 401, 403, 404, 415,
429) body provoked here validates against the schema the document declares for that operation and status;
FastAPI's default ``HTTPValidationError`` is gone and does not pass; each body fits exactly one shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from service_support import FIXTURES, PASSWORD, add_users
from web_support import client_as, make_app, saved_review

FX02 = (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes()
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("openapi")
    made = make_app(tmp)
    add_users(f"sqlite:///{tmp / 'web.sqlite3'}", {"adm": ("admin", None), "locked": ("reviewer", None)})
    return made


@pytest.fixture(scope="module")
def spec(app: Any) -> dict[str, Any]:
    with TestClient(app) as c:
        document: dict[str, Any] = c.get("/openapi.json").json()
    return document


@pytest.fixture(scope="module")
def review(app: Any) -> int:
    return saved_review(app, FX02)


def declared(spec: dict[str, Any], method: str, path: str, status: int) -> Draft202012Validator:
    """The schema the document declares for this operation's response, with the components it refers to."""
    response = spec["paths"][path][method.lower()]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def shapes_matched(spec: dict[str, Any], body: Any) -> list[str]:
    """The error-body schemas of the document this body fits."""
    names = ("InputErrorBody", "RequestErrorBody", "StoreErrorBody", "AccountErrorBody", "MessageBody", "RetryBody")
    return [n for n in names if Draft202012Validator({"$ref": f"#/components/schemas/{n}",
                                                      "components": spec["components"]}).is_valid(body)]


# (who, method, the operation's path, the path sent, request arguments, status, the shape of the body)
CASES: dict[str, tuple[str | None, str, str, str, dict[str, Any], int, str]] = {
    "a query parameter of the wrong type": ("rev", "GET", "/api/v1/reviews", "/api/v1/reviews",
                                            {"params": {"page": "first"}}, 422, "RequestErrorBody"),
    "a path parameter of the wrong type": ("rev", "GET", "/api/v1/reviews/{review_id}", "/api/v1/reviews/abc", {},
                                           422, "RequestErrorBody"),
    "required query parameters missing": ("rev", "GET", "/api/v1/reviews/{review_id}/diff",
                                          "/api/v1/reviews/{review}/diff", {}, 422, "RequestErrorBody"),
    "an article out of range": ("rev", "GET", "/api/v1/articles/{number}", "/api/v1/articles/48", {}, 422,
                                "RequestErrorBody"),
    "a bad language": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                       {"content": FX02, "headers": YAML, "params": {"lang": "fr"}}, 422, "RequestErrorBody"),
    "a broken submission": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                            {"content": b"submission: [unclosed\n", "headers": YAML}, 422, "InputErrorBody"),
    "a broken submission in Chinese": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                                       {"content": b"projects: 3\n", "headers": YAML, "params": {"lang": "zh"}},
                                       422, "InputErrorBody"),
    "an unknown stage": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                         {"content": FX02, "headers": YAML, "params": {"stage": "built"}}, 422, "InputErrorBody"),
    "a waiver body missing fields": ("rev", "POST", "/api/v1/reviews/{review_id}/waivers",
                                     "/api/v1/reviews/{review}/waivers", {"json": {"fingerprint": "x"}}, 422,
                                     "RequestErrorBody"),
    "a waiver of no finding": ("rev", "POST", "/api/v1/reviews/{review_id}/waivers",
                               "/api/v1/reviews/{review}/waivers",
                               {"json": {"fingerprint": "f00d", "justification": "j", "approver": "a",
                                         "expires": "2999-01-01"}}, 422, "StoreErrorBody"),
    "an unknown funding action": ("fin", "POST", "/api/v1/reviews/{review_id}/funding",
                                  "/api/v1/reviews/{review}/funding", {"json": {"project": "p", "action": "spend"}},
                                  422, "StoreErrorBody"),
    "an empty login": (None, "POST", "/api/v1/login", "/api/v1/login", {"json": {}}, 422, "RequestErrorBody"),
    "an account with an unknown role": ("adm", "POST", "/api/v1/users", "/api/v1/users",
                                        {"json": {"name": "x1", "role": "king", "password": PASSWORD}}, 422,
                                        "AccountErrorBody"),
    "an admin disabling themself": ("adm", "POST", "/api/v1/users/{name}/disable", "/api/v1/users/adm/disable", {},
                                    422, "MessageBody"),
    "no login": (None, "GET", "/api/v1/reviews", "/api/v1/reviews", {}, 401, "MessageBody"),
    "the wrong role": ("rev", "GET", "/api/v1/audit", "/api/v1/audit", {}, 403, "MessageBody"),
    "a cross-site post": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                          {"content": FX02, "headers": {**YAML, "Origin": "https://elsewhere.example"}}, 403,
                          "MessageBody"),
    "a review not there": ("rev", "GET", "/api/v1/reviews/{review_id}", "/api/v1/reviews/999999", {}, 404,
                           "StoreErrorBody"),
    "a user not there": ("adm", "POST", "/api/v1/users/{name}/disable", "/api/v1/users/nobody/disable", {}, 404,
                         "MessageBody"),
    "an unsupported content type": ("rev", "POST", "/api/v1/checks", "/api/v1/checks",
                                    {"content": b"x", "headers": {"Content-Type": "image/png"}}, 415,
                                    "MessageBody"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_real_error_body_fits_the_schema_declared_for_its_operation(case: str, app: Any, spec: dict[str, Any],
                                                                       review: int) -> None:
    who, method, operation, path, kwargs, status, shape = CASES[case]
    with client_as(app, who) as c:
        response = c.request(method, path.replace("{review}", str(review)), **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    errors = [e.message for e in declared(spec, method, operation, status).iter_errors(body)]
    assert errors == [], (body, errors)
    assert shapes_matched(spec, body) == [shape], body


def test_too_many_failed_logins_fit_the_declared_body(app: Any, spec: dict[str, Any]) -> None:
    with TestClient(app) as c:
        for _ in range(30):
            response = c.post("/api/v1/login", json={"name": "locked", "password": "not the password"})
            if response.status_code == 429:
                break
            assert response.status_code == 401
            assert declared(spec, "POST", "/api/v1/login", 401).is_valid(response.json())
    assert response.status_code == 429
    assert declared(spec, "POST", "/api/v1/login", 429).is_valid(response.json())


def test_fastapis_default_validation_error_is_neither_declared_nor_accepted(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(spec["paths"])
    default_body = {"detail": [{"loc": ["query", "page"], "msg": "Input should be a valid integer", "type": "int"}]}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "422" in operation["responses"]:
                assert not declared(spec, method, path, 422).is_valid(default_body), (method, path)


def test_every_operation_declares_its_error_bodies(spec: dict[str, Any]) -> None:
    """Every error status of every operation names a body; a guarded one declares 401; 500 everywhere."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "500" in responses, (method, path)
            for status, response in responses.items():
                if status >= "400":
                    assert response["content"]["application/json"]["schema"], (method, path, status)
                    assert response["description"] != "Validation Error", (method, path)
            if path.startswith("/api/v1/") and path != "/api/v1/login":
                assert "401" in responses, (method, path)
