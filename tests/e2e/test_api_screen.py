"""POST /v1/screen over real HTTP, on SQLite and PostgreSQL: an organisation looked
through inline holdings, found by registry id or LEI, or found nowhere (unverified); and
nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ownergate.explain import verify
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.service.registry import HK_LEI, save_snapshot
from tests.integration.service.server import Api, serve_store


def _screen(api: Api, body: dict[str, Any], status: int = 200) -> Any:
    response = api.client.post("/v1/screen", json=body, headers=api.auth("analyst"))
    assert response.status_code == status, response.text
    return response.json()


def test_organisations_are_screened_under_the_active_pair(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    save_snapshot(data_dir, "reg1")
    with serve_store(database_url, data_dir) as api:
        admin = api.auth("admin")
        digest = api.client.post("/v1/snapshots", json={"name": "reg1"}, headers=admin).json()[
            "digest"
        ]
        assert api.client.post(f"/v1/snapshots/{digest}/activate", headers=admin).is_success
        rows_before = api.client.get("/v1/audit/chain", headers=admin).json()["rows"]

        through_sgs = _screen(
            api, {"name": "New Co", "country": "DE", "holdings": [{"owner": "SGS", "share": "70%"}]}
        )
        assert (through_sgs["status"], through_sgs["reason"]) == ("restricted", "ownership")
        assert through_sgs["flags"] == ["inline", "unverified"]
        assert through_sgs["snapshot_digest"] == digest and through_sgs["entity_id"] is None
        assert verify(through_sgs["evidence"]).ok

        through_hold = _screen(
            api,
            {
                "name": "New Co",
                "country": "DE",
                "holdings": [{"owner": "HOLD", "share": "1", "basis": "equity"}],
            },
        )
        assert through_hold["status"] == "allowed"

        by_id = _screen(api, {"name": "Lion City", "country": "SG", "registry_id": "SGS"})
        assert (by_id["status"], by_id["entity_id"], by_id["flags"]) == ("restricted", "SGS", [])
        by_lei = _screen(api, {"name": "Harbour Trading", "country": "HK", "lei": HK_LEI})
        assert (by_lei["status"], by_lei["entity_id"]) == ("restricted", HK_LEI)
        assert by_lei["evidence"]["resolution"] == {"entity_id": HK_LEI, "by": "lei"}

        nowhere = _screen(api, {"name": "Rhein Widgets", "country": "DE", "registry_id": "nope"})
        assert (nowhere["status"], nowhere["flags"], nowhere["entity_id"]) == (
            "allowed",
            ["unverified"],
            None,
        )
        region = _screen(api, {"name": "Amur Trading", "country": "RU"})
        assert (region["status"], region["reason"]) == ("restricted", "region")

        unknown = _screen(
            api,
            {"name": "X", "country": "DE", "holdings": [{"owner": "nobody", "share": "0.5"}]},
            422,
        )
        assert (unknown["code"], unknown["field"]) == ("invalid-input", "holdings[0].owner")
        both = _screen(
            api,
            {
                "name": "X",
                "country": "DE",
                "holdings": [{"owner": "SGS", "share": "0.5", "share_max": "0.6"}],
            },
            422,
        )
        assert both["field"] == "holdings[0].share"

        assert api.client.get("/v1/audit/chain", headers=admin).json()["rows"] == rows_before
