"""API keys and roles over real HTTP: 401 without a valid key, 403 below the role a route
declares (on every write route the app has), and the key cache."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from ownergate.api import API_PREFIX, Role, route_access, state_of
from ownergate.errors import ConfigError
from tests.http_server import serving
from tests.integration.api.conftest import make_app, make_settings
from tests.integration.api.keyring_fixture import KEYS, KeyringFixtureServices, bearer

PROBLEM = "application/problem+json"


def _concrete(path: str) -> str:
    """A request path for a template: each ``{param}`` becomes a valid id."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_no_key_is_401_with_a_bearer_challenge(client: httpx.Client) -> None:
    response = client.get("/v1/samples")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == 'Bearer realm="ownergate"'
    problem = response.json()
    assert problem["code"] == "unauthenticated"
    assert problem["status"] == 401
    assert problem["instance"] == "/v1/samples"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-key", "Bearer " + "k" * 5000, "Basic dGVzdDp0ZXN0", "Bearer", "test-admin-key"],
)
def test_an_invalid_key_is_401(client: httpx.Client, authorization: str) -> None:
    response = client.get("/v1/samples", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="ownergate"')
    assert response.json()["code"] == "unauthenticated"


def test_a_wrong_key_gets_the_invalid_token_challenge(client: httpx.Client) -> None:
    response = client.get("/v1/samples", headers={"Authorization": "Bearer not-a-key"})
    assert response.headers["www-authenticate"] == 'Bearer realm="ownergate", error="invalid_token"'


def test_roles_include_the_roles_below(client: httpx.Client) -> None:
    body = {"name": "Acme", "count": 1}
    for role in Role:
        assert client.get("/v1/samples", headers=bearer(role)).status_code == 200
    assert client.post("/v1/samples", json=body, headers=bearer(Role.VIEWER)).status_code == 403
    for role in (Role.ANALYST, Role.ADMIN):
        assert client.post("/v1/samples", json=body, headers=bearer(role)).status_code == 201
    for role in (Role.VIEWER, Role.ANALYST):
        response = client.put("/v1/samples/s9", json=body, headers=bearer(role))
        assert response.status_code == 403
    assert client.put("/v1/samples/s9", json=body, headers=bearer(Role.ADMIN)).status_code == 200


def test_403_names_the_role_needed_and_held(client: httpx.Client) -> None:
    response = client.delete("/v1/samples/s1", headers=bearer(Role.ANALYST))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "forbidden"
    assert "admin" in problem["detail"] and "analyst" in problem["detail"]


def test_every_write_route_refuses_every_lower_role(app: FastAPI, client: httpx.Client) -> None:
    """Iterates the app's own routes, so routes added later are held to this too."""
    writes = [access for access in route_access(app.routes) if access.writes]
    assert len(writes) >= 3  # the sample POST, PUT and DELETE at least
    checked = 0
    for access in writes:
        assert access.role is not None, f"{access.path} writes without an API key"
        path = _concrete(access.path)
        for method in sorted(access.methods):
            response = client.request(method, path)
            assert response.status_code == 401, (method, path)
            for role in Role:
                if role.includes(access.role):
                    continue
                # No body: the role check comes before the body is validated.
                response = client.request(method, path, headers=bearer(role))
                assert response.status_code == 403, (method, path, role)
                assert response.json()["code"] == "forbidden"
                checked += 1
    assert checked >= 4


def test_every_route_shows_its_role_in_openapi(app: FastAPI, client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for access in route_access(app.routes):
        for method in access.methods:
            operation = document["paths"][access.path][method.lower()]
            expected = access.role.value if access.role else "public"
            assert operation["x-required-role"] == expected
            assert expected in operation["description"].lower()
            if access.role:
                assert {"401", "403"} <= set(operation["responses"])
                assert operation["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/v1/samples"]["post"]["x-required-role"] == "analyst"
    assert document["paths"]["/healthz"]["get"]["x-required-role"] == "public"


def test_an_app_with_a_route_that_declares_no_access_does_not_start(tmp_path: Path) -> None:
    app = make_app(KeyringFixtureServices(), make_settings(tmp_path))
    careless = APIRouter()

    @careless.get("/unguarded")
    def unguarded() -> dict[str, str]:
        return {}

    app.include_router(careless, prefix=API_PREFIX)
    with pytest.raises(ConfigError, match="GET /v1/unguarded declares no access"):
        route_access(app.routes)
    with pytest.raises(RuntimeError, match="failed to start"), serving(app):
        pass


def _fresh_server(tmp_path: Path, **settings: object) -> tuple[FastAPI, KeyringFixtureServices]:
    keyring = KeyringFixtureServices()
    return make_app(keyring, make_settings(tmp_path, **settings)), keyring


def test_successful_lookups_are_cached(tmp_path: Path) -> None:
    app, keyring = _fresh_server(tmp_path)
    with serving(app) as url, httpx.Client(base_url=url) as http:
        for _ in range(20):
            assert http.get("/v1/samples", headers=bearer(Role.VIEWER)).status_code == 200
        assert keyring.lookups == 1
        for _ in range(3):
            assert (
                http.get("/v1/samples", headers={"Authorization": "Bearer nope"}).status_code == 401
            )
        assert keyring.lookups == 4  # unknown keys are not remembered


def test_evicting_a_revoked_key_takes_effect_at_once(tmp_path: Path) -> None:
    app, keyring = _fresh_server(tmp_path, api_key_cache_seconds=300)
    with serving(app) as url, httpx.Client(base_url=url) as http:
        assert http.get("/v1/samples", headers=bearer(Role.ANALYST)).status_code == 200
        principal = keyring.revoke(KEYS[Role.ANALYST])
        # Still cached: a revocation elsewhere takes up to the cache's lifetime.
        assert http.get("/v1/samples", headers=bearer(Role.ANALYST)).status_code == 200
        assert state_of(app).key_cache.evict(principal.key_id) == 1
        assert http.get("/v1/samples", headers=bearer(Role.ANALYST)).status_code == 401


def test_a_zero_lifetime_turns_the_cache_off(tmp_path: Path) -> None:
    app, keyring = _fresh_server(tmp_path, api_key_cache_seconds=0)
    with serving(app) as url, httpx.Client(base_url=url) as http:
        for _ in range(3):
            assert http.get("/v1/samples", headers=bearer(Role.VIEWER)).status_code == 200
    assert keyring.lookups == 3
