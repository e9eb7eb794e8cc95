"""Policy drafts validated in full before they are stored; snapshots registered by name
from the data directory and activated only while their files are there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ownergate.errors import PolicyError
from ownergate.service import PolicyService, SnapshotService
from ownergate.snapshots import SnapshotStore
from ownergate.store import ConflictError, Database, NotFoundError
from tests.integration.service.registry import RUSSIA_ONLY, save_snapshot

ADMIN = "key:admin"


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("regions = ['CN']\nthreshhold = '0.5'\n", "threshhold"),
        ("threshold = '150%'\n", "threshold"),
        ('name = "a\\u0000b"\n', "name"),
        (f'name = "{"n" * 201}"\n', "name"),
        ("version = 7\n", "version"),
    ],
)
def test_a_bad_draft_is_refused_naming_the_key(db: Database, toml: str, field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        PolicyService(db).create_draft(toml, actor=ADMIN)
    assert caught.value.field == field


def test_deeply_nested_toml_is_a_policy_error(db: Database) -> None:
    with pytest.raises(PolicyError, match="nested too deeply"):
        PolicyService(db).create_draft("a = " + "[" * 5000 + "]" * 5000, actor=ADMIN)


def test_a_draft_is_published_then_activated(db: Database) -> None:
    service = PolicyService(db)
    draft = service.create_draft(RUSSIA_ONLY, actor=ADMIN)
    assert (draft.policy.version, draft.policy.published, draft.active) == (2, False, False)
    with pytest.raises(ConflictError):
        service.activate(2, actor=ADMIN)
    assert service.publish(2, actor=ADMIN).policy.published
    assert service.activate(2, actor=ADMIN).active
    assert [(r.policy.version, r.active) for r in service.list()] == [(1, False), (2, True)]


def test_snapshots_are_registered_by_name_once(db: Database, data_dir: Path) -> None:
    saved = save_snapshot(data_dir, "reg1")
    service = SnapshotService(db, SnapshotStore(data_dir))
    record, created = service.register("reg1", actor=ADMIN)
    assert created and record.snapshot.digest == saved.digest and not record.active
    assert not service.register("reg1", actor=ADMIN)[1]
    assert service.activate(saved.digest, actor=ADMIN).active
    assert [r.active for r in service.list()] == [True]


def test_an_unknown_name_is_not_found_without_naming_the_data_directory(
    db: Database, data_dir: Path
) -> None:
    with pytest.raises(NotFoundError) as caught:
        SnapshotService(db, SnapshotStore(data_dir)).register("nope", actor=ADMIN)
    assert str(data_dir) not in str(caught.value)


def test_a_snapshot_whose_files_are_gone_is_not_activated(db: Database, data_dir: Path) -> None:
    saved = save_snapshot(data_dir, "reg1")
    service = SnapshotService(db, SnapshotStore(data_dir))
    service.register("reg1", actor=ADMIN)
    shutil.rmtree(data_dir / "snapshots" / saved.digest)
    (data_dir / "refs" / "reg1").unlink()
    with pytest.raises(ConflictError, match="not in the data directory"):
        service.activate(saved.digest, actor=ADMIN)
    with pytest.raises(NotFoundError):
        service.activate("0" * 64, actor=ADMIN)
