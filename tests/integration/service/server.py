"""The decision service as a user runs it: ``create_app`` over a real store and snapshot
directory, served on loopback, with an API key per role made through the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ownergate.api import create_app
from ownergate.settings import Settings
from tests.http_server import serving
from tests.integration.service.registry import create_keys


@dataclass(frozen=True)
class Api:
    client: httpx.Client
    keys: dict[str, str]  # viewer, analyst, analyst_b, admin

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def actor(self, who: str) -> str:
        """The name audit rows and decisions record for ``who``'s key."""
        return f"key:{self.keys[who].split('_')[1]}"


def settings_for(database_url: str, data_dir: Path, **extra: object) -> Settings:
    return Settings.model_validate(
        {"policy": None, "data_dir": data_dir, "database_url": database_url, **extra}
    )


@contextmanager
def serve_store(database_url: str, data_dir: Path, **settings: object) -> Iterator[Api]:
    """The app over the store at ``database_url`` (migrated by the app) and ``data_dir``
    (``settings``: other ``Settings`` fields)."""
    app = create_app(settings_for(database_url, data_dir, **settings))
    keys = create_keys(database_url)
    with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        yield Api(client, keys)
