"""The fail-closed paths over real HTTP, on SQLite and PostgreSQL: an allow override
approved on a review lapses when the registry makes the account restricted (decision,
verdict, gate, re-approval queue and audit trail agree), an approval on moved evidence is
refused, unverified accounts are listed and filterable, a pending link shows in the
decision's flags, and a body sent without a JSON content type is named as such."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ownergate.service import Deciders, PortfolioService
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, upgrade
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.service.server import Api, serve_store
from tests.integration.service.uncertain_registry import ACCOUNTS, REVIEW, WORSE, save
from tests.ip_data import bundled_data_dir

TGT = {"organisation_name": "Rhein Maschinen GmbH", "declared_country": "DE",
       "registry_entity_id": "TGT"}  # fmt: skip
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).isoformat()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _activate(api: Api, name: str) -> str:
    admin = api.auth("admin")
    digest: str = _ok(api.client.post("/v1/snapshots", json={"name": name}, headers=admin), 201)[
        "digest"
    ]
    _ok(api.client.post(f"/v1/snapshots/{digest}/activate", headers=admin))
    return digest


def _gate(api: Api, account: str) -> str:
    # A Deutsche Telekom address: the account's own country, no anonymiser.
    body = {"account_id": account, "ip": "217.0.0.1", "declared_country": "DE"}
    return str(_ok(api.client.post("/v1/gate", json=body, headers=api.auth("viewer")))["action"])


@pytest.fixture
def api(
    database_url: str,  # noqa: F811
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    data_dir = tmp_path / "data"
    save(data_dir, "reg1", REVIEW)
    save(data_dir, "reg2", WORSE)
    with serve_store(
        database_url, data_dir, ip_data_dir=bundled_data_dir(tmp_path_factory)
    ) as served:
        yield served


def test_an_override_approved_on_a_review_lapses_when_the_account_becomes_restricted(
    api: Api,
) -> None:
    http = api.client
    _activate(api, "reg1")
    decided = _ok(http.put("/v1/accounts/a-tgt", json=TGT, headers=api.auth("analyst")), 201)
    decision = decided["verdict"]["decision"]
    assert decision["status"] == "review" and decision["seed_path"] == ["RU1", "TGT"]
    asked = {"verdict": "allow", "reason": "RU1 holds 30%", "expires_at": LATER,
             "decision_id": decision["id"]}  # fmt: skip
    override = _ok(
        http.post("/v1/accounts/a-tgt/overrides", json=asked, headers=api.auth("analyst")), 201
    )
    assert override["decision_id"] == decision["id"] and override["state"] == "pending"
    _ok(
        http.post(
            f"/v1/overrides/{override['id']}/approve",
            json={"reason": "register checked"},
            headers=api.auth("analyst_b"),
        )
    )
    verdict = _ok(http.get("/v1/accounts/a-tgt/decision", headers=api.auth("viewer")))
    assert verdict["effective_status"] == "allowed"
    assert _gate(api, "a-tgt") == "allow"

    _activate(api, "reg2")  # RU1 now holds 60%
    redecided = _ok(http.post("/v1/accounts/a-tgt/decide", headers=api.auth("analyst")))
    assert redecided["new_decision"]
    verdict = _ok(http.get("/v1/accounts/a-tgt/decision", headers=api.auth("viewer")))
    assert verdict["decision"]["status"] == "restricted"
    assert verdict["effective_status"] == "restricted" and verdict["override"] is None
    lapsed = verdict["lapsed_override"]
    assert lapsed["id"] == override["id"] and lapsed["state"] == "lapsed"
    assert "status review → restricted" in lapsed["lapse_reasons"]
    assert _gate(api, "a-tgt") == "deny"

    queue = _ok(http.get("/v1/overrides/reapproval", headers=api.auth("viewer")))
    [item] = queue["items"]
    assert item["override"]["id"] == override["id"]
    assert (item["bound"]["status"], item["current"]["status"]) == ("review", "restricted")
    listed = _ok(http.get("/v1/accounts/a-tgt/overrides", headers=api.auth("viewer")))
    assert listed["items"][0]["state"] == "lapsed"

    trail = _ok(http.get("/v1/audit", params={"account": "a-tgt"}, headers=api.auth("admin")))
    actions = [e["action"] for e in trail["items"]]
    assert actions[0] == "account.create"
    assert {"decision.append", "override.request", "override.approve", "override.lapse"} <= set(
        actions
    )
    assert all(
        e["object_id"] == "a-tgt" or e["payload"].get("account_id") == "a-tgt"
        for e in trail["items"]
    )


def test_an_allow_override_is_not_approved_once_the_evidence_moved(api: Api) -> None:
    http = api.client
    _activate(api, "reg1")
    first = _ok(http.put("/v1/accounts/a-tgt", json=TGT, headers=api.auth("analyst")), 201)
    asked = {"verdict": "allow", "reason": "fine", "expires_at": LATER}
    override = _ok(
        http.post("/v1/accounts/a-tgt/overrides", json=asked, headers=api.auth("analyst")), 201
    )
    _activate(api, "reg2")
    _ok(http.post("/v1/accounts/a-tgt/decide", headers=api.auth("analyst")))
    refused = http.post(
        f"/v1/overrides/{override['id']}/approve",
        json={"reason": "ok"},
        headers=api.auth("analyst_b"),
    )
    assert refused.status_code == 409 and "decided again" in refused.json()["detail"]
    stale = {**asked, "decision_id": first["verdict"]["decision"]["id"]}
    assert (
        http.post(
            "/v1/accounts/a-tgt/overrides", json=stale, headers=api.auth("analyst")
        ).status_code
        == 409
    )


def test_unverified_and_pending_accounts_are_listed_and_flagged(
    api: Api,
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    _activate(api, "reg1")
    upgrade(database_url)
    db = Database(database_url)
    try:
        deciders = Deciders(db, SnapshotStore(tmp_path / "data"))
        portfolio = PortfolioService(db, deciders, SnapshotStore(tmp_path / "data"))
        portfolio.load(ACCOUNTS, actor="key:tests")
        portfolio.screen(actor="key:tests")
    finally:
        db.dispose()
    http = api.client
    twin = _ok(http.get("/v1/accounts/a-twin/decision", headers=api.auth("viewer")))["decision"]
    assert twin["status"] == "restricted" and twin["flags"][:2] == ["unverified", "link_review"]
    page = _ok(http.get("/v1/decisions", params={"flag": "unverified"}, headers=api.auth("viewer")))
    assert [i["account_id"] for i in page["items"]] == [
        "a-dragon",
        "a-huaxin",
        "a-nobody",
        "a-twin",
    ]
    restricted = _ok(
        http.get("/v1/decisions", params={"effective": "restricted"}, headers=api.auth("viewer"))
    )
    assert {i["account_id"] for i in restricted["items"]} >= {"a-dragon", "a-twin", "a-shenzhen"}
    paged = _ok(http.get("/v1/decisions", params={"limit": "2"}, headers=api.auth("viewer")))
    assert len(paged["items"]) == 2 and paged["next_cursor"] == paged["items"][-1]["account_id"]
    unmatched = _ok(
        http.get("/v1/links/review", params={"outcome": "unmatched"}, headers=api.auth("viewer"))
    )
    assert [i["account_id"] for i in unmatched["items"]] == ["a-nobody"]
    dragon = _ok(http.get("/v1/accounts/a-dragon/link", headers=api.auth("viewer")))["link"]
    assert dragon["candidates"][0]["country"] == "CN"
    assert dragon["candidates"][0]["country_mismatch"] is True


def test_a_body_without_a_json_content_type_is_named_as_not_json(api: Api) -> None:
    response = api.client.post(
        "/v1/gate",
        content=b'{"account_id": "acct-1", "ip": "77.88.8.8"}',
        headers={**api.auth("viewer"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "the request body was not JSON" in response.json()["detail"]
    assert "Content-Type: application/json" in response.json()["detail"]
