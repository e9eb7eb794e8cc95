"""What policies and snapshots share: activation by appending, never by updating.

An activation says "from ``active_from`` on, this one is active"; the active one at a time
is the latest activation that has begun (ties go to the later recorded). An activation may
be scheduled for later but not backdated, so what was active at a past moment never changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import InputError
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.models import PolicyActivation, SnapshotActivation
from ownergate.store.states import activation_state
from ownergate.store.types import utcnow

A = TypeVar("A", PolicyActivation, SnapshotActivation)

# A caller's "now" may lag the store's by a little; within this it means "now".
CLOCK_TOLERANCE = dt.timedelta(seconds=60)


def start_of(active_from: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When an activation asked for ``active_from`` begins (``None``: now)."""
    if active_from is None:
        return now
    start = checks.aware(active_from, "active_from")
    if start < now - CLOCK_TOLERANCE:
        raise InputError(
            f"{start.isoformat()} is in the past: an activation cannot be backdated",
            field="active_from",
        )
    return max(start, now)


def append(
    session: Session,
    audit: AuditLog,
    activation: A,
    *,
    actor: str,
    active_from: dt.datetime | None,
    action: str,
) -> A:
    """Record ``activation`` (its key already set) from ``active_from``, with its audit row;
    called inside the caller's audited write."""
    now = utcnow()
    activation.active_from = start_of(active_from, now)
    activation.activated_by = checks.text(actor, "actor", 200)
    activation.recorded_at = now
    session.add(activation)
    session.flush()
    audit.append(actor, action, activation.__tablename__.removesuffix("s"), activation.id,
                 activation_state(activation))  # fmt: skip
    return activation


def latest(session: Session, model: type[A], at: dt.datetime | None) -> A | None:
    moment = utcnow() if at is None else checks.aware(at, "at")
    query = (
        select(model)
        .where(model.active_from <= moment)
        .order_by(model.active_from.desc(), model.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def history(session: Session, model: type[A]) -> list[A]:
    """Every activation, in the order they were recorded."""
    return list(session.scalars(select(model).order_by(model.id)))
