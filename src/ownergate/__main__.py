"""``python -m ownergate``: the same command as the ``ownergate`` script."""

from ownergate.cli.main import app

app()
