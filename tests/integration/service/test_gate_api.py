"""``POST /v1/gate`` over real HTTP on SQLite and PostgreSQL, with the bundled IP data:
real addresses of restricted regions, a Tor exit, cloud and IPv6 addresses, accounts in each
state, malformed input, and the audit rows the verdicts leave."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ownergate.store import Database
from tests.integration.service.server import Api, serve_store
from tests.ip_data import bundled_data_dir, first_address


def _account(db: Database, account: str, country: str, status: str, entity: str | None) -> None:
    with db.write() as store:
        store.accounts.upsert(
            account, organisation_name=account, declared_country=country, actor="tests"
        )
        store.decisions.append(
            account,
            status=status,
            reason={"allowed": "none", "restricted": "ownership", "review": "undetermined"}[status],
            share_min=0.0 if status == "allowed" else 0.6,
            share_max=0.0 if status == "allowed" else 0.6,
            method="control",
            evidence={"flags": []},
            policy_version=1,
            entity_id=entity,
            actor="tests",
        )


@pytest.fixture
def api(
    db: Database, database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    _account(db, "us-co", "US", "allowed", "E-US")
    _account(db, "sg-sub", "SG", "restricted", "E-SG")
    _account(db, "hk-review", "HK", "review", "E-HK")
    _account(db, "de-unverified", "DE", "allowed", None)
    ip_dir = bundled_data_dir(tmp_path_factory)
    with serve_store(database_url, data_dir, ip_data_dir=ip_dir) as served:
        yield served


def gate(api: Api, **body: Any) -> dict[str, Any]:
    response = api.client.post("/v1/gate", json=body, headers=api.auth("viewer"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def rules(verdict: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in verdict["reasons"]]


def test_an_allowed_account_at_home_is_allowed(api: Api) -> None:
    verdict = gate(api, account_id="us-co", ip="8.8.8.8")
    assert (verdict["action"], verdict["reasons"]) == ("allow", [])
    assert verdict["ip"]["country"] == "US" and verdict["account_status"] == "allowed"
    assert gate(api, account_id="us-co", ip="2001:4860:4860::8888")["action"] == "allow"


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("114.114.114.114", "CN"),
        ("223.5.5.5", "CN"),
        ("77.88.8.8", "RU"),
        ("2.144.0.1", "IR"),
        ("175.45.176.1", "KP"),
    ],
)
def test_requests_from_restricted_regions_are_denied(api: Api, ip: str, country: str) -> None:
    verdict = gate(api, account_id="us-co", ip=ip)
    assert verdict["action"] == "deny" and "restricted-region" in rules(verdict)
    assert verdict["ip"]["country"] == country


def test_a_restricted_account_is_denied_from_anywhere(api: Api) -> None:
    verdict = gate(api, account_id="sg-sub", ip="8.8.8.8", declared_country="SG")
    assert verdict["action"] == "deny" and rules(verdict)[0] == "restricted-account"


def test_accounts_under_review_or_unknown_are_challenged(api: Api) -> None:
    assert rules(gate(api, account_id="hk-review", ip="8.8.8.8")) == [
        "account-under-review",
        "anonymiser-disagreeing-countries",
    ]
    for body in ({"account_id": "nobody", "ip": "8.8.8.8"}, {"ip": "8.8.8.8"}):
        verdict = gate(api, **body)
        assert verdict["account_status"] == "unknown"
        assert verdict["action"] == "challenge" and "account-not-decided" in rules(verdict)


def test_anonymisers_need_a_second_signal(api: Api) -> None:
    tor = first_address("tor_exit_nodes/tor-exit-nodes.lst", 4)
    verdict = gate(api, account_id="us-co", ip=tor)
    assert verdict["action"] == "challenge" and "tor-exit" in rules(verdict)
    assert {"name": "tor_exit", "source": "tor_exit_nodes/exits"} in verdict["ip"]["flags"]
    cloud = gate(api, account_id="us-co", ip="52.95.110.1", locale="ru_RU.UTF-8")
    assert cloud["claimed_countries"] == ["RU", "US"]
    assert rules(cloud) == ["claims-restricted-region", "anonymiser-disagreeing-countries"]
    unverified = gate(api, account_id="de-unverified", ip="52.95.110.1")
    assert unverified["account_flags"] == ["unverified"]
    assert "anonymiser-unverified-account" in rules(unverified)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ip": "999.1.1.1"}, "ip"),
        ({"ip": "1.2.3"}, "ip"),
        ({"ip": "not an ip"}, "ip"),
        ({"ip": "::ffff:1.2.3.4.5"}, "ip"),
        ({"ip": "fe80::1%eth0"}, "ip"),
        ({"ip": ""}, "ip"),
        ({"ip": 12345}, "ip"),
        ({"ip": "8.8.8.8", "declared_country": "XX"}, "declared_country"),
        ({"ip": "8.8.8.8", "payment_country": "sg"}, "payment_country"),
        ({"ip": "8.8.8.8", "locale": "zh CN"}, "locale"),
        ({"ip": "8.8.8.8", "surprise": 1}, "surprise"),
    ],
)
def test_malformed_requests_are_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.client.post("/v1/gate", json=body, headers=api.auth("viewer"))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] in ("invalid-input", "invalid-request")
    named = [problem.get("field")] + [
        str(e.get("loc", [])[-1]) for e in problem.get("errors", []) if e.get("loc")
    ]
    assert field in named, problem


def test_a_gate_call_needs_a_key(api: Api) -> None:
    assert api.client.post("/v1/gate", json={"ip": "8.8.8.8"}).status_code == 401


def test_refusals_are_audited_with_their_signals(api: Api) -> None:
    gate(api, account_id="sg-sub", ip="77.88.8.8")
    deadline = time.monotonic() + 10
    found: list[dict[str, Any]] = []
    while not found and time.monotonic() < deadline:
        page = api.client.get("/v1/audit", params={"limit": 50}, headers=api.auth("admin"))
        assert page.status_code == 200, page.text
        found = [e for e in page.json()["items"] if e["action"] == "gate.deny"]
        time.sleep(0.05)
    assert found, "the deny verdict never reached the audit log"
    entry = found[0]
    assert entry["object_type"] == "request" and entry["object_id"] == "sg-sub"
    assert entry["actor"] == api.actor("viewer")
    payload = entry["payload"]
    assert payload["reasons"] == ["restricted-account", "restricted-region"]
    assert payload["signals"]["ip_country"] == "RU"
