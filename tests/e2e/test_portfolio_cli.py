"""``portfolio load|screen|rescreen|runs`` as a compliance team runs them on the embedded
store: a customer file in, every account decided, then a registry change re-screened with
its flips written as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ownergate.store import Database
from tests.e2e.test_cli import run
from tests.integration.service.registry import HK_LEI, LATER_HOLDINGS, save_snapshot

CUSTOMERS = pa.table(
    {
        "account_id": ["a-sgs", "a-hk", "a-hold", "a-cn", "a-fr"],
        "organisation_name": [
            "Lion City Pte",
            "Harbour Trading Ltd",
            "Neutral Holding AG",
            "Unknown Dragon Ltd",
            "Nobody Sarl",
        ],
        "declared_country": ["SG", "HK", "CH", "CN", "FR"],
        "lei": [None, HK_LEI, None, None, None],
        "registry_entity_id": ["SGS", None, None, None, None],
        "annual_revenue": [120_000.0, 5_000.0, 800.0, 60.5, 10.0],
        "revenue_currency": ["USD"] * 5,
    }
)


def test_a_customer_base_is_screened_then_kept_screened_as_the_registry_changes(
    tmp_path: Path,
) -> None:
    env = {"OWNERGATE_DATA_DIR": str(tmp_path)}
    save_snapshot(tmp_path, "reg1")
    save_snapshot(tmp_path, "reg2", LATER_HOLDINGS)
    customers = tmp_path / "customers.parquet"
    pq.write_table(CUSTOMERS, customers)

    loaded = run("portfolio", "load", "--customers", str(customers), **env)
    assert loaded.returncode == 0, loaded.stderr
    assert "5 accounts: 5 created" in loaded.stdout

    screened = run("portfolio", "screen", "--snapshot", "reg1", "--workers", "1", **env)
    assert screened.returncode == 0, screened.stderr
    assert "accounts decided" in screened.stdout and "now restricted" in screened.stdout

    events = tmp_path / "flips.jsonl"
    moved = run(
        "portfolio", "rescreen", "--from", "reg1", "--to", "reg2", "--events", str(events), **env
    )
    assert moved.returncode == 0, moved.stderr
    assert "entities the change can reach" in moved.stdout
    (flip,) = [json.loads(line) for line in events.read_text().splitlines()]
    assert (flip["account_id"], flip["to_status"]) == ("a-sgs", "allowed")

    listed = run("portfolio", "runs", **env)
    assert listed.returncode == 0 and "rescreen" in listed.stdout and "finished" in listed.stdout
    db = Database(f"sqlite:///{tmp_path / 'ownergate.db'}")
    try:
        with db.read() as store:
            assert store.snapshots.active().name == "reg2"  # --activate is the default
    finally:
        db.dispose()


def test_a_bad_customer_file_names_its_record_and_field_and_stores_nothing(
    tmp_path: Path,
) -> None:
    bad = CUSTOMERS.set_column(3, "lei", pa.array([None, "NOT-AN-LEI", None, None, None]))
    path = tmp_path / "customers.parquet"
    pq.write_table(bad, path)
    loaded = run("portfolio", "load", "--customers", str(path), OWNERGATE_DATA_DIR=str(tmp_path))
    assert loaded.returncode == 2
    assert "customers.parquet, row 2, field 'lei'" in loaded.stderr
    # Nothing was stored: the store was not even created.
    assert not (tmp_path / "ownergate.db").exists()
