"""The ``ownergate`` command: one Typer app, a module per command group."""

from __future__ import annotations

import typer

from ownergate.cli.admin_cmd import audit_app, keys_app
from ownergate.cli.changes_cmd import changes_app
from ownergate.cli.impact_cmd import impact
from ownergate.cli.ingest_cmd import ingest
from ownergate.cli.ip_cmd import ip_app
from ownergate.cli.links_cmd import links_app
from ownergate.cli.overrides_cmd import overrides_app
from ownergate.cli.portfolio_cmd import portfolio_app
from ownergate.cli.resolve_cmd import resolve
from ownergate.cli.screen_cmd import explain, screen, validate, verify_evidence
from ownergate.cli.serve_cmd import serve
from ownergate.cli.snapshot_cmd import diff, snapshots
from ownergate.cli.synth_cmd import synth_app

app = typer.Typer(
    help="Region-policy screening that looks through ownership.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(screen)
app.command()(explain)
app.command("verify")(verify_evidence)
app.command()(ingest)
app.command()(snapshots)
app.command()(validate)
app.command()(diff)
app.command()(impact)
app.command()(serve)
app.command()(resolve)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(ip_app, name="ip")
app.add_typer(synth_app, name="synth")
app.add_typer(portfolio_app, name="portfolio")
app.add_typer(links_app, name="links")
app.add_typer(changes_app, name="changes")
app.add_typer(overrides_app, name="overrides")

__all__ = ["app"]
