"""``ownergate links``: the entity-link review queue on the store named by
``OWNERGATE_DATABASE_URL``, over the snapshots in ``OWNERGATE_DATA_DIR``.

The same service as ``/v1/links`` and ``/v1/accounts/{id}/link``: an answer is kept,
audited and applied at once (the account is decided again), so the CLI needs the snapshot
directory as well as the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ownergate.cli.common import console, err_console, fail, settings
from ownergate.cli.identity import KeyOpt, acting_as, os_actor
from ownergate.errors import OwnergateError, shown

if TYPE_CHECKING:
    from ownergate.service import LinkReviewService, ReviewAnswer
    from ownergate.store import EntityLink, LinkReview

links_app = typer.Typer(
    help="Review the accounts the resolver could not link to a registry entity.",
    no_args_is_help=True,
)

AccountArg = Annotated[str, typer.Argument(help="The account's id.")]
EntityArg = Annotated[str, typer.Argument(help="The registry entity's id.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@contextmanager
def _service(
    key: str | None = None, *, write: bool = False
) -> Iterator[tuple[LinkReviewService, str]]:
    """The review service over the migrated store and the snapshot directory, and who
    acts (``cli.identity``)."""
    # Imported here: the service layer loads the engine, which commands that never touch
    # the store should not pay for at start-up.
    from ownergate.service import AccountService, Deciders, LinkReviewService
    from ownergate.snapshots import SnapshotStore
    from ownergate.store import Database, Role, upgrade

    config = settings()
    upgrade(config.database_url)
    db = Database(config.database_url)
    try:
        deciders = Deciders(db, SnapshotStore(config.data_dir))
        actor = acting_as(db, key, Role.ANALYST) if write else os_actor()
        yield LinkReviewService(db, deciders, AccountService(db, deciders)), actor
    finally:
        db.dispose()


def _link_json(link: EntityLink) -> dict[str, Any]:
    return {
        "account_id": link.account_id,
        "subject_name": link.subject_name,
        "subject_country": link.subject_country,
        "outcome": link.outcome.value,
        "method": link.method,
        "score": link.score,
        "entity_id": link.entity_id,
        "candidates": link.candidates,
        "snapshot_digest": link.snapshot_digest,
        "resolved_at": link.resolved_at.isoformat(),
    }


def _review_json(review: LinkReview) -> dict[str, Any]:
    return {
        "id": review.id,
        "entity_id": review.entity_id,
        "verdict": review.verdict.value,
        "reviewer": review.reviewer,
        "reason": review.reason,
        "at": review.at.isoformat(),
    }


def _print_json(doc: dict[str, Any]) -> None:
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def _best(link: EntityLink) -> tuple[str, str]:
    """The top candidate as "ID name" and its score; candidates are stored best first."""
    if not link.candidates:
        return "", ""
    top = link.candidates[0]
    name = f"{top.get('entity_id', '')} {top.get('name') or ''}".strip()
    return name, f"{float(top.get('score', 0.0)):.3f}"


@links_app.command("queue")
def queue(
    after: Annotated[
        str | None, typer.Option("--after", help="Start after this account id (paging).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Accounts per page.")] = 100,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="Only review (candidates to choose from) or unmatched (none found).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Accounts waiting for an analyst, in account id order: several or uncertain
    candidates (review) and none found (unmatched, decided as unverified)."""
    from ownergate.errors import InputError
    from ownergate.store import LinkOutcome

    try:
        if outcome not in (None, "review", "unmatched"):
            raise InputError(f"{shown(outcome)} is not review or unmatched", field="--outcome")
        with _service() as (links, _actor):
            page = links.queue(
                after=after, limit=limit, outcome=None if outcome is None else LinkOutcome(outcome)
            )
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        _print_json(
            {
                "items": [_link_json(link) for link in page.links],
                "total": page.total,
                "next_after": page.next_after,
            }
        )
        return
    table = Table(title="Link review queue", title_justify="left")
    for col in ("account", "name", "country", "outcome", "best candidate", "score", "candidates"):
        table.add_column(col, justify="right" if col in ("score", "candidates") else "left")
    for link in page.links:
        best, score = _best(link)
        table.add_row(
            link.account_id,
            link.subject_name,
            link.subject_country,
            link.outcome.value,
            best,
            score,
            str(len(link.candidates)),
        )
    console.print(table)
    more = f"; next page: --after {page.next_after}" if page.next_after else ""
    console.print(f"{page.total:,} account(s) waiting for review{more}", highlight=False)


