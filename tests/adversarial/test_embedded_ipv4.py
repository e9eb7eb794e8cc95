"""IPv6 addresses that carry an IPv4 address (NAT64, IPv4-compatible, IPv4-translated,
6to4, Teredo) are gated as the IPv4 address they carry, through ``POST /v1/gate`` and
through ``GateMiddleware``: a Russian client cannot pass as "country unknown" by writing its
address in IPv6. The verdict shows the address judged and the form as a flag."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ownergate.gate import GateMiddleware
from ownergate.settings import Settings
from ownergate.store import Database, upgrade
from tests.http_server import serving
from tests.integration.service.server import Api, serve_store
from tests.ip_data import bundled_data_dir

# 77.88.8.8 is in Russia (a policy region), 8.8.8.8 in the United States, in every source.
RU = "77.88.8.8"
FORMS = {
    "nat64": ("64:ff9b::77.88.8.8", "64:ff9b::8.8.8.8"),
    "ipv4-compatible": ("::77.88.8.8", "::8.8.8.8"),
    "ipv4-translated": ("::ffff:0:77.88.8.8", "::ffff:0:8.8.8.8"),
    "6to4": ("2002:4d58:808::1", "2002:808:808::1"),
    "teredo": ("2001:0:4136:e378:8000:63bf:b2a7:f7f7", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    root = tmp_path_factory.mktemp("embedded")
    url = f"sqlite:///{root / 'ownergate.db'}"
    upgrade(url)
    db = Database(url)
    with db.write() as repos:
        repos.accounts.upsert(
            "us-co", organisation_name="US Co", declared_country="US", actor="tests"
        )
        repos.decisions.append(
            "us-co", status="allowed", reason="none", share_min=0.0, share_max=0.0,
            method="control", evidence={"flags": []}, policy_version=1, entity_id="E-US",
            actor="tests",
        )  # fmt: skip
    db.dispose()
    return url, root / "data", bundled_data_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def api(store: tuple[str, Path, Path]) -> Iterator[Api]:
    url, data, ip_dir = store
    with serve_store(url, data, ip_data_dir=ip_dir) as served:
        yield served


def _gate(api: Api, ip: str) -> dict[str, Any]:
    body = {"account_id": "us-co", "ip": ip}
    response = api.client.post("/v1/gate", json=body, headers=api.auth("viewer"))
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_api_gates_the_carried_ipv4_address(api: Api, form: str) -> None:
    ru, us = FORMS[form]
    refused = _gate(api, ru)
    assert refused["action"] == "deny", refused
    assert [r["rule"] for r in refused["reasons"]] == ["restricted-region"]
    assert refused["ip"]["ip"] == RU and refused["ip"]["country"] == "RU"
    assert {"name": "embedded_ipv4", "source": form} in refused["ip"]["flags"]
    allowed = _gate(api, us)
    assert allowed["action"] == "allow" and allowed["ip"]["country"] == "US", allowed


def test_the_local_use_nat64_prefix_is_not_read_as_an_address(api: Api) -> None:
    # RFC 8215: the operator chooses where the IPv4 address sits, so it cannot be read.
    verdict = _gate(api, "64:ff9b:1::4d58:808")
    assert verdict["ip"]["country"] is None
    assert "reserved" in [f["name"] for f in verdict["ip"]["flags"]]


async def _hello(request: Request) -> JSONResponse:
    return JSONResponse({"gate": request.state.ownergate_gate.action.value})


@pytest.fixture(scope="module")
def behind_gate(store: tuple[str, Path, Path]) -> Iterator[httpx.Client]:
    url, data, ip_dir = store
    settings = Settings.model_validate(
        {"policy": None, "data_dir": data, "database_url": url, "ip_data_dir": ip_dir}
    )
    app = Starlette(routes=[Route("/hello", _hello)])
    app.add_middleware(GateMiddleware, settings=settings, trusted_proxies=["127.0.0.1"])
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_middleware_gates_the_carried_ipv4_address(
    behind_gate: httpx.Client, form: str
) -> None:
    ru, us = FORMS[form]
    headers = {"X-Account-Id": "us-co"}
    refused = behind_gate.get("/hello", headers={**headers, "X-Forwarded-For": ru})
    assert refused.status_code == 403, refused.text
    assert [r["rule"] for r in refused.json()["reasons"]] == ["restricted-region"]
    passed = behind_gate.get("/hello", headers={**headers, "X-Forwarded-For": us})
    assert passed.status_code == 200 and passed.json() == {"gate": "allow"}
