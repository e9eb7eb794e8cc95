"""Schemathesis against the live server's /openapi.json: generated requests, valid and
invalid, for every operation the app documents; no 5xx, and every response conforms to the
document (status code, content type, body schema, auth, 405s).

The app is ``create_app`` over a real store (SQLite) and snapshot directory, seeded with an
active snapshot, an account and an override, plus the test-only sample routes; the
operations are read from the app itself, so every route added to the API is covered by this
test without changing it. (The operations are listed at collection time from an in-process
copy of the app, since schemathesis' ``from_fixture`` does not run under pytest 9; the cases
are generated from the document the live server serves, which a test checks is the same.)

A request the document calls valid may still be refused for what no schema can say (an LEI
whose check digits fail, an unknown country code, a policy key, an expiry in the past): a
422 with a domain code (``invalid-input``, ``invalid-policy``). It must never fail the
request validation itself (``invalid-request``): that would mean the document is wrong.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ownergate.api import API_PREFIX, create_app
from tests.http_server import serving
from tests.integration.api.conftest import make_app, make_settings
from tests.integration.api.keyring_fixture import KeyringFixtureServices
from tests.integration.api.sample_routes import sample_router
from tests.integration.service.registry import create_keys, save_snapshot
from tests.property import examples


def conformance_app(data_dir: Path) -> FastAPI:
    """The app the document is read from: the same routes, no store needed."""
    return make_app(KeyringFixtureServices(), make_settings(data_dir), faults=False)


def store_app(root: Path) -> FastAPI:
    """The app served: ``create_app`` over a new SQLite store, plus the sample routes."""
    settings = make_settings(root / "data", database_url=f"sqlite:///{root / 'ownergate.db'}")
    app = create_app(settings)
    app.include_router(sample_router(), prefix=API_PREFIX)
    return app


def _seed(http: httpx.Client, admin: dict[str, str]) -> None:
    """An active snapshot, an account decided on it, and a pending override."""
    digest = http.post("/v1/snapshots", json={"name": "reg1"}, headers=admin).json()["digest"]
    http.post(f"/v1/snapshots/{digest}/activate", headers=admin).raise_for_status()
    account = {"organisation_name": "Lion City", "declared_country": "SG",
               "registry_entity_id": "SGS"}  # fmt: skip
    http.put("/v1/accounts/acct-1", json=account, headers=admin).raise_for_status()
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    override = {"verdict": "allow", "reason": "licence", "expires_at": expires}
    http.post("/v1/accounts/acct-1/overrides", json=override, headers=admin).raise_for_status()


def schema_valid_requests_pass_request_validation(
    _ctx: Any, response: Any, case: schemathesis.Case
) -> bool | None:
    """A valid request (by the document) may be refused for its content (a 422 with a
    domain code), but never by request validation, which enforces the document."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    code = response.json().get("code")
    assert code != "invalid-request", f"a valid request failed validation: {response.text}"
    return None


DOCUMENT = conformance_app(Path(tempfile.gettempdir())).openapi()
OPERATIONS = [(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# Invalid requests for every operation that takes an input there is to get wrong.
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (POSITIVE, NEGATIVE)
    if mode is POSITIVE
    or {"parameters", "requestBody"} & set(DOCUMENT["paths"][path][method.lower()])
]


@pytest.fixture(scope="module")
def conformance_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The served app's base URL and an admin key."""
    root = tmp_path_factory.mktemp("conformance")
    save_snapshot(root / "data", "reg1")
    app = store_app(root)
    with serving(app) as url:
        admin = create_keys(f"sqlite:///{root / 'ownergate.db'}")["admin"]
        with httpx.Client(base_url=url, timeout=60) as http:
            _seed(http, {"Authorization": f"Bearer {admin}"})
        yield url, admin


@pytest.fixture(scope="module")
def conformance_url(conformance_server: tuple[str, str]) -> str:
    return conformance_server[0]


@pytest.fixture(scope="module")
def api_schema(conformance_url: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{conformance_url}/openapi.json")
    # A body over the size limit is refused before it is read, whatever it holds: a
    # string past its maxLength may take a body past the limit.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    return schema


def test_the_live_document_lists_the_operations_tested(conformance_url: str) -> None:
    live = httpx.get(f"{conformance_url}/openapi.json").json()
    assert sorted((m.upper(), p) for p, item in live["paths"].items() for m in item) == sorted(
        OPERATIONS
    )


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_the_api_conforms_to_its_openapi_document(
    api_schema: schemathesis.BaseSchema,
    conformance_server: tuple[str, str],
    method: str,
    path: str,
    mode: schemathesis.GenerationMode,
) -> None:
    conformance_url, admin = conformance_server
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {admin}"}

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=examples(25),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=conformance_url,
            timeout=30,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[schema_valid_requests_pass_request_validation],
        )

    conforms()
