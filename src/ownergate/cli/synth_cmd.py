"""``ownergate synth``: a deterministic synthetic registry in the interchange format."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ownergate.cli.common import console


def synth(
    edges: Annotated[int, typer.Option("--edges", "-n", min=1, help="Number of holdings.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 1,
) -> None:
    """Write DIR/entities.parquet and DIR/ownership.parquet: a realistic synthetic registry."""
    from ownergate.synth import write_registry

    started = time.perf_counter()
    entities, ownership = write_registry(out, edges=edges, seed=seed)
    console.print(
        f"wrote {entities} and {ownership} ({edges:,} holdings, seed {seed}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
