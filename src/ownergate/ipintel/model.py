"""What a lookup answers: the chosen country, every source's answer, ASN, flags, sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

FLAG_NAMES = (
    "tor_exit",
    "vpn",
    "hosting",
    "relay",
    "proxy",
    "crawler",
    "reserved",
    "embedded_ipv4",  # an IPv6 address read as the IPv4 one it carries (source: the form)
)


@dataclass(frozen=True, slots=True)
class Flag:
    """``name`` is one of ``FLAG_NAMES`` (or a data folder's own); ``source`` the list."""

    name: str
    source: str


@dataclass(frozen=True, slots=True)
class CountryAnswer:
    source: str
    country: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A data source, its date, and whether it is older than the configured age."""

    name: str
    date: dt.date | None
    licence: str = ""
    title: str = ""
    url: str = ""
    version: str = ""
    attribution: str = ""
    records: int = 0
    age_days: int | None = None
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "date": self.date.isoformat() if self.date else None,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class IpInfo:
    """The answer for one address.

    ``ip`` is the canonical address looked up (``query`` as given); ``country`` is the
    first answer in precedence order (``country_source`` says whose) and
    ``country_sources`` keeps every source's answer, so disagreements stay visible. Each
    flag names its list; ``sources`` are the sources that answered anything here, with
    their dates.
    """

    query: str
    ip: str
    version: int
    country: str | None
    country_source: str | None
    country_sources: tuple[CountryAnswer, ...]
    asn: int | None
    as_org: str | None
    asn_source: str | None
    flags: tuple[Flag, ...]
    sources: tuple[SourceInfo, ...]

    @classmethod
    def assemble(
        cls, common: dict[str, Any], query: str, ip: str, asn: int | None, as_org: str | None
    ) -> IpInfo:
        """The constructor's result from ``common`` (every other field, shared by many
        lookups) without the frozen ``__init__``, which sets each field through
        ``object.__setattr__``: 2.5 µs of a 5 µs lookup budget."""
        info = object.__new__(cls)
        fields = {**common, "query": query, "ip": ip, "asn": asn, "as_org": as_org}
        object.__setattr__(info, "__dict__", fields)
        return info

    @property
    def disputed(self) -> bool:
        return len({a.country for a in self.country_sources}) > 1

    @property
    def flag_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.name for f in self.flags))

    def to_json(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "query": self.query,
            "version": self.version,
            "country": self.country,
            "country_source": self.country_source,
            "country_sources": [
                {"source": a.source, "country": a.country} for a in self.country_sources
            ],
            "disputed": self.disputed,
            "asn": self.asn,
            "as_org": self.as_org,
            "asn_source": self.asn_source,
            "flags": [{"name": f.name, "source": f.source} for f in self.flags],
            "sources": [s.to_json() for s in self.sources],
        }
