"""The two-person rule cannot be sidestepped through the data a decision rests on.

An analyst who rewrites a restricted account (its declared country, registry id, LEI) or
answers its entity link so that it would be allowed or sent to review gets a pending
change, not a new verdict: it takes effect only when another key approves it, it is
refused when the account changed since, and every step is in the audit log. Writes that
keep or tighten a restriction apply at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.store import Database, upgrade
from tests.integration.service.server import Api, serve_store

ENTITIES = [
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("SGS", name="Lion City", country="SG"),
    Entity("FRX", name="Paris Widgets", country="FR"),
    Entity("JVX", name="Joint Venture", country="NL"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("CNP", "JVX", Share.between("0.25", "0.75")),  # undetermined: review
]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path / 'ownergate.db'}"
    data = tmp_path / "data"
    upgrade(url)
    entities, holdings = columns_from_records(ENTITIES, HOLDINGS)
    snapshot = SnapshotStore(data).save(
        "reg", Registry.plain(entities, holdings, {"format": "test"}), "tests"
    )
    db = Database(url)
    with db.write() as store:
        store.snapshots.register("reg", snapshot.manifest, actor="key:admin")
        store.snapshots.activate(snapshot.digest, actor="key:admin")
    db.dispose()
    with serve_store(url, data) as served:
        yield served


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _put(api: Api, who: str, account: str, status: int, **fields: Any) -> Any:
    body = {"organisation_name": "Lion City Pte", "declared_country": "CN", **fields}
    return _ok(api.client.put(f"/v1/accounts/{account}", json=body, headers=api.auth(who)), status)


def _status(api: Api, account: str) -> str:
    verdict = _ok(api.client.get(f"/v1/accounts/{account}/decision", headers=api.auth("viewer")))
    return str(verdict["decision"]["status"])


def _review(api: Api, who: str, change: int, outcome: str, status: int = 200) -> Any:
    body = {"reason": "checked the registry extract"}
    url = f"/v1/changes/{change}/{outcome}"
    return _ok(api.client.post(url, json=body, headers=api.auth(who)), status)


def _audit(api: Api) -> list[tuple[str, str, str]]:
    page = _ok(api.client.get("/v1/audit", params={"limit": 500}, headers=api.auth("admin")))
    return [(e["action"], e["actor"], e["object_id"]) for e in page["items"]]


def test_a_write_lifting_a_restriction_waits_for_another_key(api: Api) -> None:
    _put(api, "analyst", "acct", 201)
    assert _status(api, "acct") == "restricted"  # a Chinese company
    held = _put(api, "analyst", "acct", 202, declared_country="SG")
    assert held["kind"] == "account" and held["state"] == "pending"
    assert (held["from_status"], held["to_status"]) == ("restricted", "allowed")
    assert held["requested_by"] == api.actor("analyst")
    assert held["change"]["declared_country"] == "SG"
    # Nothing took effect.
    assert _status(api, "acct") == "restricted"
    account = _ok(api.client.get("/v1/accounts/acct", headers=api.auth("viewer")))
    assert account["declared_country"] == "CN"
    # The requester cannot approve it; another analyst can.
    refused = _review(api, "analyst", held["id"], "approve", 403)
    assert "another principal" in refused["detail"]
    approved = _review(api, "analyst_b", held["id"], "approve")
    assert approved["change"]["state"] == "approved"
    assert approved["verdict"]["decision"]["status"] == "allowed"
    assert _status(api, "acct") == "allowed"
    actions = _audit(api)
    request = actions.index(("change.request", api.actor("analyst"), str(held["id"])))
    approve = actions.index(("change.approve", api.actor("analyst_b"), str(held["id"])))
    applied = [a for a in actions[approve:] if a[0] == "account.update" and a[2] == "acct"]
    assert request < approve and applied and applied[0][1] == api.actor("analyst")
    listed = _ok(api.client.get("/v1/accounts/acct/changes", headers=api.auth("viewer")))
    assert [c["state"] for c in listed["items"]] == ["approved"]


@pytest.mark.parametrize(
    ("fields", "to_status"),
    [
        ({"registry_entity_id": "FRX"}, "allowed"),  # a registry id of an allowed company
        ({"registry_entity_id": "JVX"}, "review"),  # ... of one whose stake is a range
        ({"declared_country": "DE", "registry_entity_id": None}, "allowed"),
    ],
)
def test_every_field_that_would_lift_it_is_held(
    api: Api, fields: dict[str, Any], to_status: str
) -> None:
    _put(api, "analyst", "acct", 201, declared_country="SG", registry_entity_id="SGS")
    assert _status(api, "acct") == "restricted"  # 60% held by a Chinese parent
    held = _put(api, "analyst", "acct", 202, **{"declared_country": "SG", **fields})
    assert held["to_status"] == to_status
    assert _status(api, "acct") == "restricted"


def test_writes_that_keep_or_tighten_a_restriction_apply_at_once(api: Api) -> None:
    _put(api, "analyst", "acct", 201, declared_country="FR")
    assert _status(api, "acct") == "allowed"
    _put(api, "analyst", "acct", 200, declared_country="CN")  # tightening: no approval
    assert _status(api, "acct") == "restricted"
    renamed = _put(api, "analyst", "acct", 200, organisation_name="Dragon Pte")
    assert renamed["verdict"]["decision"]["status"] == "restricted"


def test_a_rejected_change_changes_nothing_and_cannot_be_approved_later(api: Api) -> None:
    _put(api, "analyst", "acct", 201)
    held = _put(api, "analyst", "acct", 202, declared_country="SG")
    waiting = _ok(api.client.get("/v1/changes", headers=api.auth("viewer")))
    assert [c["id"] for c in waiting["items"]] == [held["id"]]
    rejected = _review(api, "analyst_b", held["id"], "reject")
    assert rejected["change"]["state"] == "rejected"
    assert _status(api, "acct") == "restricted"
    assert _review(api, "admin", held["id"], "approve", 409)["code"] == "conflict"
    assert _ok(api.client.get("/v1/changes", headers=api.auth("viewer")))["items"] == []


def test_a_change_asked_against_an_older_account_is_not_approved(api: Api) -> None:
    _put(api, "analyst", "acct", 201)
    held = _put(api, "analyst", "acct", 202, declared_country="SG")
    _put(api, "analyst", "acct", 200, organisation_name="Lion City Holdings")  # still CN
    stale = _review(api, "analyst_b", held["id"], "approve", 409)
    assert "changed since" in stale["detail"]
    assert _status(api, "acct") == "restricted"


def _answer(api: Api, who: str, account: str, verdict: str, entity: str, status: int) -> Any:
    body = {"entity_id": entity, "reason": "same registration number"}
    url = f"/v1/accounts/{account}/link/{verdict}"
    return _ok(api.client.post(url, json=body, headers=api.auth(who)), status)


def test_a_link_confirmation_lifting_a_restriction_waits(api: Api) -> None:
    _put(api, "analyst", "acct", 201)  # decided on its declared country: CN, restricted
    held = _answer(api, "analyst", "acct", "confirm", "FRX", 202)
    assert held["kind"] == "link" and held["to_status"] == "allowed"
    assert held["change"] == {
        "entity_id": "FRX",
        "verdict": "confirm",
        "reason": "same registration number",
    }
    link = _ok(api.client.get("/v1/accounts/acct/link", headers=api.auth("viewer")))
    assert link["reviews"] == [] and _status(api, "acct") == "restricted"
    assert _review(api, "analyst", held["id"], "approve", 403)["code"] == "two-person-rule"
    approved = _review(api, "analyst_b", held["id"], "approve")
    assert approved["verdict"]["decision"]["status"] == "allowed"
    link = _ok(api.client.get("/v1/accounts/acct/link", headers=api.auth("viewer")))
    assert link["link"]["entity_id"] == "FRX"
    assert [r["reviewer"] for r in link["reviews"]] == [api.actor("analyst")]


def test_a_link_rejection_lifting_a_restriction_waits(api: Api) -> None:
    _put(api, "analyst", "acct", 201, declared_country="SG")
    assert _status(api, "acct") == "allowed"
    # Tightening: linked to the restricted Singapore subsidiary at once.
    _answer(api, "analyst", "acct", "confirm", "SGS", 200)
    assert _status(api, "acct") == "restricted"
    held = _answer(api, "analyst", "acct", "reject", "SGS", 202)
    assert (held["kind"], held["to_status"]) == ("link", "allowed")
    assert _status(api, "acct") == "restricted"
    _review(api, "analyst_b", held["id"], "approve")
    assert _status(api, "acct") == "allowed"
