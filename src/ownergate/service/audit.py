"""Reading the audit log: its entries page by page, and whether its hash chain holds."""

from __future__ import annotations

from ownergate.store import AuditEntry, AuditReport, Database, verify_chain


class AuditService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def entries(
        self,
        *,
        after_seq: int = 0,
        limit: int = 100,
        object_type: str | None = None,
        object_id: str | None = None,
        account_id: str | None = None,
    ) -> list[AuditEntry]:
        """Entries after ``after_seq`` in order, optionally of one object or about one
        account."""
        with self._db.read() as store:
            return store.audit.entries(
                after_seq=after_seq,
                limit=limit,
                object_type=object_type,
                object_id=object_id,
                account_id=account_id,
            )

    def chain(self) -> AuditReport:
        """The hash chain recomputed over the whole log (reads every row)."""
        with self._db.read() as store:
            return verify_chain(store.session)
