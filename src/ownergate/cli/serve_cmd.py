"""``ownergate serve``: the HTTP API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from ownergate.cli.common import fail, settings
from ownergate.errors import OwnergateError


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default, 127.0.0.1, lets only this machine "
            "connect; give 0.0.0.0 (or an interface address) to accept others.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) until interrupted."""
    import uvicorn

    from ownergate.api import create_app

    try:
        app = create_app(settings())
    except OwnergateError as exc:
        fail(exc)
        return
    # The Server header would only advertise uvicorn's version.
    uvicorn.run(app, host=host, port=port, server_header=False)
