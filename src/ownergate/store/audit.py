"""The audit log: every write to the store, hash-chained so that tampering shows.

Each repository write appends one row in its own transaction: ``seq`` (1, 2, 3, ... with no
gaps), ``at`` (UTC), ``actor``, ``action``, ``object_type``, ``object_id`` and ``payload``
(canonical JSON: sorted keys, no spaces, UTF-8). A row's hash chains it to the previous one::

    row  = canonical({"seq", "at", "actor", "action", "object_type", "object_id", "payload"})
    hash = sha256_hex(prev_hash + row)        # prev_hash of row 1: 64 zeros

where ``at`` is written ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and ``payload`` is the parsed JSON
value. ``verify_chain`` recomputes this and names the first bad row: an edited one (its hash
no longer matches), a deleted one (a gap in ``seq``) or reordered ones (a broken link).

Writers append in turn. The single ``audit_head`` row (last seq and hash) is locked by the
first write of a transaction (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write
transaction's ``BEGIN IMMEDIATE`` holds the file's write lock) and held until commit, so two
transactions never both extend the same head; the unique ``seq`` would refuse it anyway.

Deleting the *newest* rows leaves a valid, shorter chain: only a head recorded elsewhere
shows it. ``AuditLog.head()`` gives (seq, hash) for an operator to keep, and
``verify_chain(session, expected_head=...)`` checks the log still contains it.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ownergate.errors import InputError
from ownergate.store.errors import UnauditedWriteError
from ownergate.store.models import AuditEntry, AuditHeadRow
from ownergate.store.types import as_utc, utcnow

GENESIS = "0" * 64
READ_ONLY = "ownergate_read_only"
WRITING = "ownergate_writing"
_AUDIT_TABLE = cast(Table, AuditEntry.__table__)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON")


def canonical(value: Any) -> str:
    """``value`` as canonical JSON (sorted keys, no spaces, no NaN)."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_encode,
    )


def timestamp(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON, the payload (itself
    canonical JSON) embedded as a value. Written out by hand, in the sorted key order
    ``canonical`` gives, so that the payload is not decoded and encoded again."""
    text = partial(json.dumps, ensure_ascii=False)
    row = (
        f'{{"action":{text(action)},"actor":{text(actor)},"at":{text(timestamp(at))},'
        f'"object_id":{text(object_id)},"object_type":{text(object_type)},'
        f'"payload":{payload},"seq":{int(seq)}}}'
    )
    return hashlib.sha256((prev_hash + row).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditHead:
    """The newest audit row: what an operator records to detect a truncated log later."""

    seq: int
    hash: str


@dataclass(frozen=True)
class AuditReport:
    """The outcome of ``verify_chain``; ``first_bad_seq`` is None when the log is intact."""

    rows: int
    head: AuditHead
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    def __str__(self) -> str:
        if self.ok:
            return f"audit log intact: {self.rows} rows, head seq {self.head.seq} {self.head.hash}"
        return f"audit log broken at seq {self.first_bad_seq}: {self.problem}"


class AuditLog:
    """Appends to and reads the audit log within one session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self) -> AuditHead:
        """Take the writers' turn (held until the transaction ends) and return the head."""
        if self.session.info.get(READ_ONLY):
            raise UnauditedWriteError("a read transaction cannot write to the store")
        seq, digest = self.session.execute(
            select(AuditHeadRow.seq, AuditHeadRow.hash)
            .where(AuditHeadRow.id == 1)
            .with_for_update()
        ).one()
        return AuditHead(seq, digest)

    @contextmanager
    def writing(self, actor: str) -> Iterator[AuditHead]:
        """The scope of one repository write by ``actor``: locked, allowed to flush ORM
        changes, and atomic (a savepoint), so a write that fails leaves nothing behind
        even when the caller catches the error and commits the rest of the transaction."""
        check_actor(actor)
        head = self.lock()
        self.session.info[WRITING] = self.session.info.get(WRITING, 0) + 1
        try:
            with self.session.begin_nested():
                yield head
        finally:
            self.session.info[WRITING] -= 1

    def append(
        self,
        actor: str,
        action: str,
        object_type: str,
        object_id: str | int,
        payload: dict[str, Any],
    ) -> AuditHead:
        """Append one row after the current head (locking it first if not yet locked);
        returns the new head."""
        return self.append_many([(actor, action, object_type, object_id, payload)])

    def append_many(
        self, rows: Sequence[tuple[str, str, str, str | int, dict[str, Any]]]
    ) -> AuditHead:
        """Append rows of (actor, action, object_type, object_id, payload) in order, with
        one head lock, one insert and one head update for all of them; returns the new
        head."""
        for row in rows:
            check_actor(row[0])
        head = self.lock()
        if not rows:
            return head
        values = []
        prev, seq = head.hash, head.seq
        at = utcnow()
        for actor, action, object_type, object_id, payload in rows:
            seq += 1
            text = canonical(payload)
            digest = entry_hash(prev, seq, at, actor, action, object_type, str(object_id), text)
            values.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor": actor,
                    "action": action,
                    "object_type": object_type,
                    "object_id": str(object_id),
                    "payload": text,
                    "prev_hash": prev,
                    "hash": digest,
                    "account_id": about_account(object_type, str(object_id), payload),
                }
            )
            prev = digest
        # A Core executemany: bulk screens append hundreds of thousands of rows.
        self.session.execute(insert(_AUDIT_TABLE), values)
        self.session.execute(
            update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=seq, hash=prev)
        )
        return AuditHead(seq, prev)

    def head(self) -> AuditHead:
        """The newest row's (seq, hash); (0, 64 zeros) for an empty log."""
        row = self.session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        return AuditHead(0, GENESIS) if row is None else AuditHead(row.seq, row.hash)

    def entries(
        self,
        *,
        after_seq: int = 0,
        limit: int = 100,
        object_type: str | None = None,
        object_id: str | None = None,
        account_id: str | None = None,
    ) -> list[AuditEntry]:
        """Rows after ``after_seq`` in order, optionally for one object or every row about
        one account (for paging)."""
        query = select(AuditEntry).where(AuditEntry.seq > after_seq)
        if account_id is not None:
            query = query.where(AuditEntry.account_id == account_id)
        if object_type is not None:
            query = query.where(AuditEntry.object_type == object_type)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        return list(self.session.scalars(query.order_by(AuditEntry.seq).limit(limit)))


