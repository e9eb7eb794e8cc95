"""``ownergate overrides``: the re-approval queue of allow overrides that lapsed because an
account's decision got worse or rested on other evidence, on the store named by
``OWNERGATE_DATABASE_URL``. The same service as ``GET /v1/overrides/reapproval``; a new
override is requested (and approved by another principal) through the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ownergate.cli.common import console, fail, settings
from ownergate.errors import OwnergateError

if TYPE_CHECKING:
    from ownergate.service import ReapprovalItem
    from ownergate.service.verdicts import DecisionRecord

overrides_app = typer.Typer(
    help="Overrides whose evidence moved: the re-approval queue.", no_args_is_help=True
)


def _decision(record: DecisionRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "status": record.status.value,
        "reason": record.reason.value,
        "share_min": record.share_min,
        "share_max": record.share_max,
        "entity_id": record.entity_id,
        "seed_path": None if record.seed_path is None else list(record.seed_path),
        "flags": list(record.flags),
    }


def _item_json(item: ReapprovalItem) -> dict[str, Any]:
    o = item.override
    return {
        "lapse_id": item.lapse_id,
        "account_id": o.account_id,
        "override": {
            "id": o.id,
            "verdict": o.verdict.value,
            "reason": o.reason,
            "requested_by": o.requested_by,
            "reviewed_by": o.reviewed_by,
            "expires_at": o.expires_at.isoformat(),
            "lapse_reasons": list(o.lapse_reasons),
        },
        "bound": _decision(item.bound),
        "current": _decision(item.current),
        "lapsed_at": item.lapsed_at.isoformat(),
        "lapsed_on": item.lapsed_on,
    }


def _summary(record: DecisionRecord | None) -> str:
    if record is None:
        return "(none)"
    from ownergate.domain.shares import format_share

    low, high = format_share(record.share_min), format_share(record.share_max)
    share = low if low == high else f"{low}–{high}"
    return f"{record.status.value} {share} (decision {record.id})"


@overrides_app.command("queue")
def queue(
    after: Annotated[
        int | None, typer.Option("--after", help="Start after this lapse id (paging).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Items per page.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Lapsed allow overrides waiting for a new override on the account's new evidence."""
    from ownergate.service import OverrideService
    from ownergate.store import Database, upgrade

    try:
        url = settings().database_url
        upgrade(url)
        db = Database(url)
        try:
            page = OverrideService(db).reapproval_queue(after=after, limit=limit)
        finally:
            db.dispose()
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        doc = {"items": [_item_json(i) for i in page.items], "next_after": page.next_after}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table = Table(title="Overrides to approve again", title_justify="left")
    for col in ("account", "override", "was approved on", "decided now", "why it lapsed"):
        table.add_column(col)
    for item in page.items:
        table.add_row(
            item.override.account_id,
            f"{item.override.id} {item.override.verdict.value}",
            _summary(item.bound),
            _summary(item.current),
            "; ".join(item.override.lapse_reasons),
        )
    console.print(table)
    more = f"; next page: --after {page.next_after}" if page.next_after else ""
    console.print(f"{len(page.items):,} override(s) waiting{more}", highlight=False)
