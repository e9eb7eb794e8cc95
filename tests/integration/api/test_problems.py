"""Errors as RFC 9457 problem documents over real HTTP: each mapped domain error, request
validation, routing and crashes."""

from __future__ import annotations

import logging

import httpx
import pytest

from ownergate.api import Role
from ownergate.api.problems import PROBLEMS
from ownergate.errors import OwnergateError
from tests.integration.api.keyring_fixture import bearer
from tests.integration.api.sample_routes import FAULTS

PROBLEM = "application/problem+json"
VIEWER = bearer(Role.VIEWER)


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert isinstance(problem, dict)
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"] == f"urn:ownergate:problem:{code}"
    assert problem["instance"] == response.request.url.path
    assert isinstance(problem["title"], str) and problem["title"]
    assert isinstance(problem["detail"], str) and problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("input", 422, "invalid-input"),
        ("policy", 422, "invalid-policy"),
        ("unknown-entity", 404, "unknown-entity"),
        ("graph", 422, "invalid-graph"),
        ("config", 409, "conflict"),
        ("not-found", 404, "not-found"),
        ("conflict", 409, "conflict"),
        ("two-person-rule", 403, "two-person-rule"),
        ("convergence", 500, "graph-not-solvable"),
        ("ownergate", 500, "internal"),
    ],
)
def test_domain_errors_map_through_the_table(
    client: httpx.Client, kind: str, status: int, code: str
) -> None:
    problem = _problem(client.get(f"/v1/faults/{kind}", headers=VIEWER), status, code)
    if status == 500:
        # Server-side failures keep their message (paths, internals) in the log.
        assert "/srv/secret" not in str(problem)
        assert isinstance(problem["error_id"], str)
    else:
        assert problem["detail"] == getattr(FAULTS[kind], "message", str(FAULTS[kind]))


def test_every_fault_kind_is_tested_and_every_table_entry_exercised() -> None:
    raised = {type(exc) for exc in FAULTS.values() if isinstance(exc, OwnergateError)}
    assert set(PROBLEMS) - raised <= {
        cls for cls in PROBLEMS if cls.__module__ == "ownergate.api.errors"
    }


def test_an_input_error_names_field_and_record_but_not_the_server_file(
    client: httpx.Client,
) -> None:
    problem = _problem(client.get("/v1/faults/input", headers=VIEWER), 422, "invalid-input")
    assert problem["field"] == "country"
    assert problem["record"] == "line 7"
    assert "/srv/secret" not in str(problem)


def test_an_unexpected_exception_is_a_500_without_leaks_and_is_logged(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ownergate.api"):
        response = client.get("/v1/faults/crash", headers=VIEWER)
    problem = _problem(response, 500, "internal")
    assert "hunter2" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "ownergate.api"]
    assert logged and logged[-1].exc_info is not None
    assert str(problem["error_id"]) in logged[-1].getMessage()


def test_unknown_fields_are_422_listing_each(client: httpx.Client) -> None:
    body = {"name": "Acme", "count": 1, "colour": "red", "size": 3}
    problem = _problem(
        client.post("/v1/faults/echo", json=body, headers=VIEWER), 422, "invalid-request"
    )
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert {tuple(e["loc"]) for e in errors} == {("body", "colour"), ("body", "size")}
    assert all(e["type"] == "extra_forbidden" for e in errors)
    assert "body.colour" in str(problem["detail"]) and "body.size" in str(problem["detail"])
    assert "red" not in str(problem)  # the offending input is not echoed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme", "count": "1"}, "count"),  # strict: a numeric string is no integer
        ({"name": 7, "count": 1}, "name"),
        ({"name": "Acme", "count": True}, "count"),
        ({"name": "Acme", "count": 1, "kind": "state"}, "kind"),
        ({"name": "Acme", "count": 1, "as_of": "2024-02-30"}, "as_of"),
        ({"name": "Acme", "count": 1, "as_of": 0}, "as_of"),  # no Unix time for a date
        ({"name": "Acme", "count": 2.5}, "count"),
        ({"name": "Acme", "count": 1, "tags": "x"}, "tags"),
        ({"count": 1}, "name"),
    ],
)
def test_bodies_are_strictly_validated(
    client: httpx.Client, body: dict[str, object], field: str
) -> None:
    problem = _problem(
        client.post("/v1/faults/echo", json=body, headers=VIEWER), 422, "invalid-request"
    )
    assert [e["loc"] for e in problem["errors"]] == [["body", field]]  # type: ignore[union-attr]


def test_a_valid_body_round_trips(client: httpx.Client) -> None:
    body = {"name": "Acme", "count": 2, "kind": "person", "as_of": "2024-02-29", "tags": ["x"]}
    response = client.post("/v1/faults/echo", json=body, headers=VIEWER)
    assert response.status_code == 200
    assert response.json() == body


def test_an_integral_float_is_an_integer_as_json_schema_says(client: httpx.Client) -> None:
    response = client.post("/v1/faults/echo", json={"name": "Acme", "count": 3.0}, headers=VIEWER)
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_unknown_query_parameters_are_422(client: httpx.Client) -> None:
    response = client.get("/v1/samples?limt=5&limit=5&x=1&x=2", headers=VIEWER)
    problem = _problem(response, 422, "invalid-request")
    assert [e["loc"] for e in problem["errors"]] == [["query", "limt"], ["query", "x"]]  # type: ignore[union-attr]
    _problem(client.get("/healthz?verbose=1"), 422, "invalid-request")
    # Only after authentication: an anonymous caller learns nothing about parameters.
    _problem(client.get("/v1/samples?limt=5"), 401, "unauthenticated")


def test_malformed_json_is_422(client: httpx.Client) -> None:
    response = client.post(
        "/v1/faults/echo",
        content=b'{"name": "Acme",',
        headers={**VIEWER, "content-type": "application/json"},
    )
    _problem(response, 422, "invalid-request")


def test_invalid_path_and_query_parameters_are_422(client: httpx.Client) -> None:
    problem = _problem(client.get("/v1/samples?limit=0", headers=VIEWER), 422, "invalid-request")
    assert problem["errors"][0]["loc"] == ["query", "limit"]  # type: ignore[index]
    problem = _problem(client.get("/v1/samples/bad%20id", headers=VIEWER), 422, "invalid-request")
    assert problem["errors"][0]["loc"] == ["path", "sample_id"]  # type: ignore[index]


def test_unknown_routes_are_404(client: httpx.Client) -> None:
    _problem(client.get("/v2/nothing"), 404, "not-found")
    _problem(client.get("/v1/samples/a/b/c", headers=VIEWER), 404, "not-found")


def test_wrong_methods_are_405_with_allow(client: httpx.Client) -> None:
    response = client.delete("/healthz")
    _problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"
    response = client.patch("/v1/samples/s1", headers=VIEWER)
    _problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "DELETE, GET, PUT"