@links_app.command("show")
def show(account_id: AccountArg, as_json: JsonOpt = False) -> None:
    """The account's current link, its candidates, and every answer given on it."""
    try:
        with _service() as (links, _actor):
            link, reviews = links.link(account_id)
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        _print_json(
            {
                "account_id": account_id,
                "link": None if link is None else _link_json(link),
                "reviews": [_review_json(r) for r in reviews],
            }
        )
        return
    if link is None:
        console.print(f"{account_id}: never resolved against the registry", highlight=False)
    else:
        entity = f" to {link.entity_id}" if link.entity_id else ""
        console.print(
            f"{account_id} ({link.subject_name}, {link.subject_country}): "
            f"{link.outcome.value}{entity}; method {link.method}, score {link.score:.3f}",
            highlight=False,
        )
        if link.candidates:
            candidates = Table(title="Candidates", title_justify="left")
            for col in ("entity", "name", "score"):
                candidates.add_column(col)
            for c in link.candidates:
                candidates.add_row(
                    str(c.get("entity_id", "")),
                    str(c.get("name") or ""),
                    f"{float(c.get('score', 0.0)):.3f}",
                )
            console.print(candidates)
    if reviews:
        answered = Table(title="Reviews", title_justify="left")
        for col in ("id", "at", "verdict", "entity", "reviewer", "reason"):
            answered.add_column(col)
        for r in reviews:
            answered.add_row(
                str(r.id), str(r.at), r.verdict.value, r.entity_id, r.reviewer, r.reason
            )
        console.print(answered)


def _answer(account_id: str, entity_id: str, verdict: str, reason: str, key: str | None) -> None:
    try:
        with _service(key, write=True) as (links, actor):
            answer = links.answer(account_id, entity_id, verdict, reason, actor=actor)
    except OwnergateError as exc:
        fail(exc)
        return
    _report(answer)


def _report(answer: ReviewAnswer) -> None:
    review, decision = answer.review, answer.decision.verdict.decision
    if answer.pending is not None or review is None:
        held = answer.pending
        assert held is not None
        console.print(
            f"held: the answer would move {held.account_id} from {held.from_status} to "
            f"{held.to_status}, so it waits as change {held.id} for another principal's "
            f"approval (ownergate changes approve {held.id}); nothing changed yet",
            markup=False,
            highlight=False,
        )
        return
    err_console.print(
        f"{review.verdict.value}ed {review.entity_id} for {review.account_id} "
        f"(review {review.id}, by {review.reviewer})",
        highlight=False,
    )
    linked = answer.link.entity_id if answer.link is not None else None
    change = "new decision" if answer.decision.new_decision else "decision unchanged"
    console.print(
        f"{review.account_id}: linked to {linked or 'no entity'}; "
        f"{answer.decision.verdict.effective_status.value} "
        f"({decision.reason.value}, {change})",
        highlight=False,
    )


@links_app.command("confirm")
def confirm(
    account_id: AccountArg, entity_id: EntityArg, reason: ReasonOpt, key: KeyOpt = None
) -> None:
    """Link the account to the entity (of the active snapshot) and decide it again."""
    _answer(account_id, entity_id, "confirm", reason, key)


@links_app.command("reject")
def reject(
    account_id: AccountArg, entity_id: EntityArg, reason: ReasonOpt, key: KeyOpt = None
) -> None:
    """Never link the account to the entity (unlinking it if linked) and decide it again."""
    _answer(account_id, entity_id, "reject", reason, key)
