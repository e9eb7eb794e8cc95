"""Screening runs: a whole-base screen or a re-screen, advanced one committed batch at a
time. The cursor (the last account id done, accounts being taken in id order) is written
in the same transaction as the batch's decisions, so after an interruption the run resumes
exactly after the last batch that landed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import shown
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import ScreenRun
from ownergate.store.types import utcnow

KINDS = ("screen", "rescreen")


def _run_state(run: ScreenRun) -> dict[str, Any]:
    return {c.key: getattr(run, c.key) for c in ScreenRun.__table__.columns}


class ScreenRunRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def start(
        self,
        kind: str,
        *,
        policy_version: int,
        snapshot_digest: str | None,
        actor: str,
        from_policy_version: int | None = None,
        from_snapshot_digest: str | None = None,
    ) -> ScreenRun:
        if kind not in KINDS:
            raise ConflictError(f"unknown run kind {shown(kind)}")
        with self._audit.writing(actor):
            run = ScreenRun(
                kind=kind,
                policy_version=policy_version,
                snapshot_digest=snapshot_digest,
                from_policy_version=from_policy_version,
                from_snapshot_digest=from_snapshot_digest,
                actor=actor,
                cursor=None,
                counts={},
                started_at=utcnow(),
                finished_at=None,
            )
            self.session.add(run)
            self.session.flush()
            self._audit.append(actor, f"{kind}.start", "screen_run", run.id, _run_state(run))
        return run

    def unfinished(
        self,
        kind: str,
        *,
        policy_version: int,
        snapshot_digest: str | None,
        from_snapshot_digest: str | None = None,
        from_policy_version: int | None = None,
    ) -> ScreenRun | None:
        """The newest unfinished run of ``kind`` on the same pair (and origin), if any."""
        query = (
            select(ScreenRun)
            .where(
                ScreenRun.kind == kind,
                ScreenRun.finished_at.is_(None),
                ScreenRun.policy_version == policy_version,
                _same(ScreenRun.snapshot_digest, snapshot_digest),
                _same(ScreenRun.from_snapshot_digest, from_snapshot_digest),
                _same(ScreenRun.from_policy_version, from_policy_version),
            )
            .order_by(ScreenRun.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def get(self, run_id: int) -> ScreenRun:
        run = self.session.get(ScreenRun, run_id, populate_existing=True)
        if run is None:
            raise NotFoundError(f"no screening run {run_id}")
        return run

    def advance(self, run_id: int, cursor: str, counts: dict[str, int], *, actor: str) -> None:
        """Record that every account up to ``cursor`` is done, with the running counts."""
        with self._audit.writing(actor):
            run = self.get(run_id)
            if run.finished_at is not None:
                raise ConflictError(f"screening run {run_id} is finished")
            run.cursor = cursor
            run.counts = dict(counts)
            self.session.flush()

    def finish(self, run_id: int, counts: dict[str, int], *, actor: str) -> ScreenRun:
        with self._audit.writing(actor):
            run = self.get(run_id)
            run.counts = dict(counts)
            run.finished_at = utcnow()
            self.session.flush()
            self._audit.append(actor, f"{run.kind}.finish", "screen_run", run.id, _run_state(run))
        return run

    def latest_finished(self) -> ScreenRun | None:
        """The run that finished last: where the whole base stands."""
        query = (
            select(ScreenRun)
            .where(ScreenRun.finished_at.is_not(None))
            .order_by(ScreenRun.finished_at.desc(), ScreenRun.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def latest(self, limit: int = 20) -> list[ScreenRun]:
        query = select(ScreenRun).order_by(ScreenRun.id.desc()).limit(limit)
        return list(self.session.scalars(query))


def _same(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value
