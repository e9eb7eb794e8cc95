"""The production ``Services`` for a ``Settings``: where the store plugs into the API."""

from __future__ import annotations

from collections.abc import Mapping

from ownergate.api.services import Principal, Services
from ownergate.settings import Settings


class StorelessServices:
    """What the server runs on until the store is wired in: no API key is valid, and
    ``/readyz`` reports the store as missing so no load balancer sends it traffic."""

    def authenticate(self, key: str) -> Principal | None:
        return None

    def ready(self) -> Mapping[str, bool]:
        return {"store": False}

    def close(self) -> None:
        return None


def build_services(settings: Settings) -> Services:
    """The services ``create_app`` uses when it is given none."""
    return StorelessServices()
