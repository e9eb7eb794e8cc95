"""A small Starlette app behind ``GateMiddleware``, served on loopback and called over real
HTTP: accounts read from a header or an API key, X-Forwarded-For believed only from trusted
proxies, refusals as problem documents, challenges passed on with a header, and a new
decision in the store reaching the gate without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ownergate.gate import GateMiddleware, account_from_api_key
from ownergate.settings import Settings
from ownergate.store import Database
from tests.http_server import serving
from tests.ip_data import bundled_data_dir


def _decide(db: Database, account: str, country: str, status: str) -> None:
    with db.write() as store:
        store.accounts.upsert(
            account, organisation_name=account, declared_country=country, actor="tests"
        )
        store.decisions.append(
            account,
            status=status,
            reason="none" if status == "allowed" else "ownership",
            share_min=0.0 if status == "allowed" else 0.7,
            share_max=0.0 if status == "allowed" else 0.7,
            method="control",
            evidence={"flags": []},
            policy_version=1,
            entity_id=f"E-{account}",
            actor="tests",
        )


async def hello(request: Request) -> JSONResponse:
    verdict = request.state.ownergate_gate
    return JSONResponse({"hello": "world", "gate": verdict.action.value})


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


@pytest.fixture
def settings(
    db: Database, database_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    _decide(db, "us-co", "US", "allowed")
    _decide(db, "sg-sub", "SG", "restricted")
    return Settings.model_validate(
        {
            "policy": None,
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "ip_data_dir": bundled_data_dir(tmp_path_factory),
        }
    )


@contextmanager
def app_behind_gate(settings: Settings, **options: Any) -> Iterator[httpx.Client]:
    app = Starlette(routes=[Route("/hello", hello), Route("/healthz", healthz)])
    app.add_middleware(GateMiddleware, settings=settings, exempt=["/healthz"], **options)
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def test_requests_are_gated_by_account_and_forwarded_address(settings: Settings) -> None:
    with app_behind_gate(settings, trusted_proxies=["127.0.0.1"]) as client:
        ok = client.get("/hello", headers={"X-Account-Id": "us-co", "X-Forwarded-For": "8.8.8.8"})
        assert ok.status_code == 200 and ok.json() == {"hello": "world", "gate": "allow"}
        refused = client.get(
            "/hello", headers={"X-Account-Id": "us-co", "X-Forwarded-For": "77.88.8.8"}
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["code"] == "gate-deny"
        assert [r["rule"] for r in problem["reasons"]] == ["restricted-region"]
        restricted = client.get(
            "/hello", headers={"X-Account-Id": "sg-sub", "X-Forwarded-For": "8.8.8.8"}
        )
        assert restricted.json()["reasons"][0]["rule"] == "restricted-account"
        # A client that writes its own X-Forwarded-For ahead of the proxy's is not believed.
        spoofed = client.get(
            "/hello",
            headers={"X-Account-Id": "us-co", "X-Forwarded-For": "8.8.8.8, 77.88.8.8"},
        )
        assert spoofed.status_code == 403
        assert client.get("/healthz").status_code == 200  # exempt


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(settings: Settings) -> None:
    with app_behind_gate(settings) as client:  # no trusted proxies: the loopback peer counts
        response = client.get(
            "/hello", headers={"X-Account-Id": "us-co", "X-Forwarded-For": "77.88.8.8"}
        )
        assert response.status_code == 200 and response.json()["gate"] == "allow"


def test_the_trusted_proxies_default_to_the_setting_serve_uses(settings: Settings) -> None:
    behind_proxy = settings.model_copy(update={"trusted_proxies": ("127.0.0.0/8",)})
    with app_behind_gate(behind_proxy) as client:
        response = client.get(
            "/hello", headers={"X-Account-Id": "us-co", "X-Forwarded-For": "77.88.8.8"}
        )
        assert response.status_code == 403 and response.json()["code"] == "gate-deny"


def test_challenges_pass_with_a_header_or_are_refused(settings: Settings) -> None:
    headers = {"X-Forwarded-For": "8.8.8.8"}  # no account: not decided, challenged
    with app_behind_gate(settings, trusted_proxies=["127.0.0.1"]) as client:
        passed = client.get("/hello", headers=headers)
        assert passed.status_code == 200 and passed.headers["ownergate-gate"] == "challenge"
        assert passed.json()["gate"] == "challenge"
    with app_behind_gate(settings, trusted_proxies=["127.0.0.1"], challenge="refuse") as client:
        refused = client.get("/hello", headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "gate-challenge"


def test_the_account_can_come_from_an_api_key(settings: Settings) -> None:
    reader = account_from_api_key({"key-us": "us-co", "key-sg": "sg-sub"})
    with app_behind_gate(settings, account=reader) as client:
        assert client.get("/hello", headers={"Authorization": "Bearer key-us"}).status_code == 200
        assert client.get("/hello", headers={"Authorization": "Bearer key-sg"}).status_code == 403


def test_a_malformed_forwarded_address_is_a_400(settings: Settings) -> None:
    with app_behind_gate(settings, trusted_proxies=["127.0.0.1"]) as client:
        response = client.get(
            "/hello", headers={"X-Account-Id": "us-co", "X-Forwarded-For": "1.2.3"}
        )
        assert response.status_code == 400 and response.json()["code"] == "gate-bad-request"


def test_a_new_decision_reaches_the_gate_without_a_restart(
    settings: Settings, db: Database
) -> None:
    headers = {"X-Account-Id": "us-co", "X-Forwarded-For": "8.8.8.8"}
    with app_behind_gate(settings, trusted_proxies=["127.0.0.1"]) as client:
        assert client.get("/hello", headers=headers).status_code == 200
        assert client.get("/hello", headers=headers).status_code == 200  # from the cache
        _decide(db, "us-co", "US", "restricted")
        deadline = time.monotonic() + 5
        status = 200
        while status == 200 and time.monotonic() < deadline:
            status = client.get("/hello", headers=headers).status_code
        assert status == 403
