"""``ownergate keys`` and ``ownergate audit``: API keys and the audit log, on the store
named by ``OWNERGATE_DATABASE_URL`` (default: ``ownergate.db`` in the data directory)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ownergate.cli.common import console, err_console, fail, settings
from ownergate.errors import OwnergateError, one_line

if TYPE_CHECKING:
    from ownergate.store import Repositories

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)


@contextmanager
def _store(*, write: bool) -> Iterator[Repositories]:
    """One transaction on the migrated store named by the settings."""
    from ownergate.store import Database, upgrade

    url = settings().database_url
    upgrade(url)
    db = Database(url)
    try:
        with db.write() if write else db.read() as store:
            yield store
    finally:
        db.dispose()


def _actor() -> str:
    # Keys made at the console are attributed to the operating-system user who made them.
    return f"cli:{getpass.getuser()}"


@keys_app.command("create")
def create_key(
    role: Annotated[str, typer.Option("--role", help="viewer, analyst or admin.")],
    label: Annotated[str, typer.Option("--label", help="Whose key it is (optional).")] = "",
) -> None:
    """Create an API key; the key itself is printed once, as the last line."""
    try:
        with _store(write=True) as store:
            created = store.api_keys.create(role=role, label=label, actor=_actor())
            prefix, granted = created.key.prefix, created.key.role
    except OwnergateError as exc:
        fail(exc)
        return
    err_console.print(f"created {granted} key {prefix}; store it now, it is not shown again")
    typer.echo(created.plain)


@keys_app.command("list")
def list_keys() -> None:
    """Every API key (revoked ones too); secrets are not stored, so none are shown."""
    try:
        with _store(write=False) as store:
            rows = [
                (
                    str(k.id),
                    k.prefix,
                    str(k.role),
                    k.label,
                    str(k.created_at),
                    str(k.revoked_at or ""),
                )
                for k in store.api_keys.list()
            ]
    except OwnergateError as exc:
        fail(exc)
        return
    table = Table(title="API keys", title_justify="left")
    for col in ("id", "prefix", "role", "label", "created", "revoked"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[int, typer.Argument(help="The key's id (keys list).")]) -> None:
    """Revoke an API key (servers stop accepting it within their key-cache time)."""
    try:
        with _store(write=True) as store:
            key = store.api_keys.revoke(key_id, actor=_actor())
            prefix = key.prefix
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(f"revoked key {prefix}")


@audit_app.command("verify")
def verify_audit(
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="SEQ:HASH recorded earlier (e.g. from this command): also detects a deleted tail.",
        ),
    ] = None,
) -> None:
    """Re-compute the audit hash chain and compare every audited row with its last audit
    entry; exit 1 naming the first edited, deleted or reordered row."""
    from ownergate.errors import ConfigError
    from ownergate.store import AuditHead, verify_chain, verify_records

    try:
        anchor = None
        if expect_head is not None:
            seq, sep, digest = expect_head.partition(":")
            if not sep or not seq.isdigit() or len(digest) != 64:
                raise ConfigError("--expect-head takes SEQ:HASH (a number, a colon, 64 hex)")
            anchor = AuditHead(int(seq), digest)
        with _store(write=False) as store:
            chain = verify_chain(store.session, expected_head=anchor)
            records = verify_records(store.session) if chain.ok else None
    except OwnergateError as exc:
        fail(exc)
        return
    if not chain.ok:
        err_console.print(
            f"audit log broken: {one_line(str(chain))}", markup=False, highlight=False
        )
        raise typer.Exit(1)
    if records is not None and not records.ok:
        err_console.print(
            f"stored rows differ from the audit log: {one_line(str(records))}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(
        f"audit log intact: {chain.rows:,} entries; head {chain.head.seq}:{chain.head.hash}",
        highlight=False,
    )
