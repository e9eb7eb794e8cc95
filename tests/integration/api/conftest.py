"""Servers for the API framework tests: the app from ``create_app`` plus test-only routes,
over the keyring fixture, on a real loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ownergate.api import API_PREFIX, create_app
from ownergate.settings import Settings
from tests.http_server import serving
from tests.integration.api.keyring_fixture import KeyringFixtureServices
from tests.integration.api.sample_routes import fault_router, sample_router

TEST_BODY_LIMIT = 64 * 1024


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "policy": None,
        "data_dir": data_dir,
        "api_max_body_bytes": TEST_BODY_LIMIT,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def make_app(
    services: KeyringFixtureServices, settings: Settings, *, faults: bool = True
) -> FastAPI:
    app = create_app(settings, services=services)
    app.include_router(sample_router(), prefix=API_PREFIX)
    if faults:
        app.include_router(fault_router(), prefix=API_PREFIX)
    return app


@pytest.fixture(scope="module")
def keyring() -> KeyringFixtureServices:
    return KeyringFixtureServices()


@pytest.fixture(scope="module")
def app(keyring: KeyringFixtureServices, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(keyring, make_settings(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http
