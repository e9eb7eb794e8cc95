"""Schemathesis against the live server's /openapi.json: generated requests, valid and
invalid, for every operation the app documents; no 5xx, and every response conforms to the
document (status code, content type, body schema, auth, 405s).

The app is ``create_app`` plus the test-only sample routes, and the operations are read from
the app itself, so every route added to the API is covered by this test without changing it.
(The operations are listed at collection time from an in-process copy of the app, since
schemathesis' ``from_fixture`` does not run under pytest 9; the cases are generated from the
document the live server serves, which a test checks is the same.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from ownergate.api import Role
from tests.http_server import serving
from tests.integration.api.conftest import make_app, make_settings
from tests.integration.api.keyring_fixture import KeyringFixtureServices, bearer
from tests.property import examples


def conformance_app(data_dir: Path) -> FastAPI:
    return make_app(KeyringFixtureServices(), make_settings(data_dir), faults=False)


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
def conformance_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(conformance_app(tmp_path_factory.mktemp("conformance"))) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(conformance_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{conformance_url}/openapi.json")


def test_the_live_document_lists_the_operations_tested(conformance_url: str) -> None:
    live = httpx.get(f"{conformance_url}/openapi.json").json()
    assert sorted((m.upper(), p) for p, item in live["paths"].items() for m in item) == sorted(
        OPERATIONS
    )


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_the_api_conforms_to_its_openapi_document(
    api_schema: schemathesis.BaseSchema,
    conformance_url: str,
    method: str,
    path: str,
    mode: schemathesis.GenerationMode,
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode, headers=bearer(Role.ADMIN)))
    @settings(
        max_examples=examples(25),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=conformance_url, timeout=10)

    conforms()
