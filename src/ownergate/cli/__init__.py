"""The ``ownergate`` command line (Typer + rich), a thin adapter over the core."""
