"""``ownergate ip``: country, ASN and anonymiser flags of IP addresses (``lookup``), the data
behind them (``sources``), and replacing that data (``update --from DIR``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ownergate.cli.common import EXIT_INPUT, console, err_console, fail, settings
from ownergate.errors import IpAddressError, OwnergateError, one_line

if TYPE_CHECKING:
    from ownergate.ipintel import IpInfo, IpIntel

ip_app = typer.Typer(
    help="IP intelligence: country, ASN, and Tor/VPN/hosting/relay flags.",
    no_args_is_help=True,
)


def _notify(message: str) -> None:
    err_console.print(message, highlight=False, soft_wrap=True)


def _open() -> IpIntel:
    from ownergate.ipintel import IpIntel

    return IpIntel.open(settings(), notify=_notify)


def _warn_stale(intel: IpIntel) -> None:
    """One warning per command, naming every source older than the configured age."""
    stale = intel.stale_sources()
    if stale:
        days = settings().ip_max_age_days
        listed = "; ".join(f"{s.name} from {s.date} ({s.age_days} days)" for s in stale)
        _notify(
            f"warning: IP data older than {days} days (OWNERGATE_IP_MAX_AGE_DAYS): {listed}. "
            "Answers from it may be out of date; replace it with 'ownergate ip update --from DIR'."
        )


@ip_app.command("lookup")
def lookup(
    ips: Annotated[
        list[str],
        typer.Argument(metavar="IP...", help="IPv4 or IPv6 addresses; '-' reads lines from stdin."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line per address.")
    ] = False,
) -> None:
    """Country (with every source's answer), ASN and flags of each address."""
    if ips == ["-"]:
        ips = [line.strip() for line in sys.stdin if line.strip()]
    try:
        intel = _open()
    except OwnergateError as exc:
        fail(exc)
        return
    _warn_stale(intel)
    found: list[IpInfo] = []
    bad = 0
    for ip in ips:
        try:
            info = intel.lookup(ip)
        except IpAddressError as exc:
            bad += 1
            err_console.print(
                f"error: {one_line(str(exc))}", markup=False, highlight=False, soft_wrap=True
            )
            continue
        except OwnergateError as exc:
            fail(exc)
            return
        if as_json:
            typer.echo(json.dumps(info.to_json(), ensure_ascii=False))
        else:
            found.append(info)
    intel.close()
    if found:
        console.print(_table(found))
    if bad:
        raise typer.Exit(EXIT_INPUT)


def _table(found: list[IpInfo]) -> Table:
    table = Table(title="IP lookups", title_justify="left", show_lines=len(found) > 1)
    table.add_column("ip", overflow="fold", min_width=15)
    table.add_column("country", no_wrap=True)
    table.add_column("country by source", overflow="fold")
    table.add_column("ASN", overflow="fold")
    table.add_column("flags (source)", overflow="fold")
    for info in found:
        answers = [f"{a.country} {a.source}" for a in info.country_sources]
        table.add_row(
            info.ip,
            (info.country or "—") + (" disputed" if info.disputed else ""),
            "\n".join(answers),
            f"AS{info.asn} {info.as_org or ''}".strip() if info.asn else "",
            "\n".join(f"{f.name} ({f.source})" for f in info.flags),
        )
    return table


@ip_app.command("update")
def update(
    source: Annotated[
        Path,
        typer.Option(
            "--from", help="Folder of new IP data laid out like data/ip, with its sources.toml."
        ),
    ],
) -> None:
    """Validate a folder of new IP data and switch to it atomically; a bad file changes
    nothing and is named with its line and field."""
    from ownergate.ipintel import BUNDLED, IpDataStore, IpIntel

    try:
        config = settings()
        root = config.ip_data_dir or config.data_dir / "ip"
        index = IpDataStore(root, config.ip_bundle_dir or BUNDLED).update(source)
        intel = IpIntel.load(index, max_age_days=config.ip_max_age_days)
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(f"IP data now {index.parent.name}, from {source}", highlight=False)
    console.print(_sources_table(intel))
    _warn_stale(intel)


@ip_app.command("sources")
def sources() -> None:
    """The IP data in use: each source's date, age, licence and records."""
    try:
        intel = _open()
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(_sources_table(intel))
    segments = intel.segments()
    console.print(
        f"index {intel.directory.parent.name}: {segments[4]:,} IPv4 and {segments[6]:,} IPv6 "
        "segments",
        highlight=False,
    )
    for source in intel.sources:
        if source.attribution:
            console.print(f"{source.name}: {source.attribution}", highlight=False)
    _warn_stale(intel)
    intel.close()


def _sources_table(intel: IpIntel) -> Table:
    table = Table(title="IP data sources", title_justify="left")
    for column in ("source", "date", "age (days)", "licence", "records", "version"):
        right = column in ("age (days)", "records")
        table.add_column(column, justify="right" if right else "left", overflow="fold")
    for s in intel.sources:
        age = f"{s.age_days}" + (" stale" if s.stale else "") if s.age_days is not None else ""
        date = s.date.isoformat() if s.date else ""
        table.add_row(s.name, date, age, s.licence, f"{s.records:,}", s.version)
    return table
