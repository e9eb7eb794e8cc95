"""Accounts: upserted with PUT semantics, validated field by field, every change audited."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ownergate.errors import InputError
from ownergate.store import AccountStatus, Database, NotFoundError

LEI = "529900T8BM49AURSDO55"  # a valid ISO 17442 check sum


def test_create_update_and_unchanged(db: Database) -> None:
    with db.write() as store:
        account, created = store.accounts.upsert(
            "acct-1", organisation_name="Lion City Pte", declared_country="SG", actor="key:a"
        )
    assert created and account.status is AccountStatus.ACTIVE
    assert account.created_at == account.updated_at
    with db.write() as store:
        account, created = store.accounts.upsert(
            "acct-1", organisation_name="Lion City Pte", declared_country="SG", actor="key:a"
        )
    assert not created
    with db.write() as store:
        account, created = store.accounts.upsert(
            "acct-1",
            organisation_name="Lion City Pte. Ltd.",
            declared_country="SG",
            lei=LEI,
            annual_revenue=Decimal("1250000.50"),
            revenue_currency="SGD",
            actor="key:b",
        )
    assert not created and account.updated_at > account.created_at
    with db.write() as store:
        store.accounts.set_entity("acct-1", "SGS", actor="key:svc")
    with db.read() as store:
        stored = store.accounts.get("acct-1")
        assert (stored.entity_id, stored.lei, stored.annual_revenue) == (
            "SGS",
            LEI,
            Decimal("1250000.50"),
        )
        entries = store.audit.entries(object_type="account")
        assert [(e.action, e.actor) for e in entries] == [
            ("account.create", "key:a"),
            ("account.update", "key:b"),
            ("account.resolve", "key:svc"),
        ]
        assert json.loads(entries[1].payload)["annual_revenue"] == "1250000.50"
        with pytest.raises(NotFoundError):
            store.accounts.get("acct-2")


def test_list_pages_by_id(db: Database) -> None:
    with db.write() as store:
        for i in (3, 1, 2):
            store.accounts.upsert(f"a{i}", organisation_name=f"Org {i}", declared_country="FR",
                                  actor="admin")  # fmt: skip
    with db.read() as store:
        assert [a.id for a in store.accounts.list(limit=2)] == ["a1", "a2"]
        assert [a.id for a in store.accounts.list(after="a2")] == ["a3"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"declared_country": "CHN"}, "declared_country", "not 'CHN'"),
        ({"declared_country": "sg"}, "declared_country", "upper case"),
        ({"organisation_name": ""}, "organisation_name", "non-empty"),
        ({"lei": "529900T8BM49AURSDO56"}, "lei", "check digits"),
        ({"lei": "short"}, "lei", "20 characters"),
        ({"annual_revenue": Decimal("10")}, "revenue_currency", "both or neither"),
        ({"annual_revenue": Decimal("-1"), "revenue_currency": "EUR"}, "annual_revenue", "non-neg"),
        ({"annual_revenue": Decimal("NaN"), "revenue_currency": "EUR"}, "annual_revenue", "finite"),
        ({"annual_revenue": 10.5, "revenue_currency": "EUR"}, "annual_revenue", "Decimal"),
        ({"annual_revenue": Decimal("1"), "revenue_currency": "eur"}, "revenue_currency", "4217"),
        ({"status": "deleted"}, "status", "'active'"),
    ],
)
def test_bad_values_name_their_field(
    db: Database, change: dict[str, object], field: str, message: str
) -> None:
    arguments: dict[str, object] = {"organisation_name": "Org", "declared_country": "SG", **change}
    with pytest.raises(InputError, match=message) as raised, db.write() as store:
        store.accounts.upsert("acct", actor="admin", **arguments)  # type: ignore[arg-type]
    assert raised.value.field == field
    with db.read() as store:
        assert store.accounts.list() == []
