"""``ownergate changes``: writes held for a second principal (``/v1/changes``), on the store
named by ``OWNERGATE_DATABASE_URL`` over the snapshots in ``OWNERGATE_DATA_DIR``.

An account write or a link answer that would lift an account's restriction waits here
until another principal approves it (it is then applied) or someone rejects it. A review
acts as an API key (``--key`` or ``OWNERGATE_API_KEY``, analyst or above) or as the
operating-system user (``cli.identity``), so the second principal is a key or a user,
never a name typed at the console.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ownergate.cli.common import console, fail, settings
from ownergate.cli.identity import KeyOpt, acting_as, os_actor
from ownergate.errors import OwnergateError

if TYPE_CHECKING:
    from ownergate.service.pending import ChangeRecord, PendingChangeService

changes_app = typer.Typer(
    help="Approve or reject writes held because they would lift a restriction.",
    no_args_is_help=True,
)

ChangeArg = Annotated[int, typer.Argument(help="The change's id.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]


@contextmanager
def _service(
    key: str | None = None, *, write: bool = False
) -> Iterator[tuple[PendingChangeService, str]]:
    """The pending-change service over the migrated store, and who acts
    (``cli.identity``: the key's principal, checked for the analyst role, or the OS user)."""
    from ownergate.service import AccountService, Deciders, LinkReviewService
    from ownergate.service.pending import PendingChangeService
    from ownergate.snapshots import SnapshotStore
    from ownergate.store import Database, Role, upgrade

    config = settings()
    upgrade(config.database_url)
    db = Database(config.database_url)
    try:
        deciders = Deciders(db, SnapshotStore(config.data_dir))
        accounts = AccountService(db, deciders)
        actor = acting_as(db, key, Role.ANALYST) if write else os_actor()
        yield PendingChangeService(db, accounts, LinkReviewService(db, deciders, accounts)), actor
    finally:
        db.dispose()


def _json(record: ChangeRecord) -> dict[str, Any]:
    change, review = record.change, record.review
    return {
        "id": change.id,
        "account_id": change.account_id,
        "kind": change.kind.value,
        "change": change.change,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "requested_by": change.requested_by,
        "requested_at": change.requested_at.isoformat(),
        "state": record.state.value,
        "reviewer": None if review is None else review.reviewer,
    }


@changes_app.command("list")
def list_changes(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """The changes waiting for a review, oldest first."""
    try:
        with _service() as (changes, _actor):
            waiting = changes.waiting(limit=1000)
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        for record in waiting:
            typer.echo(json.dumps(_json(record), ensure_ascii=False))
        return
    table = Table(title=f"{len(waiting)} change(s) waiting", title_justify="left")
    for col in ("id", "account", "kind", "from", "to", "requested by", "change"):
        table.add_column(col)
    for r in waiting:
        c = r.change
        shown = json.dumps(c.change, ensure_ascii=False)
        table.add_row(
            str(c.id), c.account_id, c.kind.value, c.from_status, c.to_status, c.requested_by, shown
        )
    console.print(table, markup=False)


@changes_app.command("approve")
def approve(change_id: ChangeArg, reason: ReasonOpt, key: KeyOpt = None) -> None:
    """Apply a held change (not by the principal who made it)."""
    try:
        with _service(key, write=True) as (changes, actor):
            applied = changes.approve(change_id, reason=reason, actor=actor)
    except OwnergateError as exc:
        fail(exc)
        return
    verdict = applied.decision.verdict
    console.print(
        f"change {change_id} approved and applied: {applied.record.change.account_id} is "
        f"{verdict.effective_status.value}",
        markup=False,
        highlight=False,
    )


@changes_app.command("reject")
def reject(change_id: ChangeArg, reason: ReasonOpt, key: KeyOpt = None) -> None:
    """Reject a held change; the account stays as it is."""
    try:
        with _service(key, write=True) as (changes, actor):
            changes.reject(change_id, reason=reason, actor=actor)
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(f"change {change_id} rejected; nothing changed", highlight=False)
