"""All repositories over one session, as ``Database.write()`` and ``read()`` yield them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ownergate.store.accounts import AccountRepository
from ownergate.store.api_keys import ApiKeyRepository
from ownergate.store.audit import AuditLog
from ownergate.store.bulk import BulkWriter
from ownergate.store.decisions import DecisionRepository
from ownergate.store.links import LinkRepository
from ownergate.store.overrides import OverrideRepository
from ownergate.store.pending import PendingChangeRepository
from ownergate.store.policies import PolicyRepository
from ownergate.store.screen_runs import ScreenRunRepository
from ownergate.store.snapshots import SnapshotRepository


class Repositories:
    """The repositories of one transaction; ``session`` is that transaction's session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditLog(session)
        self.accounts = AccountRepository(session)
        self.policies = PolicyRepository(session)
        self.snapshots = SnapshotRepository(session)
        self.decisions = DecisionRepository(session)
        self.overrides = OverrideRepository(session)
        self.pending = PendingChangeRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.links = LinkRepository(session)
        self.runs = ScreenRunRepository(session)
        self.bulk = BulkWriter(session)
