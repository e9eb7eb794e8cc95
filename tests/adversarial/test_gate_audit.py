"""A refusal the gate reports as audited is on record, whatever happens to the server.

With the store's write lock held by someone else, a server answers a thousand denies, each
``audited``, and is killed with SIGKILL: not one row could reach the audit log, yet after a
restart every one of them is there, once. A verdict is never written twice when the crash
falls between the store's commit and the journal's marker; a full journal or queue is
answered honestly (``failed``, dropped) instead of claiming a record that does not exist.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ownergate.service.gate_audit import AuditState, GateAudit
from ownergate.service.gate_journal import Journal
from ownergate.store import Database, upgrade, verify_chain
from tests.integration.service.registry import create_keys
from tests.integration.service.server import serve_store
from tests.ip_data import bundled_data_dir

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 1_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ownergate", "serve", "--port", str(port), "--no-access-log"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None, "ownergate serve exited"
        assert time.monotonic() < deadline, "ownergate serve did not come up"
        time.sleep(0.1)
    try:
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)


def _gate_rows(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(database) as sql:
        rows = sql.execute("SELECT payload FROM audit_log WHERE action LIKE 'gate.%'").fetchall()
    return [json.loads(r[0]) for r in rows]


@pytest.mark.slow
def test_a_thousand_denies_survive_kill_9_while_the_store_is_locked(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = tmp_path / "data"
    database = data / "ownergate.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    keys = create_keys(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    env.update(
        OWNERGATE_DATA_DIR=str(data),
        OWNERGATE_IP_DATA_DIR=str(bundled_data_dir(tmp_path_factory)),
    )
    headers = {"Authorization": f"Bearer {keys['viewer']}"}
    body = {"ip": "77.88.8.8"}  # Russia: denied as restricted-region
    ids: list[str] = []
    with _server(env) as (proc, base), httpx.Client(base_url=base, timeout=60) as client:
        assert client.post("/v1/gate", json=body, headers=headers).status_code == 200
        lock = sqlite3.connect(database, isolation_level=None, timeout=60)
        lock.execute("BEGIN IMMEDIATE")  # another writer holds the store
        try:
            before = len(_gate_rows(database))

            def ask(_: int) -> dict[str, Any]:
                reply = client.post("/v1/gate", json=body, headers=headers)
                assert reply.status_code == 200, reply.text
                return dict(reply.json())

            with ThreadPoolExecutor(8) as pool:
                replies = list(pool.map(ask, range(REQUESTS)))
            assert {(r["action"], r["audited"], r["audit"]) for r in replies} == {
                ("deny", True, "durable")
            }
            ids = [r["audit_id"] for r in replies]
            assert len(set(ids)) == REQUESTS
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            assert len(_gate_rows(database)) == before  # nothing got past the lock
        finally:
            lock.execute("ROLLBACK")
            lock.close()
    # The next server start writes what the killed one journalled, exactly once.
    with _server(env):
        deadline = time.monotonic() + 60
        while True:
            found = [p.get("audit_id") for p in _gate_rows(database)]
            if set(ids) <= set(found) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert set(ids) <= set(found)
    assert len(found) == len(set(found))  # no verdict written twice
    assert list((data / "gate-audit").glob("journal-*")) == []  # all written, removed
    db = Database(url)
    try:
        with db.read() as store:
            assert verify_chain(store.session).ok
    finally:
        db.dispose()


def _payload(audit_id: str) -> dict[str, Any]:
    return {"audit_id": audit_id, "action": "deny", "reasons": ["restricted-region"]}


def test_a_crash_between_commit_and_marker_writes_nothing_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'og.db'}"
    upgrade(url)
    db = Database(url)
    directory = tmp_path / "journal"
    journal = Journal.create(directory, 1 << 20)
    with db.read() as store:
        seq = store.audit.head().seq
    for i in range(4):
        journal.append({"audit_id": f"id{i}", "actor": "key:x", "account_id": "-",
                        "payload": _payload(f"id{i}")})  # fmt: skip
    _, end = journal.pending(100)
    journal.mark({"writing": [0, end], "after_seq": seq})
    # The batch committed (two rows of it, say, before the rest of a retried batch) ...
    with db.write() as store:
        store.audit.append_many(
            [("key:x", "gate.deny", "request", "-", _payload(f"id{i}")) for i in (0, 1)]
        )
    # ... and the process died before writing {"done": ...}; one more verdict came after.
    journal.append({"audit_id": "id4", "actor": "key:x", "account_id": "-",
                    "payload": _payload("id4")})  # fmt: skip
    journal.close(remove=False)
    audit = GateAudit(db, directory)  # adopts the orphan as it starts
    try:
        audit.flush()
        deadline = time.monotonic() + 30
        while list(directory.glob("journal-*")) != [audit._journal.path]:
            assert time.monotonic() < deadline, "the orphan journal was not replayed"
            time.sleep(0.05)
    finally:
        audit.close()
    with db.read() as store:
        ids = [json.loads(e.payload)["audit_id"] for e in store.audit.entries(limit=100)
               if e.action == "gate.deny"]  # fmt: skip
    db.dispose()
    assert sorted(ids) == ["id0", "id1", "id2", "id3", "id4"]


def test_a_full_journal_is_reported_and_a_full_queue_drops(tmp_path: Path) -> None:
    database = tmp_path / "og.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    db = Database(url)
    audit = GateAudit(db, tmp_path / "journal", batch=1, queue_size=2, journal_bytes=4096)
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the store cannot be written: nothing drains
    try:
        states = [audit.record("key:x", None, _payload(f"d{i}"), durable=True) for i in range(40)]
        durable = states.count(AuditState.DURABLE)
        assert 0 < durable < 40 and set(states[durable:]) == {AuditState.FAILED}
        assert audit.failed == 40 - durable
        sampled = [audit.record("key:x", None, _payload(f"s{i}"), durable=False) for i in range(10)]
        accepted = sampled.count(AuditState.BEST_EFFORT)
        assert 2 <= accepted <= 3 and audit.dropped == 10 - accepted  # queue of 2, batch 1
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    audit.flush()
    audit.close()
    with db.read() as store:
        rows = store.audit.entries(limit=500, object_type="request")
        written = [json.loads(e.payload)["audit_id"] for e in rows]
    db.dispose()
    assert sum(i.startswith("d") for i in written) == durable  # every durable one landed
    assert sum(i.startswith("s") for i in written) == accepted


def _policy(db: Database, sample: float) -> None:
    with db.write() as store:
        toml = f'name = "sample-{sample}"\n\n[gate]\nsample_allows = {sample}\n'
        version = store.policies.create_draft(toml, actor="key:admin").version
        store.policies.publish(version, actor="key:admin")
        store.policies.activate(version, actor="key:admin")


def test_replies_say_how_each_verdict_is_on_record(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = f"sqlite:///{tmp_path / 'og.db'}"
    upgrade(url)
    db = Database(url)
    with db.write() as store:
        store.accounts.upsert("us-co", organisation_name="US Co", declared_country="US",
                              actor="tests")  # fmt: skip
        store.decisions.append(
            "us-co", status="allowed", reason="none", share_min=0.0, share_max=0.0,
            method="control", evidence={"flags": []}, policy_version=1, entity_id="E-US",
            actor="tests",
        )  # fmt: skip
    _policy(db, 1.0)  # every allow sampled
    ip_dir = bundled_data_dir(tmp_path_factory)
    with serve_store(url, tmp_path / "data", ip_data_dir=ip_dir) as api:

        def gate(ip: str) -> dict[str, Any]:
            body = {"account_id": "us-co", "ip": ip}
            reply = api.client.post("/v1/gate", json=body, headers=api.auth("viewer"))
            assert reply.status_code == 200, reply.text
            return dict(reply.json())

        denied = gate("77.88.8.8")
        assert (denied["action"], denied["audited"], denied["audit"]) == ("deny", True, "durable")
        sampled = gate("8.8.8.8")
        assert (sampled["action"], sampled["audited"]) == ("allow", False)
        assert sampled["audit"] == "best-effort" and sampled["audit_id"]
        _policy(db, 0.0)
        time.sleep(5.5)  # the gate reads the active policy again every 5 seconds
        unsampled = gate("8.8.8.8")
        assert (unsampled["audit"], unsampled["audit_id"]) == ("none", None)
    with db.read() as store:
        rows = {json.loads(e.payload)["audit_id"] for e in store.audit.entries(limit=500)
                if e.action.startswith("gate.")}  # fmt: skip
    db.dispose()
    assert rows == {denied["audit_id"], sampled["audit_id"]}
