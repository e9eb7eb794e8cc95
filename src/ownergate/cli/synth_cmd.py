"""``ownergate synth``: deterministic synthetic data in the interchange format.

``ownergate synth --edges N --out DIR`` (or ``synth registry``) writes a registry;
``ownergate synth customers --n N --registry DIR --out DIR`` a customer base over it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ownergate.cli.common import console, fail
from ownergate.errors import InputError, OwnergateError

synth_app = typer.Typer(
    help="Synthetic registries and customer bases (deterministic per seed).",
    no_args_is_help=False,
)

Seed = Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")]


@synth_app.callback(invoke_without_command=True)
def synth(
    ctx: typer.Context,
    edges: Annotated[
        int | None, typer.Option("--edges", "-n", min=1, help="Number of holdings.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Directory to write into.")] = None,
    seed: Seed = 1,
) -> None:
    """Write DIR/entities.parquet and DIR/ownership.parquet: a realistic synthetic registry
    (the same as ``synth registry``); or run a subcommand."""
    if ctx.invoked_subcommand is not None:
        return
    if edges is None or out is None:
        console.print(ctx.get_help())
        raise typer.Exit(2)
    registry(edges, out, seed)


@synth_app.command("registry")
def registry(
    edges: Annotated[int, typer.Option("--edges", "-n", min=1, help="Number of holdings.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
    seed: Seed = 1,
) -> None:
    """Write DIR/entities.parquet and DIR/ownership.parquet: a realistic synthetic registry."""
    from ownergate.synth import write_registry

    started = time.perf_counter()
    entities, ownership = write_registry(out, edges=edges, seed=seed)
    console.print(
        f"wrote {entities} and {ownership} ({edges:,} holdings, seed {seed}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


@synth_app.command("customers")
def customers(
    n: Annotated[int, typer.Option("--n", min=1, help="Number of accounts.")],
    registry_dir: Annotated[
        Path, typer.Option("--registry", help="A directory written by 'synth registry'.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
    seed: Seed = 1,
) -> None:
    """Write DIR/customers.parquet (the accounts, as the platform knows them) and
    DIR/customers-truth.parquet (each account's registry entity and how its name was
    changed, for measuring entity resolution)."""
    import pyarrow.parquet as pq

    from ownergate.synth.customers import generate_customers

    started = time.perf_counter()
    try:
        entities = pq.read_table(registry_dir / "entities.parquet")
        ownership = pq.read_table(
            registry_dir / "ownership.parquet", columns=["owner", "owned", "share", "share_min"]
        )
        table, truth = generate_customers(entities, ownership, n, seed)
    except OwnergateError as exc:
        fail(exc)
        return
    except FileNotFoundError:
        what = "no registry here: 'synth registry' writes entities.parquet and ownership.parquet"
        fail(InputError(what, file=str(registry_dir)))
        return
    except OSError as exc:
        fail(InputError(f"cannot read the registry: {exc}", file=str(registry_dir)))
        return
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "customers.parquet", compression="zstd")
    pq.write_table(truth, out / "customers-truth.parquet", compression="zstd")
    revenue = table.column("annual_revenue").to_numpy()
    linked = table.column("registry_entity_id").null_count
    console.print(
        f"wrote {out / 'customers.parquet'} ({n:,} accounts, seed {seed}; "
        f"{n - linked:,} linked to their registry entity, "
        f"{int((revenue >= 100_000).sum()):,} above $100k, "
        f"${revenue.sum() / 1e6:,.1f}M revenue a year) in {time.perf_counter() - started:.1f} s"
    )
