"""Accounts decided under the active pair: resolved by registry id or LEI (else unverified),
a decision appended only when the outcome changes, superseding the one before."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.errors import InputError
from ownergate.explain import verify
from ownergate.service import AccountFields, AccountService, Deciders
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database
from tests.integration.service.registry import HK_LEI, activate_policy, activate_snapshot

ACTOR = "key:analyst"


def accounts(db: Database, data_dir: Path) -> AccountService:
    return AccountService(db, Deciders(db, SnapshotStore(data_dir)))


def test_an_account_resolved_by_registry_id_is_decided_with_verifiable_evidence(
    db: Database, data_dir: Path
) -> None:
    digest = activate_snapshot(db, data_dir, "reg1")
    service = accounts(db, data_dir)
    fields = AccountFields("Lion City Pte", "SG", registry_entity_id="SGS")
    result = service.put("acct-1", fields, actor=ACTOR)
    assert result.created and result.new_decision
    decision = result.verdict.decision
    assert (decision.status.value, decision.reason.value) == ("restricted", "ownership")
    assert (decision.entity_id, decision.snapshot_digest, decision.flags) == ("SGS", digest, ())
    stored = service.verdict("acct-1", evidence=True).decision.evidence
    assert stored is not None and verify(stored).ok
    assert stored["resolution"] == {"entity_id": "SGS", "by": "registry_entity_id"}
    assert stored["subject"]["declared_country"] == "SG" and stored["flags"] == []


def test_writing_the_same_account_again_appends_nothing(db: Database, data_dir: Path) -> None:
    activate_snapshot(db, data_dir, "reg1")
    service = accounts(db, data_dir)
    fields = AccountFields("Lion City Pte", "SG", registry_entity_id="SGS")
    service.put("acct-1", fields, actor=ACTOR)
    with db.read() as store:
        head = store.audit.head()
    again = service.put("acct-1", fields, actor=ACTOR)
    assert not again.created and not again.new_decision
    with db.read() as store:
        assert store.audit.head() == head
    assert len(service.history("acct-1")) == 1


def test_an_account_is_found_by_its_lei(db: Database, data_dir: Path) -> None:
    activate_snapshot(db, data_dir, "reg1")
    result = accounts(db, data_dir).put(
        "acct-hk", AccountFields("Harbour Trading Ltd", "HK", lei=HK_LEI), actor=ACTOR
    )
    assert result.account.entity_id == HK_LEI and result.account.lei == HK_LEI
    assert result.verdict.decision.entity_id == HK_LEI
    assert result.verdict.decision.status.value == "restricted"


def test_an_account_found_nowhere_is_decided_on_its_declared_country(
    db: Database, data_dir: Path
) -> None:
    activate_snapshot(db, data_dir, "reg1")
    service = accounts(db, data_dir)
    cn = service.put(
        "acct-cn", AccountFields("Shenzhen Widgets", "CN", registry_entity_id="nope"), actor=ACTOR
    )
    decision = cn.verdict.decision
    assert (decision.status.value, decision.reason.value) == ("restricted", "region")
    assert decision.entity_id is None and decision.flags == ("unverified",)
    assert cn.account.entity_id == "nope"  # what the platform said is kept
    evidence = service.verdict("acct-cn", evidence=True).decision.evidence
    assert evidence is not None and evidence["flags"] == ["unverified"]
    de = service.put("acct-de", AccountFields("Rhein Widgets", "DE"), actor=ACTOR)
    assert de.verdict.decision.status.value == "allowed"


def test_without_an_active_snapshot_every_account_is_unverified(
    db: Database, data_dir: Path
) -> None:
    result = accounts(db, data_dir).put(
        "acct-1", AccountFields("Lion City Pte", "SG", registry_entity_id="SGS"), actor=ACTOR
    )
    decision = result.verdict.decision
    # Singapore is a holding jurisdiction: unverified there is a risk signal (review).
    assert decision.snapshot_digest is None
    assert decision.flags == ("unverified", "offshore_declaration")
    assert decision.status.value == "review"
    paris = accounts(db, data_dir).put("acct-2", AccountFields("Paris Widgets", "FR"), actor=ACTOR)
    assert paris.verdict.decision.flags == ("unverified",)
    assert paris.verdict.decision.status.value == "allowed"


def test_redeciding_after_a_policy_change_supersedes_the_decision(
    db: Database, data_dir: Path
) -> None:
    activate_snapshot(db, data_dir, "reg1")
    service = accounts(db, data_dir)
    first = service.put(
        "acct-1", AccountFields("Lion City Pte", "SG", registry_entity_id="SGS"), actor=ACTOR
    ).verdict.decision
    assert not service.redecide("acct-1", actor=ACTOR).new_decision
    version = activate_policy(db)
    again = service.redecide("acct-1", actor=ACTOR)
    second = again.verdict.decision
    assert again.new_decision and second.supersedes == first.id
    assert (second.status.value, second.policy_version) == ("allowed", version)
    history = service.history("acct-1")
    assert [d.id for d in history] == [second.id, first.id]
    assert [d.id for d in service.history("acct-1", before=second.id, limit=1)] == [first.id]


def test_redeciding_records_an_entity_found_by_lei(db: Database, data_dir: Path) -> None:
    service = accounts(db, data_dir)
    before = service.put("acct-hk", AccountFields("Harbour", "HK", lei=HK_LEI), actor=ACTOR)
    assert before.account.entity_id is None  # no snapshot active yet
    activate_snapshot(db, data_dir, "reg1")
    after = service.redecide("acct-hk", actor=ACTOR)
    assert after.account.entity_id == HK_LEI and after.new_decision
    assert after.verdict.decision.status.value == "restricted"


def test_a_bad_country_is_refused_naming_the_field(db: Database, data_dir: Path) -> None:
    with pytest.raises(InputError) as caught:
        accounts(db, data_dir).put("acct-1", AccountFields("Acme", "QQ"), actor=ACTOR)
    assert caught.value.field == "declared_country"
