"""The fail-closed paths as an analyst runs the CLI on the embedded store: a re-screen's
flip names the lapsed override and the effective status, ``overrides queue`` lists it,
``portfolio decisions`` exports the base (filterable to the unverified accounts), the link
queue shows unmatched accounts, answers act as a key or the OS user and never as a typed
name, and explanations and reports read as an auditor needs them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ownergate.service import OverrideService
from ownergate.store import Database, Verdict
from tests.e2e.test_cli import run
from tests.integration.service.registry import create_keys
from tests.integration.service.uncertain_registry import ACCOUNTS, REVIEW, WORSE, save

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=300)
pytestmark = pytest.mark.slow


def _customers(path: Path) -> Path:
    table = pa.table(
        {
            "account_id": [a.id for a in ACCOUNTS],
            "organisation_name": [a.organisation_name for a in ACCOUNTS],
            "declared_country": [a.declared_country for a in ACCOUNTS],
            "registry_entity_id": [a.entity_id for a in ACCOUNTS],
            "annual_revenue": [1000.0] * len(ACCOUNTS),
            "revenue_currency": ["USD"] * len(ACCOUNTS),
        }
    )
    pq.write_table(table, path)
    return path


def test_a_rescreen_reports_the_lapsed_override_and_the_cli_lists_what_waits(
    tmp_path: Path,
) -> None:
    env = {"OWNERGATE_DATA_DIR": str(tmp_path), "COLUMNS": ""}
    save(tmp_path, "reg1", REVIEW)
    save(tmp_path, "reg2", WORSE)
    customers = _customers(tmp_path / "customers.parquet")
    assert run("portfolio", "load", "--customers", customers, **env).returncode == 0
    screened = run("portfolio", "screen", "--snapshot", "reg1", "--workers", "1", **env)
    assert screened.returncode == 0, screened.stderr
    db = Database(f"sqlite:///{tmp_path / 'ownergate.db'}")
    try:
        overrides = OverrideService(db)
        asked = overrides.request(
            "a-tgt", verdict=Verdict.ALLOW, reason="RU1 holds 30%", expires_at=LATER, actor="k:a"
        )
        overrides.approve(asked.id, reason="checked", actor="k:b")
    finally:
        db.dispose()

    events = tmp_path / "flips.jsonl"
    moved = run(
        "portfolio", "rescreen", "--from", "reg1", "--to", "reg2", "--events", events, **env
    )
    assert moved.returncode == 0, moved.stderr
    (flip,) = [json.loads(line) for line in events.read_text().splitlines()]
    assert (flip["account_id"], flip["to_status"], flip["to_effective_status"]) == (
        "a-tgt",
        "restricted",
        "restricted",
    )
    assert flip["from_effective_status"] == "allowed"
    assert flip["override_lapsed"]["id"] == asked.id

    queue = run("overrides", "queue", "--json", **env)
    assert queue.returncode == 0, queue.stderr
    [item] = json.loads(queue.stdout)["items"]
    assert item["account_id"] == "a-tgt" and item["current"]["status"] == "restricted"
    assert "status review → restricted" in item["override"]["lapse_reasons"]
    table = run("overrides", "queue", **env)
    line = next(x for x in table.stdout.splitlines() if x.startswith("a-tgt\t"))
    assert "\treview 30%–60% (decision" in line and "\trestricted 60% (decision" in line

    out = tmp_path / "unverified.csv"
    exported = run("portfolio", "decisions", "--out", out, "--flag", "unverified", **env)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["account_id"] for r in rows] == ["a-dragon", "a-huaxin", "a-nobody", "a-twin"]
    twin = next(r for r in rows if r["account_id"] == "a-twin")
    assert twin["status"] == "restricted" and twin["flags"].startswith("unverified;link_review")
    assert twin["chain"] == "CNP → TWR"
    everything = tmp_path / "all.jsonl"
    assert run("portfolio", "decisions", "--out", everything, **env).returncode == 0
    by_id = {r["account_id"]: r for r in map(json.loads, everything.read_text().splitlines())}
    assert by_id["a-tgt"]["effective_status"] == "restricted"
    # "Shenzhen Huaxin Keji Co Ltd" met 深圳华信科技有限公司.
    assert (by_id["a-shenzhen"]["entity_id"], by_id["a-shenzhen"]["status"]) == (
        "SZ1",
        "restricted",
    )

    unmatched = run("links", "queue", "--outcome", "unmatched", "--json", **env)
    assert [i["account_id"] for i in json.loads(unmatched.stdout)["items"]] == ["a-nobody"]
    piped = run("links", "queue", **env)
    assert "a-nobody\tNobody Bakery SARL\tFR\tunmatched" in piped.stdout


def test_answers_act_as_a_key_or_the_os_user_never_a_typed_name(tmp_path: Path) -> None:
    env = {"OWNERGATE_DATA_DIR": str(tmp_path)}
    save(tmp_path, "reg1", REVIEW)
    customers = _customers(tmp_path / "customers.parquet")
    assert run("portfolio", "load", "--customers", customers, **env).returncode == 0
    assert run("portfolio", "screen", "--snapshot", "reg1", "--workers", "1", **env).returncode == 0
    keys = create_keys(f"sqlite:///{tmp_path / 'ownergate.db'}")

    typed = run("links", "reject", "a-twin", "TWA", "--reason", "r", "--actor", "alice", **env)
    assert typed.returncode == 2 and "--actor" in typed.stderr
    by_key = run("links", "reject", "a-twin", "TWA", "--reason", "not it", "--key", keys["analyst"],
                 **env)  # fmt: skip
    assert by_key.returncode == 0, by_key.stderr
    prefix = keys["analyst"].split("_")[1]
    assert f"by key:{prefix}" in by_key.stderr
    viewer = run("links", "confirm", "a-twin", "TWR", "--reason", "r",
                 OWNERGATE_API_KEY=keys["viewer"], **env)  # fmt: skip
    assert viewer.returncode == 1 and "needs analyst" in viewer.stderr
    bad = run("links", "confirm", "a-twin", "TWR", "--reason", "r", "--key", "og_nope", **env)
    assert bad.returncode == 1 and "unknown or revoked" in bad.stderr
    by_user = run("links", "confirm", "a-twin", "TWR", "--reason", "register", **env)
    assert by_user.returncode == 0 and "by cli:" in by_user.stderr
    shown = json.loads(run("links", "show", "a-twin", "--json", **env).stdout)
    assert [r["reviewer"][:4] for r in shown["reviews"]] == ["key:", "cli:"]


def test_explanations_name_every_holding_nominees_and_what_the_policy_leaves_out(
    tmp_path: Path,
) -> None:
    entities = tmp_path / "entities.csv"
    entities.write_text(
        "id,name,kind,country\nCN3,Dragon Parent,company,CN\nCN4,Phoenix Capital,company,CN\n"
        "NOM,Lion City Nominees,company,SG\nSG1,Lion Trading,company,SG\n"
        "ZW,Zhang Wei,person,CN\nHK1,Harbour Holdings,company,HK\n"
    )
    ownership = tmp_path / "ownership.csv"
    ownership.write_text(
        "owner,owned,share,nominee_for\nCN3,SG1,40%,\nNOM,SG1,15%,CN4\nZW,HK1,100%,\n"
    )
    env = {"COLUMNS": "", "OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    sg = run("explain", "SG1", "-e", entities, "-o", ownership, **env)
    assert sg.returncode == 0, sg.stderr
    assert "restricted share 55%" in sg.stdout
    assert "CN3 40% + CN4 15% = 55% > 50%" in sg.stdout
    assert "15% held by Lion City Nominees for CN4" in sg.stdout
    hk = run("explain", "HK1", "-e", entities, "-o", ownership, **env)
    assert (
        "100% held by Zhang Wei (person, CN): persons do not seed restriction under this "
        "policy (owner_kinds = company)" in hk.stdout
    )
    doc = json.loads(run("explain", "SG1", "-e", entities, "-o", ownership, "--json").stdout)
    assert [c["owner"] for c in doc["contributions"]] == ["CN3", "CN4"]
    assert doc["contributions"][1]["nominees"][0]["nominee"] == "NOM"

    ingested = run("ingest", "interchange", entities, ownership, "--snapshot", "s1", **env)
    assert ingested.returncode == 0, ingested.stderr
    snap = run("explain", "SG1", "--snapshot", "s1", **env)
    assert (
        "from ownership.csv, line 2" in snap.stdout and "from ownership.csv, line 3" in snap.stdout
    )

    report = json.loads(run("validate", "-e", entities, "-o", ownership, "--json").stdout)
    assert report["checks"]["held through a nominee"] == {"count": 1, "members": ["CN4 → SG1"]}
    table = run("validate", "-e", entities, "-o", ownership, **env)
    assert "held through a nominee\t1\tCN4 → SG1" in table.stdout
