"""The link review queue over real HTTP, on SQLite and PostgreSQL: a whole-base screen puts
an account whose name two registry entities share in the queue; an analyst confirms one
(the account is decided on it) and rejects it again (it is taken off, for good, once a
second analyst approves: the rejection lifts a restriction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.service import Deciders, PortfolioService
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.store import AccountRow, Database
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.service.registry import ENTITIES, HOLDINGS
from tests.integration.service.server import Api, serve_store

# Two Singapore companies of one name: a name match cannot choose, so the account goes to
# review. The first is 60% Chinese-held (restricted once linked), the second held by no one.
TWINS = [
    Entity("TWA", name="Twin Star Trading", country="SG"),
    Entity("TWB", name="Twin Star Trading", country="SG"),
]
TWIN_HOLDINGS = [Holding("CNP", "TWA", Share.exact("0.6"))]
ACCOUNTS = [
    AccountRow("a-twin", "Twin Star Trading", "SG"),
    AccountRow("a-sgs", "Lion City Pte", "SG", entity_id="SGS"),
    AccountRow("a-par", "Paris Widgets", "FR"),
]
ACTOR = "key:analyst"


def screen_twins(database_url: str, data_dir: Path) -> str:  # noqa: F811
    """Save and activate the twins' snapshot in a migrated store, load ``ACCOUNTS`` and
    screen them all (which fills the queue); returns the snapshot's digest."""
    entities, stakes = columns_from_records([*ENTITIES, *TWINS], [*HOLDINGS, *TWIN_HOLDINGS])
    registry = Registry.plain(entities, stakes, {"format": "test"})
    snapshots = SnapshotStore(data_dir)
    snapshot = snapshots.save("twins", registry, "tests")
    db = Database(database_url)
    try:
        with db.write() as store:
            store.snapshots.register("twins", snapshot.manifest, actor="key:admin")
            store.snapshots.activate(snapshot.digest, actor="key:admin")
        portfolio = PortfolioService(db, Deciders(db, snapshots), snapshots)
        portfolio.load(ACCOUNTS, actor=ACTOR)
        portfolio.screen(actor=ACTOR)
    finally:
        db.dispose()
    return snapshot.digest


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _answer(api: Api, verb: str, entity_id: str, who: str = "analyst") -> Any:
    return api.client.post(
        f"/v1/accounts/a-twin/link/{verb}",
        json={"entity_id": entity_id, "reason": f"{verb} {entity_id}: checked the register"},
        headers=api.auth(who),
    )


def _queue(api: Api, **params: str) -> Any:
    return _ok(api.client.get("/v1/links/review", params=params, headers=api.auth("viewer")))


def test_an_analyst_confirms_then_rejects_a_queued_link(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with serve_store(database_url, data_dir) as api:
        digest = screen_twins(database_url, data_dir)
        queue = _queue(api)
        assert queue["total"] == 1 and queue["next_cursor"] is None
        [item] = queue["items"]
        assert (item["account_id"], item["outcome"], item["subject_name"]) == (
            "a-twin",
            "review",
            "Twin Star Trading",
        )
        assert item["subject_country"] == "SG" and item["snapshot_digest"] == digest
        assert {c["entity_id"] for c in item["candidates"]} == {"TWA", "TWB"}
        assert item["method"] and item["resolved_at"] and item["entity_id"] is None
        before = _ok(api.client.get("/v1/accounts/a-twin/decision", headers=api.auth("viewer")))
        assert before["decision"]["entity_id"] is None

        # A viewer may read the queue and links, not answer.
        denied = _answer(api, "confirm", "TWA", who="viewer")
        assert denied.status_code == 403 and denied.json()["code"] == "forbidden"

        confirmed = _ok(_answer(api, "confirm", "TWA"))
        assert confirmed["review"]["verdict"] == "confirm"
        assert confirmed["review"]["reviewer"] == api.actor("analyst")
        assert (confirmed["link"]["outcome"], confirmed["link"]["entity_id"]) == ("linked", "TWA")
        decision = confirmed["verdict"]["decision"]
        assert confirmed["new_decision"] and decision["entity_id"] == "TWA"
        assert (decision["status"], decision["reason"]) == ("restricted", "ownership")
        assert _queue(api) == {"items": [], "next_cursor": None, "total": 0}

        # Rejecting the link would lift the restriction (to review: unlinked and declared
        # in a holding jurisdiction): it waits for a second analyst.
        held = _ok(_answer(api, "reject", "TWA"), 202)
        assert (held["kind"], held["state"], held["to_status"]) == ("link", "pending", "review")
        approved = _ok(
            api.client.post(
                f"/v1/changes/{held['id']}/approve",
                json={"reason": "the register names the other company"},
                headers=api.auth("analyst_b"),
            )
        )
        assert approved["change"]["state"] == "approved" and approved["new_decision"]
        decision = approved["verdict"]["decision"]
        assert decision["entity_id"] is None and decision["status"] == "review"
        assert decision["flags"] == ["unverified", "offshore_declaration"]
        link = _ok(api.client.get("/v1/accounts/a-twin/link", headers=api.auth("viewer")))
        assert link["link"]["entity_id"] is None
        assert "TWA" not in [c["entity_id"] for c in link["link"]["candidates"]]

        again = _answer(api, "confirm", "TWA")
        assert again.status_code == 409 and again.json()["code"] == "conflict"

        shown = _ok(api.client.get("/v1/accounts/a-twin/link", headers=api.auth("viewer")))
        assert shown["account_id"] == "a-twin" and shown["link"]["entity_id"] is None
        assert [(r["verdict"], r["entity_id"]) for r in shown["reviews"]] == [
            ("confirm", "TWA"),
            ("reject", "TWA"),
        ]
        assert all(r["reviewer"] == api.actor("analyst") and r["reason"] for r in shown["reviews"])


def test_answers_name_what_is_wrong(database_url: str, tmp_path: Path) -> None:  # noqa: F811
    data_dir = tmp_path / "data"
    with serve_store(database_url, data_dir) as api:
        screen_twins(database_url, data_dir)
        unknown = _answer(api, "confirm", "NOPE")
        assert unknown.status_code == 422, unknown.text
        assert unknown.json()["field"] == "entity_id"
        for verb in ("confirm", "reject"):
            missing = api.client.post(
                f"/v1/accounts/no-such/link/{verb}",
                json={"entity_id": "TWB", "reason": "r"},
                headers=api.auth("analyst"),
            )
            assert missing.status_code == 404 and missing.json()["code"] == "not-found"
        gone = api.client.get("/v1/accounts/no-such/link", headers=api.auth("viewer"))
        assert gone.status_code == 404
        never = _ok(api.client.get("/v1/accounts/a-sgs/link", headers=api.auth("viewer")))
        assert never["reviews"] == []
        # The queue pages by account id; the cursor is the last id of a full page.
        first = _queue(api, limit="1")
        assert first["total"] == 1 and first["next_cursor"] == "a-twin"
        assert _queue(api, cursor=first["next_cursor"])["items"] == []
        bad = api.client.get("/v1/links/review?cursor=/x", headers=api.auth("viewer"))
        assert bad.status_code == 422
