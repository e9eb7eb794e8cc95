"""The decision service over real HTTP, on SQLite and PostgreSQL: a snapshot registered
and activated, an account decided with evidence, an override under the two-person rule, a
policy change and a superseding decision, and the audit log of it all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ownergate.explain import verify
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.service.registry import RUSSIA_ONLY, save_snapshot
from tests.integration.service.server import Api, serve_store

LION = {"organisation_name": "Lion City Pte", "declared_country": "SG", "registry_entity_id": "SGS"}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _activate_snapshot(api: Api, name: str) -> str:
    admin = api.auth("admin")
    digest: str = _ok(api.client.post("/v1/snapshots", json={"name": name}, headers=admin), 201)[
        "digest"
    ]
    again = _ok(api.client.post("/v1/snapshots", json={"name": name}, headers=admin))
    assert again["digest"] == digest
    activated = _ok(api.client.post(f"/v1/snapshots/{digest}/activate", headers=admin))
    assert activated["active"]
    return digest


def _audit(api: Api, **filters: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    params = {"limit": "4", **filters}
    while True:
        page = _ok(api.client.get("/v1/audit", params=params, headers=api.auth("admin")))
        entries += page["items"]
        if page["next_cursor"] is None:
            return entries
        params["cursor"] = page["next_cursor"]


def test_an_account_is_decided_overridden_redecided_and_audited(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    save_snapshot(data_dir, "reg1")
    with serve_store(database_url, data_dir) as api:
        http = api.client
        digest = _activate_snapshot(api, "reg1")

        created = _ok(http.put("/v1/accounts/acct-1", json=LION, headers=api.auth("analyst")), 201)
        assert created["new_decision"] and created["account"]["registry_entity_id"] == "SGS"
        first = created["verdict"]["decision"]
        assert (first["status"], first["reason"], first["entity_id"]) == (
            "restricted",
            "ownership",
            "SGS",
        )
        assert first["snapshot_digest"] == digest and first["policy_version"] == 1
        verdict = _ok(
            http.get("/v1/accounts/acct-1/decision?evidence=true", headers=api.auth("viewer"))
        )
        evidence = verdict["decision"]["evidence"]
        assert verify(evidence).ok
        assert evidence["control"]["restricted_owners"][0]["owner"]["id"] == "CNP"
        assert (
            _ok(http.get("/v1/accounts/acct-1/decision", headers=api.auth("viewer")))["decision"][
                "evidence"
            ]
            is None
        )
        same = _ok(http.put("/v1/accounts/acct-1", json=LION, headers=api.auth("analyst")))
        assert not same["new_decision"] and same["verdict"]["decision"]["id"] == first["id"]

        # An analyst asks to allow the account; only another analyst may approve.
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
        asked = _ok(
            http.post(
                "/v1/accounts/acct-1/overrides",
                json={"verdict": "allow", "reason": "licence granted", "expires_at": expires},
                headers=api.auth("analyst"),
            ),
            201,
        )
        assert asked["state"] == "pending" and asked["requested_by"] == api.actor("analyst")
        approve = f"/v1/overrides/{asked['id']}/approve"
        own = http.post(approve, json={"reason": "mine"}, headers=api.auth("analyst"))
        assert own.status_code == 403 and own.json()["code"] == "two-person-rule"
        approved = _ok(
            http.post(approve, json={"reason": "checked"}, headers=api.auth("analyst_b"))
        )
        assert approved["state"] == "approved" and approved["reviewed_by"] == api.actor("analyst_b")
        again = http.post(approve, json={"reason": "twice"}, headers=api.auth("analyst_b"))
        assert again.status_code == 409 and again.json()["code"] == "conflict"
        verdict = _ok(http.get("/v1/accounts/acct-1/decision", headers=api.auth("viewer")))
        assert verdict["decision"]["status"] == "restricted"
        assert verdict["override"]["id"] == asked["id"]
        assert verdict["effective_status"] == "allowed"
        listed = _ok(http.get("/v1/accounts/acct-1/overrides", headers=api.auth("viewer")))
        assert [o["state"] for o in listed["items"]] == ["approved"]

        # A new policy, then the account decided again: a decision superseding the first.
        admin = api.auth("admin")
        draft = _ok(http.post("/v1/policies", json={"toml": RUSSIA_ONLY}, headers=admin), 201)
        assert (draft["version"], draft["published"], draft["active"]) == (2, False, False)
        assert _ok(http.post("/v1/policies/2/publish", headers=admin))["published"]
        assert _ok(http.post("/v1/policies/2/activate", headers=admin))["active"]
        policies = _ok(http.get("/v1/policies", headers=api.auth("viewer")))["items"]
        assert [(p["version"], p["active"]) for p in policies] == [(1, False), (2, True)]
        redecided = _ok(http.post("/v1/accounts/acct-1/decide", headers=api.auth("analyst")))
        second = redecided["verdict"]["decision"]
        assert redecided["new_decision"] and second["supersedes"] == first["id"]
        assert (second["status"], second["policy_version"]) == ("allowed", 2)

        # History, newest first, a page at a time.
        pages, cursor = [], None
        while True:
            query = "?limit=1" + ("" if cursor is None else f"&cursor={cursor}")
            page = _ok(
                http.get(f"/v1/accounts/acct-1/decisions{query}", headers=api.auth("viewer"))
            )
            pages += [d["id"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == [second["id"], first["id"]]

        # Every write is in the audit log, by whom it was made, and the chain holds.
        entries = _audit(api)
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
        done = {(e["action"], e["actor"]) for e in entries}
        assert {
            ("snapshot.register", api.actor("admin")),
            ("snapshot.activate", api.actor("admin")),
            ("account.create", api.actor("analyst")),
            ("decision.append", api.actor("analyst")),
            ("override.request", api.actor("analyst")),
            ("override.approve", api.actor("analyst_b")),
            ("policy.create_draft", api.actor("admin")),
            ("policy.publish", api.actor("admin")),
            ("policy.activate", api.actor("admin")),
        } <= done
        assert [e["action"] for e in _audit(api, object_type="account", object_id="acct-1")] == [
            "account.create"
        ]
        chain = _ok(http.get("/v1/audit/chain", headers=admin))
        assert chain["ok"] and chain["rows"] == len(entries)


def test_roles_and_missing_things_over_the_store(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with serve_store(database_url, tmp_path / "data") as api:
        http = api.client
        refused = [
            http.put("/v1/accounts/a", json=LION, headers=api.auth("viewer")),
            http.post(
                "/v1/screen", json={"name": "X", "country": "SG"}, headers=api.auth("viewer")
            ),
            http.post("/v1/policies", json={"toml": RUSSIA_ONLY}, headers=api.auth("analyst")),
            http.post("/v1/snapshots", json={"name": "reg1"}, headers=api.auth("analyst")),
            http.get("/v1/audit", headers=api.auth("viewer")),
        ]
        assert [(r.status_code, r.json()["code"]) for r in refused] == [(403, "forbidden")] * 5
        missing = [
            http.get("/v1/accounts/nope", headers=api.auth("viewer")),
            http.get("/v1/accounts/nope/decision", headers=api.auth("viewer")),
            http.get("/v1/accounts/nope/decisions", headers=api.auth("viewer")),
            http.post("/v1/accounts/nope/decide", headers=api.auth("analyst")),
            http.get("/v1/policies/9", headers=api.auth("viewer")),
            http.post("/v1/snapshots", json={"name": "reg1"}, headers=api.auth("admin")),
            http.post(f"/v1/snapshots/{'0' * 64}/activate", headers=api.auth("admin")),
            http.post("/v1/overrides/9/approve", json={"reason": "x"}, headers=api.auth("analyst")),
        ]
        assert [(r.status_code, r.json()["code"]) for r in missing] == [(404, "not-found")] * 8
        bad = http.post(
            "/v1/policies",
            json={"toml": "regions = ['CN']\nthreshhold = 1\n"},
            headers=api.auth("admin"),
        )
        assert bad.status_code == 422 and bad.json()["field"] == "threshhold"
        assert http.get("/readyz").json() == {"status": "ready", "checks": {"database": "up"}}