def about_account(object_type: str, object_id: str, payload: Any) -> str | None:
    """The account an audit row is about: the object itself for accounts and gate
    requests, else the payload's ``account_id`` (decisions, overrides, reviews, lapses)."""
    if object_type in ("account", "request"):
        return object_id
    found = payload.get("account_id") if isinstance(payload, dict) else None
    return found if isinstance(found, str) else None


def check_actor(actor: str) -> None:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise InputError("must name the principal in 1 to 200 characters", field="actor")


def verify_chain(session: Session, expected_head: AuditHead | None = None) -> AuditReport:
    """Recompute the chain and report the first row that breaks it.

    Also checks the chain reaches the head the store recorded (``audit_head``) and, when
    given, ``expected_head`` (a head recorded earlier, outside the database): a log that
    ends before either, or holds another row there, has lost or changed its newest rows.
    """
    anchors = [("the head the store recorded", _stored_head(session))]
    if expected_head is not None:
        anchors.append(("the expected head", expected_head))
    prev, expected_seq, rows = GENESIS, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    for entry in session.scalars(query):
        if entry.seq > expected_seq:
            lost = (
                f"row {expected_seq} was"
                if entry.seq == expected_seq + 1
                else f"rows {expected_seq} to {entry.seq - 1} were"
            )
            return _broken(rows, prev, expected_seq, f"missing: {lost} deleted")
        if entry.seq < expected_seq:
            return _broken(rows, prev, entry.seq, "out of sequence (its seq was edited)")
        recomputed = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.payload,
        )
        if recomputed != entry.hash:
            return _broken(rows, prev, entry.seq, "edited (its content does not match its hash)")
        if entry.account_id != about_account(
            entry.object_type, entry.object_id, json.loads(entry.payload)
        ):
            return _broken(rows, prev, entry.seq, "its account_id does not match its payload")
        if entry.prev_hash != prev:
            return _broken(
                rows,
                prev,
                entry.seq,
                f"does not follow row {entry.seq - 1} (rows reordered, or one re-hashed)",
            )
        for name, anchor in anchors:
            if anchor.seq == entry.seq and anchor.hash != entry.hash:
                return _broken(rows, prev, entry.seq, f"differs from {name}")
        prev, expected_seq, rows = entry.hash, expected_seq + 1, rows + 1
        session.expunge(entry)
    for name, anchor in anchors:
        if anchor.seq > rows:
            return _broken(
                rows,
                prev,
                rows + 1,
                f"missing: the log ends at seq {rows} but {name} is seq {anchor.seq}",
            )
    return AuditReport(rows=rows, head=AuditHead(rows, prev))


def _stored_head(session: Session) -> AuditHead:
    seq, digest = session.execute(
        select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1)
    ).one()
    return AuditHead(seq, digest)


def _broken(rows: int, prev: str, seq: int, problem: str) -> AuditReport:
    return AuditReport(rows=rows, head=AuditHead(rows, prev), first_bad_seq=seq, problem=problem)
