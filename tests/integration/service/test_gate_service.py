"""``GateService`` on its own: it follows an ``ip update`` made by another process, answers
from memory only what memory holds, and audits refusals in batches."""

from __future__ import annotations

from pathlib import Path

from ownergate.ipintel import IpDataStore, IpIntel
from ownergate.service import AccountService, Deciders
from ownergate.service.gate import GateRequest, GateService
from ownergate.service.gate_audit import AuditState, GateAudit
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database
from tests.ip_data import tiny_folder


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _gate(db: Database, data_dir: Path, ip: IpDataStore, clock: Clock) -> GateService:
    accounts = AccountService(db, Deciders(db, SnapshotStore(data_dir)))
    return GateService(
        db,
        accounts,
        lambda: IpIntel.load(ip.ensure()),
        audit=GateAudit(db, data_dir / "gate-audit"),
        clock=clock,
        intel_version=ip.current,
        intel_recheck=30.0,
    )


def test_the_gate_follows_an_ip_update(db: Database, data_dir: Path, tmp_path: Path) -> None:
    ip = IpDataStore(tmp_path / "ip", bundle=tiny_folder(tmp_path / "bundle"))
    clock = Clock()
    gate = _gate(db, data_dir, ip, clock)
    request = GateRequest(account_id=None, ip="8.8.8.8")
    try:
        first = gate.check(request, actor="key:test")
        assert first.ip is not None and first.ip.country == "US"
        changed = tiny_folder(
            tmp_path / "new",
            {"geo/country.csv": "ip_range_start,ip_range_end,country_code\n8.8.8.0,8.8.8.255,RU\n"},
        )
        ip.update(changed)
        clock.now = 4.0  # neither the policy nor the IP data looked for again yet
        held = gate.check_cached(request, actor="key:test")
        assert held is not None and held.ip is not None and held.ip.country == "US"
        # A challenge from memory is due for the journal, which the caller finishes.
        assert held.audit is AuditState.DUE and not held.audited
        assert gate.finish(held).audited
        clock.now = 31.0
        assert gate.check_cached(request, actor="key:test") is None  # due: the store path
        moved = gate.check(request, actor="key:test")
        assert moved.ip is not None and moved.ip.country == "RU"
        assert moved.action.value == "deny" and moved.audited
    finally:
        gate.close()
    with db.read() as store:
        actions = [e.action for e in store.audit.entries(limit=50)]
    # Two challenges (no account: not decided) before the update, one deny after it.
    assert actions[-3:] == ["gate.challenge", "gate.challenge", "gate.deny"]
