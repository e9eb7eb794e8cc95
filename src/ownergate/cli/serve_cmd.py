"""``ownergate serve``: the HTTP API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from ownergate.cli.common import err_console, fail, settings
from ownergate.errors import OwnergateError, one_line


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
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Server processes (one per core serves most)."
        ),
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) until interrupted."""
    import uvicorn

    from ownergate.api import create_app
    from ownergate.ipintel import IpDataStore

    try:
        config = settings()
        app = create_app(config, freeze_gc=True)
    except OwnergateError as exc:
        fail(exc)
        return
    # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 whatever the gate is
    # told: one setting decides which proxies speak for the client, for both.
    proxy_headers = bool(config.trusted_proxies)
    forwarded = list(config.trusted_proxies)
    try:
        # Compiling the bundled IP data takes seconds the first time: here, not in the
        # first request the gate answers. Without it the rest of the API still serves.
        IpDataStore.of(config).ensure()
    except OwnergateError as exc:
        err_console.print(
            f"warning: the request gate has no IP data: {one_line(str(exc))}",
            markup=False,
            highlight=False,
        )
    # The Server header would only advertise uvicorn's version.
    if workers == 1:
        uvicorn.run(
            app,
            host=host,
            port=port,
            server_header=False,
            access_log=access_log,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded,
        )
        return
    # Worker processes build their own app from the same OWNERGATE_* environment; the one
    # built above has checked the settings and migrated the store first.
    uvicorn.run(
        "ownergate.api.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
        access_log=access_log,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded,
    )
