"""Rich renderings of screen summaries and explanations."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.tree import Tree

from ownergate.domain.shares import format_share
from ownergate.explain.columns import REASON_LABELS, STATUS_LABELS, DecisionColumns
from ownergate.graph.prepare import PreparedGraph


def summary_tables(cols: DecisionColumns, g: PreparedGraph, timings: dict[str, float]) -> Group:
    n = len(cols.status)
    nr = len(REASON_LABELS)
    counts = np.bincount(cols.status.astype(np.int64) * nr + cols.reason, minlength=3 * nr)
    decisions = Table(title=f"Decisions for {n:,} entities", title_justify="left")
    decisions.add_column("status")
    decisions.add_column("reason")
    decisions.add_column("entities", justify="right")
    decisions.add_column("share", justify="right")
    for status in ("restricted", "review", "allowed"):
        for j, reason in enumerate(REASON_LABELS):
            count = int(counts[STATUS_LABELS.index(status) * nr + j])
            if count:
                decisions.add_row(status, reason, f"{count:,}", f"{100 * count / max(n, 1):.2f}%")

    vocab = g.entities.country_vocab
    by_region = Table(title="By seed region (where restriction comes from)", title_justify="left")
    for col in ("seed region", "region", "listed", "ownership", "review"):
        by_region.add_column(col, justify="left" if col == "seed region" else "right")
    active = cols.status != STATUS_LABELS.index("allowed")
    region = cols.seed_region[active].astype(np.int64) + 1  # -1 (none) → 0
    reason = cols.reason[active].astype(np.int64)
    table = np.bincount(region * nr + reason, minlength=(len(vocab) + 1) * nr).reshape(-1, nr)
    picked = ("region", "listed", "ownership", "undetermined")
    for code in np.argsort(-table.sum(axis=1), kind="stable").tolist():
        row = table[code]
        if not row.any():
            continue
        label = vocab[code - 1] if code > 1 else ("listed" if code == 1 else "(cross-holding)")
        by_region.add_row(label, *(f"{int(row[REASON_LABELS.index(r)]):,}" for r in picked))
    data = Table(title="Data", title_justify="left", show_header=False)
    data.add_column("what")
    data.add_column("value", justify="right")
    data.add_row(
        "holdings valid on the as-of date", f"{int(g.active.sum()):,} of {len(g.holdings):,}"
    )
    data.add_row("treasury shares (self-holdings)", f"{len(g.self_holdings):,}")
    data.add_row("entities with stakes summing over 100%", f"{len(g.conflicts):,}")
    data.add_row("seeds", f"{int(g.seeds.sum()):,}")
    for stage, seconds in timings.items():
        data.add_row(f"time: {stage}", f"{seconds:.2f} s")
    return Group(decisions, by_region, data)


def _owner_tree(tree: Tree, node: dict[str, Any]) -> None:
    for entry in node.get("restricted_owners", []):
        owner = entry["owner"]
        label = f"{entry['holding']} held by [bold]{_name(owner)}[/bold]"
        if entry.get("basis") == "voting":
            label += " (voting)"
        if "restricted_because" in owner:
            label += f" — {owner['restricted_because']}"
        elif owner.get("see_above"):
            label += " — restricted, see above"
        elif owner.get("restricted_later"):
            label += " — restricted later in the cascade"
        else:
            label += (
                f" — restricted: {owner.get('restricted_share', '?')} held by restricted owners"
            )
        branch = tree.add(label)
        for nominee in entry.get("nominees", ()):
            branch.add(f"[dim]{nominee}[/dim]")
        _owner_tree(branch, owner)


def _name(label: dict[str, Any]) -> str:
    text = str(label["id"])
    if label.get("name"):
        text += f" {label['name']}"
    if label.get("country"):
        text += f" [{label['country']}]"
    return text


def _pct(value: Any) -> str:
    """A share in percent, the one unit explanations use."""
    if not isinstance(value, int | float):
        return str(value)
    return format_share(float(value))


def explanation(doc: dict[str, Any]) -> Tree:
    d = doc["decision"]
    share = (
        _pct(d["share_min"])
        if d["share_min"] == d["share_max"]
        else f"{_pct(d['share_min'])}–{_pct(d['share_max'])}"
    )
    root = Tree(
        f"[bold]{_name(doc['entity'])}[/bold]: {d['status'].upper()} ({d['reason']}), "
        f"restricted share {share}, method {d['method']}, as of {doc['as_of']}"
    )
    if "seed" in doc:
        root.add(doc["seed"]["text"])
    if doc.get("arithmetic"):
        root.add(f"[bold]{doc['arithmetic']}[/bold]", highlight=False)
    # The control tree shows nominees where they hold; other evidence shows them here.
    counted = [
        c for c in doc.get("contributions", ()) if c.get("nominees") and "control" not in doc
    ]
    for c in counted:
        for n in c["nominees"]:
            root.add(
                f"{_pct(n['share']) if n['share'] is not None else 'unknown share'} held by "
                f"{n.get('nominee_name') or n['nominee']} for {c['owner']}",
                highlight=False,
            )
    for e in doc.get("excluded", ()):
        root.add(f"[dim]{e['text']}[/dim]", highlight=False)
    if doc.get("seed_path"):
        root.add(f"seed path: {' → '.join(doc['seed_path'])}", highlight=False)
    if "control" in doc:
        run = "certain (every share at its low end)" if doc["run"] == "low" else "at most"
        _owner_tree(root.add(f"restricted owners, {run}"), doc["control"])
    if "effective" in doc:
        eff = doc["effective"]
        paths = root.add(f"effective restricted ownership {_pct(eff['total'])}; largest paths:")
        for p in eff["paths"]:
            steps = " → ".join(
                f"{a} ({s})" for a, s in zip(p["path"][:-1], p["stakes"], strict=True)
            )
            product = " × ".join(p["stakes"])
            paths.add(f"{steps} → {p['path'][-1]}: {product} = {_pct(p['product'])}")
        if eff["rest"] > 1e-12:
            paths.add(f"{_pct(eff['rest'])} through further paths (cross-holdings, small stakes)")
    if doc.get("deciding_holdings"):
        dec = root.add("[yellow]review: these holdings decide it[/yellow]")
        for h in doc["deciding_holdings"]:
            dec.add(h["text"])
    for t in doc.get("treasury", []):
        root.add(f"[cyan]{t['text']}[/cyan]")
    for c in doc.get("conflicts", []):
        root.add(
            f"[red]data conflict: stakes in {c['owned']} ({c['basis']}) sum to "
            f"{_pct(c['sum'])}[/red]"
        )
    if "provenance" in doc:
        _provenance(root, doc)
    return root


def _provenance(root: Tree, doc: dict[str, Any]) -> None:
    from ownergate.cli.provenance import source_label

    prov = doc["provenance"]
    by_row = {h["row"]: h for h in prov["holdings"]}
    used = [h for h in doc.get("registry", {}).get("holdings", []) if h.get("row") in by_row]
    if used:
        branch = root.add(f"sources (snapshot {prov['snapshot']['name']})")
        for h in used:
            p = by_row[h["row"]]
            if p.get("line"):
                where = f"{p['file']}, {p['line']}"
            else:
                record = f", record {p['record']}" if p.get("record") else ""
                where = f"{source_label(doc, p.get('source'))}{record}"
            relation = f" {p['relation']}" if p.get("relation") else ""
            share = h.get("share")
            stake = (
                f"{_pct(float(share))} " if share is not None else
                f"{_pct(float(h['share_min']))}–{_pct(float(h['share_max']))} "
                if "share_min" in h else "unknown share "
            )  # fmt: skip
            branch.add(
                f"{stake}{h['owner']} → {h['owned']} ({h['basis']}):{relation} from {where}",
                highlight=False,
            )
    if prov["facts"]:
        facts = root.add("stated facts (shown, not computed with)")
        for f in prov["facts"]:
            related = f" → {f['related']}" if f.get("related") else ""
            facts.add(
                f"{f['entity']}: {f['kind'].replace('_', ' ')} {f['detail']}{related} "
                f"({source_label(doc, f.get('source'))}, record {f['record']})",
                highlight=False,
            )
