"""Shared pieces of the commands: consoles, options, error mapping, progress."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console, Group
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ownergate.errors import (
    ConfigError,
    InputError,
    OwnergateError,
    UnknownEntityError,
    one_line,
    shown,
)
from ownergate.policy.model import Policy, default_policy
from ownergate.settings import Settings

# Piped output is never cut at 80 columns: lines are as long as they need to be.
PIPED_WIDTH = 100_000


class PipeAwareConsole(Console):
    """A console that, when its output is not a terminal, prints tables as tab-separated
    lines (a ``# title`` line, a header line, a line per row) for ``cut``, ``awk`` and
    spreadsheets, and never wraps other text at a terminal width it does not have."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.is_terminal or os.environ.get("COLUMNS"):
            super().print(*objects, **kwargs)
            return
        for obj in objects:
            for part in obj.renderables if isinstance(obj, Group) else (obj,):
                if isinstance(part, Table):
                    self.file.write(table_tsv(part))
                else:
                    # print(width=) is capped at the console's width: lift the width itself.
                    saved = self._width
                    self._width = PIPED_WIDTH
                    try:
                        super().print(part, **kwargs)
                    finally:
                        self._width = saved


def table_tsv(table: Table) -> str:
    """A rich table as tab-separated text (tabs and newlines in cells become spaces)."""

    def cell(value: Any) -> str:
        text = value.plain if hasattr(value, "plain") else str(value)
        return " ".join(text.replace("\t", " ").split())

    lines = []
    if table.title:
        lines.append(f"# {cell(table.title)}")
    columns = table.columns
    if table.show_header:
        lines.append("\t".join(cell(c.header) for c in columns))
    rows = zip(*(list(c.cells) for c in columns), strict=True)
    lines.extend("\t".join(cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


console = PipeAwareConsole(stderr=False)
err_console = Console(stderr=True)

EXIT_INPUT = 2
EXIT_NOT_FOUND = 3
EXIT_ERROR = 1

EntitiesOpt = Annotated[
    Path, typer.Option("--entities", "-e", help="Entities file (.csv, .parquet, .jsonl).")
]
OwnershipOpt = Annotated[
    Path, typer.Option("--ownership", "-o", help="Ownership file (.csv, .parquet, .jsonl).")
]
MaybeEntitiesOpt = Annotated[
    Path | None,
    typer.Option("--entities", "-e", help="Entities file (.csv, .parquet, .jsonl)."),
]
MaybeOwnershipOpt = Annotated[
    Path | None,
    typer.Option("--ownership", "-o", help="Ownership file (.csv, .parquet, .jsonl)."),
]
SnapshotOpt = Annotated[
    str | None,
    typer.Option("--snapshot", help="Screen a stored snapshot instead of files."),
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", "-p", help="Policy TOML (default: the seed policy).")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate holdings valid on this ISO date (default: today)."),
]


def fail(exc: OwnergateError) -> None:
    code = (
        EXIT_INPUT
        if isinstance(exc, InputError)
        else EXIT_NOT_FOUND
        if isinstance(exc, UnknownEntityError)
        else EXIT_ERROR
    )
    # Values in the message are the input's: no markup read in them, no control character
    # passed to the terminal.
    err_console.print(f"error: {one_line(str(exc))}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{shown(value)} is not an ISO date (YYYY-MM-DD)", field="--as-of"
        ) from None


def settings() -> Settings:
    """``OWNERGATE_*`` settings; a bad value is a one-line ConfigError."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None


def load_policy(path: Path | None) -> Policy:
    """``--policy``, else ``OWNERGATE_POLICY``, else the bundled seed policy."""
    from ownergate.interchange import read_policy

    path = path or settings().policy
    return default_policy() if path is None else read_policy(path)


@contextmanager
def stage_progress(total: int, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar over the stages of a long job; ``advance(name)`` starts a stage."""
    progress = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet or not err_console.is_terminal,
        transient=True,
    )
    with progress:
        task = progress.add_task("starting", total=total)
        first = [True]

        def advance(name: str) -> None:
            if not first[0]:
                progress.advance(task)
            first[0] = False
            progress.update(task, description=name)

        yield advance
        progress.update(task, completed=total)
