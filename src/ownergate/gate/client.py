"""The client's address: the connection's peer, or what trusted proxies say it was.

``X-Forwarded-For`` is believed only when the peer is a configured trusted proxy: anyone
else can write the header. Each proxy appends the address it saw, so the list is read from
the right, skipping trusted proxies; the first address that is not one is the client (an
address a client wrote itself sits further left, and is never reached).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

from ownergate.errors import ConfigError, shown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR blocks or single addresses; ConfigError names a bad one."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ConfigError(
                f"trusted proxy {shown(value)} is not an IP network or address"
            ) from None
    return tuple(out)


def client_ip(scope: Scope, trusted: tuple[Network, ...]) -> str | None:
    """The client address of the request in ``scope``; None without a network peer."""
    client = scope.get("client")
    if not client:
        return None
    peer = str(client[0])
    if not trusted or not _trusted(peer, trusted):
        return peer
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    forwarded = [
        part.strip()
        for name, value in headers
        if name == b"x-forwarded-for"
        for part in value.decode("latin-1").split(",")
    ]
    for hop in reversed(forwarded):
        if not hop:
            continue
        if not _trusted(hop, trusted):
            return hop  # may be malformed: the gate answers that with its own error
    return peer


def _trusted(value: str, trusted: tuple[Network, ...]) -> bool:
    try:
        address: Address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == n.version and address in n for n in trusted)
