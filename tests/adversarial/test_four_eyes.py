"""The two-person rule cannot be sidestepped through the data a decision rests on.

An analyst who rewrites a restricted account (its declared country, registry id, LEI) or
answers its entity link so that it would be allowed or sent to review gets a pending
change, not a new verdict: it takes effect only when another key approves it, it is
refused when the account, its decision, its link or the active policy or snapshot changed
since, and every step is in the audit log. Writes that keep or tighten a restriction apply
at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ownergate.domain.model import Entity, Holding, Status
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.service import AccountFields, AccountService, Deciders, LinkReviewService, four_eyes
from ownergate.service.accounts import decide_now
from ownergate.service.deciding import Subject
from ownergate.service.pairs import active_pair
from ownergate.service.pending import PendingChangeService
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.store import ConflictError, Database, upgrade
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


def _store(tmp_path: Path) -> tuple[str, Path]:
    """A store whose active snapshot is ``reg``; ``reg2`` (the same registry, and Paris
    Widgets now 60% Chinese) is registered, not active."""
    url = f"sqlite:///{tmp_path / 'ownergate.db'}"
    data = tmp_path / "data"
    upgrade(url)
    later = [*HOLDINGS, Holding("CNP", "FRX", Share.exact("0.6"))]
    db = Database(url)
    for name, holds in (("reg2", later), ("reg", HOLDINGS)):
        entities, holdings = columns_from_records(ENTITIES, holds)
        snapshot = SnapshotStore(data).save(
            name, Registry.plain(entities, holdings, {"format": "test"}), "tests"
        )
        with db.write() as store:
            store.snapshots.register(name, snapshot.manifest, actor="key:admin")
            store.snapshots.activate(snapshot.digest, actor="key:admin")
    db.dispose()
    return url, data


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with serve_store(*_store(tmp_path)) as served:
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
    # Declared in Singapore and found in no registry entity: review (an offshore declaration).
    held = _put(api, "analyst", "acct", 202, declared_country="SG")
    assert held["kind"] == "account" and held["state"] == "pending"
    assert (held["from_status"], held["to_status"]) == ("restricted", "review")
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
    assert approved["verdict"]["decision"]["status"] == "review"
    assert approved["verdict"]["decision"]["flags"] == ["unverified", "offshore_declaration"]
    assert _status(api, "acct") == "review"
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


def test_an_approved_change_applies_every_field_it_held(api: Api) -> None:
    _put(api, "analyst", "acct", 201)
    # A German company with a Chinese parent, found in no registry entity: review.
    held = _put(api, "analyst", "acct", 202, declared_country="DE", parent_country="CN")
    assert held["to_status"] == "review" and held["change"]["parent_country"] == "CN"
    approved = _review(api, "analyst_b", held["id"], "approve")
    assert "parent_in_region" in approved["verdict"]["decision"]["flags"]
    account = _ok(api.client.get("/v1/accounts/acct", headers=api.auth("viewer")))
    assert (account["declared_country"], account["parent_country"]) == ("DE", "CN")


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
    assert _status(api, "acct") == "review"  # unverified, offshore declaration
    # Tightening: linked to the restricted Singapore subsidiary at once.
    _answer(api, "analyst", "acct", "confirm", "SGS", 200)
    assert _status(api, "acct") == "restricted"
    held = _answer(api, "analyst", "acct", "reject", "SGS", 202)
    assert (held["kind"], held["to_status"]) == ("link", "review")
    assert _status(api, "acct") == "restricted"
    _review(api, "analyst_b", held["id"], "approve")
    assert _status(api, "acct") == "review"


def _activate(api: Api, name: str) -> None:
    listed = _ok(api.client.get("/v1/snapshots", headers=api.auth("viewer")))
    [digest] = [s["digest"] for s in listed["items"] if s["name"] == name]
    url = f"/v1/snapshots/{digest}/activate"
    _ok(api.client.post(url, headers=api.auth("admin")))


def test_a_change_is_not_approved_on_another_snapshot(api: Api) -> None:
    """Like an override, a held change is bound to the evidence it was asked on: under a
    snapshot activated since, the approver would apply something no one was shown."""
    _put(api, "analyst", "acct", 201)
    held = _put(api, "analyst", "acct", 202, registry_entity_id="FRX")
    assert held["to_status"] == "allowed"
    _activate(api, "reg2")  # Paris Widgets is now 60% Chinese
    stale = _review(api, "analyst_b", held["id"], "approve", 409)
    assert "changed since" in stale["detail"]
    assert _status(api, "acct") == "restricted"
    account = _ok(api.client.get("/v1/accounts/acct", headers=api.auth("viewer")))
    assert account["registry_entity_id"] is None
    # Back on the snapshot it was asked on, the same change is approved.
    _activate(api, "reg")
    _review(api, "analyst_b", held["id"], "approve")
    assert _status(api, "acct") == "allowed"


def test_an_approval_that_would_decide_another_status_is_refused(tmp_path: Path) -> None:
    """Same account, decision, link and pair, yet the write decides otherwise now (a dated
    holding ended overnight): the approver saw "review", so "allowed" is not applied."""
    url, data = _store(tmp_path)
    db = Database(url)
    try:
        deciders = Deciders(db, SnapshotStore(data))
        accounts = AccountService(db, deciders)
        accounts.put("acct", AccountFields("Lion City Pte", "CN"), actor="key:a")
        held = accounts.put("acct", AccountFields("Lion City Pte", "SG"), actor="key:a").pending
        assert held is not None and held.to_status == "review"
        with db.read() as store:
            pair = active_pair(store)
        now = decide_now(deciders, pair, Subject("Lion City Pte", "SG"))
        assert now.status is Status.REVIEW
        with pytest.raises(ConflictError, match="decides allowed"), db.write() as store:
            four_eyes.approve(
                store,
                four_eyes.Approval(held.id, "key:b", "checked"),
                dataclasses.replace(now, status=Status.ALLOWED),
            )
        with db.read() as store:
            assert store.pending.review_of(held.id) is None
            assert store.accounts.get("acct").declared_country == "CN"
        applied = PendingChangeService(
            db, accounts, LinkReviewService(db, deciders, accounts)
        ).approve(held.id, reason="checked", actor="key:b")
        assert applied.decision.verdict.decision.status is Status.REVIEW
    finally:
        db.dispose()
