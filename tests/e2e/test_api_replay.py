"""GET /v1/decisions/{id}/replay over real HTTP, on SQLite and PostgreSQL: a stored decision
replays to the same result on its pinned policy version and snapshot, after another policy
and another snapshot have been activated and the account decided again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.service.registry import LATER_HOLDINGS, RUSSIA_ONLY, save_snapshot
from tests.integration.service.server import serve_store

LION = {"organisation_name": "Lion City Pte", "declared_country": "SG", "registry_entity_id": "SGS"}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_stored_decision_replays_on_its_pinned_policy_and_snapshot(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    save_snapshot(data_dir, "reg1")
    save_snapshot(data_dir, "reg2", LATER_HOLDINGS)
    with serve_store(database_url, data_dir) as api:
        http, admin, analyst = api.client, api.auth("admin"), api.auth("analyst")
        digests = {}
        for name in ("reg1", "reg2"):
            digests[name] = _ok(
                http.post("/v1/snapshots", json={"name": name}, headers=admin), 201
            )["digest"]
        _ok(http.post(f"/v1/snapshots/{digests['reg1']}/activate", headers=admin))
        first = _ok(http.put("/v1/accounts/acct-1", json=LION, headers=analyst), 201)["verdict"][
            "decision"
        ]
        assert first["status"] == "restricted"

        _ok(http.post("/v1/policies", json={"toml": RUSSIA_ONLY}, headers=admin), 201)
        _ok(http.post("/v1/policies/2/publish", headers=admin))
        _ok(http.post("/v1/policies/2/activate", headers=admin))
        _ok(http.post(f"/v1/snapshots/{digests['reg2']}/activate", headers=admin))
        second = _ok(http.post("/v1/accounts/acct-1/decide", headers=analyst))["verdict"][
            "decision"
        ]
        assert (second["status"], second["snapshot_digest"]) == ("allowed", digests["reg2"])

        viewer = api.auth("viewer")
        replay = _ok(http.get(f"/v1/decisions/{first['id']}/replay", headers=viewer))
        assert replay["same"] and replay["stored"]["id"] == first["id"]
        replayed = replay["replayed"]
        assert (replayed["status"], replayed["reason"], replayed["share_min"]) == (
            "restricted",
            "ownership",
            0.6,
        )
        assert (replayed["policy_version"], replayed["snapshot_digest"]) == (1, digests["reg1"])
        assert replay["as_of"] == first["computed_at"][:10]
        assert _ok(http.get(f"/v1/decisions/{second['id']}/replay", headers=viewer))["same"]
        missing = http.get("/v1/decisions/999999/replay", headers=viewer)
        assert missing.status_code == 404 and missing.json()["code"] == "not-found"
