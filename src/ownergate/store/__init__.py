"""The decision service's store: SQLite (embedded default) or PostgreSQL, same behaviour.

Start-up, then one transaction per unit of work::

    from ownergate.store import Database, upgrade

    upgrade(settings.database_url)          # migrate + seed policy v1; idempotent
    db = Database(settings.database_url)
    with db.write() as store:               # commits at the end, rolls back on error
        store.accounts.upsert("acct-1", organisation_name="Acme", declared_country="SG",
                              actor=principal.actor)
    with db.read() as store:                # read-only
        decision = store.decisions.current("acct-1")

``store`` is a ``Repositories``: ``accounts``, ``policies``, ``snapshots``, ``decisions``,
``overrides``, ``pending`` (writes held for a second principal), ``api_keys``, ``links``
(entity links and analysts' link reviews), ``runs`` (screening runs), ``bulk`` (whole-base
writes) and ``audit``. Every write method takes ``actor`` (who asks; ``Principal.actor``
for an API key) and appends an audit row in the same transaction;
reads return model objects to read, not to change (a change is refused at flush).

Errors: ``NotFoundError``, ``ConflictError`` (contradicts the stored state),
``PermissionDeniedError`` (two-person rule), ``ownergate.errors.InputError`` /
``PolicyError`` naming the bad field, ``UnauditedWriteError`` (a programming error).

Tamper evidence: ``decisions``, ``overrides``, ``override_reviews``, ``pending_changes``,
``change_reviews``, ``snapshots``, both
activation tables, ``audit_log`` and published ``policies`` refuse UPDATE and DELETE in the
database itself (triggers). Against someone who drops the triggers: ``verify_chain(session)``
checks the hash-chained audit log (``AuditLog.head()`` is the anchor to record elsewhere,
see ``ownergate.store.audit``), then ``verify_records(session)`` checks that every audited
row still holds the state its newest audit row recorded (``ownergate.store.records``).
"""

from ownergate.store.api_keys import CreatedKey, Principal
from ownergate.store.audit import AuditHead, AuditLog, AuditReport, verify_chain
from ownergate.store.bulk import AccountRow, NewDecision
from ownergate.store.database import Database
from ownergate.store.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnauditedWriteError,
)
from ownergate.store.links import LinkRow, ReviewAnswers
from ownergate.store.migrate import current_revision, head_revision, upgrade
from ownergate.store.models import (
    Account,
    AccountStatus,
    ApiKey,
    AuditEntry,
    ChangeKind,
    ChangeReview,
    Decision,
    EntityLink,
    LinkOutcome,
    LinkReview,
    LinkVerdict,
    Override,
    OverrideLapse,
    OverrideReview,
    PendingChange,
    PolicyActivation,
    PolicyVersion,
    RegisteredSnapshot,
    ReviewOutcome,
    Role,
    ScreenRun,
    SnapshotActivation,
    Verdict,
)
from ownergate.store.overrides import OverrideState
from ownergate.store.records import RecordProblem, RecordsReport, verify_records
from ownergate.store.repositories import Repositories

__all__ = [
    "AccountRow",
    "EntityLink",
    "LinkOutcome",
    "LinkReview",
    "LinkRow",
    "LinkVerdict",
    "NewDecision",
    "ReviewAnswers",
    "ScreenRun",
    "Account",
    "AccountStatus",
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "AuditLog",
    "AuditReport",
    "ChangeKind",
    "ChangeReview",
    "ConflictError",
    "CreatedKey",
    "Database",
    "Decision",
    "NotFoundError",
    "Override",
    "OverrideLapse",
    "OverrideReview",
    "OverrideState",
    "PendingChange",
    "PermissionDeniedError",
    "PolicyActivation",
    "PolicyVersion",
    "Principal",
    "RecordProblem",
    "RecordsReport",
    "RegisteredSnapshot",
    "Repositories",
    "ReviewOutcome",
    "Role",
    "SnapshotActivation",
    "UnauditedWriteError",
    "Verdict",
    "current_revision",
    "head_revision",
    "upgrade",
    "verify_chain",
    "verify_records",
]
