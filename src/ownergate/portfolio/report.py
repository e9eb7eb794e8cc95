"""The impact report: one self-contained HTML file for leadership.

Charts are drawn by matplotlib straight to SVG and inlined, so the file needs no network,
no script and no file beside it: it can be mailed or archived as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ownergate.portfolio.impact import (
    DIMENSIONS,
    FLIP_KINDS,
    MOVED_TO_REVIEW,
    NEWLY_RESTRICTED,
    Impact,
    Tally,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE_ROWS = 15
_COLOURS = {"restricted": "#b23a48", "allowed": "#3a7d44", "review": "#d98e04"}
_FLIP_COLOURS = ("#b23a48", "#3a7d44", "#d98e04", "#6c757d")
_NO_METADATA: dict[str, str | None] = {
    "Creator": None,
    "Date": None,
    "Format": None,
    "Type": None,
}


@dataclass(frozen=True)
class ReportContext:
    """What the report says about the comparison besides the numbers."""

    label_a: str
    label_b: str
    policy_a: str
    policy_b: str
    registry: str
    as_of: dt.date
    customers: str


def money(value: float) -> str:
    """A USD amount as leadership reads it: $950, $45.6k, $123.4M, $1.2B."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for bound, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= bound:
            return f"{sign}${value / bound:,.1f}{suffix}"
    return f"{sign}${value:,.0f}"


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    # No metadata: matplotlib would otherwise write a creation date (the report would
    # differ run to run) and Dublin Core links.
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=_NO_METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _bar_chart(title: str, rows: Sequence[Tally], colour: str | Sequence[str]) -> str:
    from matplotlib.figure import Figure

    height = 0.9 + 0.35 * max(len(rows), 1)
    fig = Figure(figsize=(7.0, height))
    ax = fig.add_subplot()
    labels = [_short(t.label) for t in rows][::-1]
    values = [t.revenue / 1e6 for t in rows][::-1]
    colours = colour[::-1] if not isinstance(colour, str) else colour
    bars = ax.barh(labels, values, color=colours)
    ax.bar_label(bars, labels=[money(t.revenue) for t in rows][::-1], padding=3, fontsize=8)
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("annual revenue, USD million")
    ax.margins(x=0.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def _html_bars(title: str, rows: Sequence[Tally], colour: str) -> str:
    """A horizontal bar chart in HTML: names are page text the browser draws in any
    script (matplotlib's fonts have no hanzi, and would leave such bars unlabelled)."""
    largest = max((t.revenue for t in rows), default=0.0) or 1.0
    body = "".join(
        f"<tr><td class=bl title='{escape(t.label)}'>{escape(_short(t.label))}</td>"
        f"<td class=bb><span style='width:{100 * max(t.revenue, 0) / largest:.1f}%;"
        f"background:{colour}'></span></td><td class=n>{money(t.revenue)}</td></tr>"
        for t in rows
    )
    empty = "" if rows else "<p class=note>none</p>"
    table = f"<table class=bars>{body}</table>" if rows else ""
    return f"<figure><figcaption>{escape(title)}</figcaption>{table}{empty}</figure>"


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _table(title: str, rows: Sequence[Tally], *, key: bool = False) -> str:
    head = "<tr><th>" + "</th><th>".join(
        (["id"] if key else []) + ["", "accounts", "annual revenue"]
    )
    body = "".join(
        "<tr>"
        + (f"<td><code>{escape(t.key)}</code></td>" if key else "")
        + f"<td>{escape(t.label)}</td><td class=n>{t.accounts:,}</td>"
        + f"<td class=n>{money(t.revenue)}</td></tr>"
        for t in rows[:TABLE_ROWS]
    )
    more = (
        f"<p class=note>{len(rows) - TABLE_ROWS:,} more not shown; all are in the flips files.</p>"
        if len(rows) > TABLE_ROWS
        else ""
    )
    empty = "" if rows else "<p class=note>none</p>"
    table = f"<table>{head}</th></tr>{body}</table>" if rows else ""
    return f"<section><h3>{escape(title)}</h3>{table}{empty}{more}</section>"


def _headline(impact: Impact) -> str:
    cards = []
    for kind, total in enumerate(impact.totals):
        large = impact.large[kind]
        cards.append(
            f"<div class=card style='border-color:{_FLIP_COLOURS[kind]}'>"
            f"<div class=k>{escape(total.label)}</div>"
            f"<div class=v>{total.accounts:,} accounts</div>"
            f"<div class=v>{money(total.revenue)}</div>"
            f"<div class=note>{large.accounts:,} at ≥ $100k ({money(large.revenue)})</div></div>"
        )
    return "<div class=cards>" + "".join(cards) + "</div>"


def _status_table(impact: Impact, ctx: ReportContext) -> str:
    rows = "".join(
        f"<tr><td style='color:{_COLOURS.get(a.key, '#000')}'>{escape(a.label)}</td>"
        f"<td class=n>{a.accounts:,}</td><td class=n>{money(a.revenue)}</td>"
        f"<td class=n>{b.accounts:,}</td><td class=n>{money(b.revenue)}</td></tr>"
        for a, b in zip(impact.status_a, impact.status_b, strict=True)
    )
    return (
        "<table><tr><th>status</th>"
        f"<th>accounts ({escape(ctx.label_a)})</th><th>revenue ({escape(ctx.label_a)})</th>"
        f"<th>accounts ({escape(ctx.label_b)})</th><th>revenue ({escape(ctx.label_b)})</th>"
        f"</tr>{rows}</table>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border-left:6px solid;padding:.5em 1em;background:#f8f8f8;min-width:200px}
.card .k{font-weight:600}.card .v{font-size:1.3em}.note{color:#666;font-size:.85em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1em}
svg{max-width:100%;height:auto}dl dt{font-weight:600}dl dd{margin:0 0 .6em 1em}
figure{margin:0}figcaption{font-size:1.05em;margin-bottom:.4em}
table.bars{width:100%}table.bars td{border:0;padding:.15em .4em}td.bl{white-space:nowrap}
td.bb{width:55%}td.bb span{display:block;height:1em}
"""


def render_report(impact: Impact, ctx: ReportContext, top: int = 10) -> str:
    """The whole report as one HTML document."""
    # Imported here: matplotlib takes a while to load and only this command draws.
    from matplotlib import rcParams

    rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, selectable
    rcParams["svg.hashsalt"] = "ownergate-impact"  # stable element ids run to run
    customers = impact.customers
    restricted = impact.breakdowns[FLIP_KINDS[NEWLY_RESTRICTED]]
    review = impact.breakdowns[FLIP_KINDS[MOVED_TO_REVIEW]]
    charts = [
        _bar_chart("Revenue by kind of flip", impact.totals, _FLIP_COLOURS),
        _html_bars(f"Top {top} groups by revenue newly restricted", impact.top_groups, "#b23a48"),
        _bar_chart("Newly restricted by seed region", restricted["seed region"][:top], "#7a5c99"),
        _bar_chart("Newly restricted by revenue band", restricted["revenue band"], "#2c6e91"),
    ]
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>Impact: {escape(ctx.label_a)} → {escape(ctx.label_b)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Impact of moving from {escape(ctx.label_a)} to {escape(ctx.label_b)}</h1>",
        "<dl>",
        f"<dt>A</dt><dd>{escape(ctx.policy_a)}</dd>",
        f"<dt>B</dt><dd>{escape(ctx.policy_b)}</dd>",
        f"<dt>Registry</dt><dd>{escape(ctx.registry)}; holdings as of {ctx.as_of.isoformat()}</dd>",
        f"<dt>Customers</dt><dd>{escape(ctx.customers)}: {len(customers):,} accounts, "
        f"{money(float(customers.revenue.sum()))} annual revenue; "
        f"{int(impact.b.unverified.sum()):,} without a registry entity (decided on their "
        "declared country, flagged unverified)</dd></dl>",
        "<h2>Accounts that change status</h2>",
        _headline(impact),
        "<h2>Status before and after</h2>",
        _status_table(impact, ctx),
        "<h2>Charts</h2><div class=grid>",
        *(f"<div>{svg}</div>" for svg in charts),
        "</div>",
    ]
    for kind, tables in ((FLIP_KINDS[NEWLY_RESTRICTED], restricted), ("moved to review", review)):
        parts.append(f"<h2>Breakdowns: {escape(kind)}</h2><div class=grid>")
        for dim in DIMENSIONS:
            parts.append(_table(f"by {dim}", tables[dim], key=dim == "restricted group"))
        parts.append("</div>")
    parts.append(
        "<p class=note>Revenue bands: "
        + ", ".join(t.label for t in restricted["revenue band"])
        + ".</p></body></html>"
    )
    return "\n".join(parts)
