"""Customer accounts, keyed by the id the platform chose."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import InputError, shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import NotFoundError
from ownergate.store.models import Account, AccountStatus
from ownergate.store.states import account_state
from ownergate.store.types import utcnow


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def upsert(
        self,
        account_id: str,
        *,
        organisation_name: str,
        declared_country: str,
        actor: str,
        entity_id: str | None = None,
        lei: str | None = None,
        annual_revenue: Decimal | None = None,
        revenue_currency: str | None = None,
        status: AccountStatus = AccountStatus.ACTIVE,
        parent_country: str | None = None,
    ) -> tuple[Account, bool]:
        """Create the account or replace all its fields (PUT semantics).

        Returns the account and whether it was created. Writing the values it already
        holds changes nothing and appends no audit row.
        """
        checks.text(account_id, "account_id", 200)
        values: dict[str, Any] = {
            "organisation_name": checks.text(organisation_name, "organisation_name", 500),
            "declared_country": checks.country(declared_country, "declared_country"),
            "entity_id": None if entity_id is None else checks.text(entity_id, "entity_id", 200),
            "lei": None if lei is None else checks.lei(lei),
            "annual_revenue": None if annual_revenue is None else checks.revenue(annual_revenue),
            "revenue_currency": (
                None if revenue_currency is None else checks.currency(revenue_currency)
            ),
            "status": checks.choice(AccountStatus, status, "status"),
            "parent_country": (
                None if parent_country is None else checks.country(parent_country, "parent_country")
            ),
        }
        if (annual_revenue is None) != (revenue_currency is None):
            raise InputError(
                "give both or neither of annual_revenue and revenue_currency",
                field="revenue_currency",
            )
        with self._audit.writing(actor):
            account = self.session.get(Account, account_id, populate_existing=True)
            created = account is None
            if account is None:
                now = utcnow()
                account = Account(id=account_id, created_at=now, updated_at=now, **values)
                self.session.add(account)
            elif all(_same(getattr(account, f), v) for f, v in values.items()):
                return account, False
            else:
                for field, value in values.items():
                    setattr(account, field, value)
                account.updated_at = utcnow()
            self.session.flush()
            action = "account.create" if created else "account.update"
            self._audit.append(actor, action, "account", account_id, account_state(account))
        return account, created

    def set_entity(self, account_id: str, entity_id: str, *, actor: str) -> Account:
        """Record the registry entity an account was resolved to."""
        checks.text(entity_id, "entity_id", 200)
        with self._audit.writing(actor):
            account = self.get(account_id)
            if account.entity_id == entity_id:
                return account
            account.entity_id = entity_id
            account.updated_at = utcnow()
            self.session.flush()
            self._audit.append(
                actor, "account.resolve", "account", account_id, account_state(account)
            )
        return account

    def get(self, account_id: str) -> Account:
        account = self.session.get(Account, account_id, populate_existing=True)
        if account is None:
            raise NotFoundError(f"no account {shown(account_id)}")
        return account

    def list(self, *, after: str | None = None, limit: int = 100) -> list[Account]:
        """Accounts in id order, ``limit`` at a time after the id ``after`` (for paging)."""
        query = select(Account).order_by(Account.id).limit(limit)
        if after is not None:
            query = query.where(Account.id > after)
        return list(self.session.scalars(query))


def _same(stored: Any, new: Any) -> bool:
    # Decimal('1.0') == Decimal('1.00'), but the stored scale would differ.
    if isinstance(stored, Decimal) and isinstance(new, Decimal):
        return stored.as_tuple() == new.as_tuple()
    return bool(stored == new)
