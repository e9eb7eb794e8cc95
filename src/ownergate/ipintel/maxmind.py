"""MaxMind GeoIP2 / GeoLite2 databases (``.mmdb``) that the operator configures.

Country (or City, Enterprise) databases answer a country, ASN (or ISP) databases an AS
number and organisation, Anonymous-IP databases flags. None is shipped: the GeoLite2 EULA
does not allow redistribution. Records are read with the ``maxminddb`` reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import maxminddb

from ownergate.errors import ConfigError, shown
from ownergate.ipintel.model import CountryAnswer, Flag, SourceInfo

KINDS = {
    "country": ("Country", "City", "Enterprise"),
    "asn": ("ASN", "ISP", "Enterprise"),
    "anonymous": ("Anonymous-IP", "Anonymous-Plus"),
}
SETTINGS = {
    "country": "OWNERGATE_IP_MMDB_COUNTRY",
    "asn": "OWNERGATE_IP_MMDB_ASN",
    "anonymous": "OWNERGATE_IP_MMDB_ANONYMOUS",
}
ANONYMOUS_FLAGS = (
    ("is_tor_exit_node", "tor_exit"),
    ("is_anonymous_vpn", "vpn"),
    ("is_hosting_provider", "hosting"),
    ("is_public_proxy", "proxy"),
    ("is_residential_proxy", "proxy"),
)


@dataclass(frozen=True)
class MmdbAnswer:
    country: CountryAnswer | None = None
    asn: int | None = None
    as_org: str | None = None
    asn_source: SourceInfo | None = None
    flags: tuple[Flag, ...] = ()
    sources: tuple[SourceInfo, ...] = ()


@dataclass(frozen=True)
class _Database:
    kind: str
    reader: maxminddb.Reader
    source: SourceInfo


class MaxMindDatabases:
    """The configured databases, at most one of each kind."""

    def __init__(self, databases: list[_Database]) -> None:
        self._by_kind = {db.kind: db for db in databases}

    @classmethod
    def open(
        cls, paths: dict[str, Path | None], *, today: dt.date, max_age_days: int
    ) -> MaxMindDatabases | None:
        """Open the databases named (``country``, ``asn``, ``anonymous``); None if none."""
        opened = [_open(kind, path, today, max_age_days) for kind, path in paths.items() if path]
        return cls(opened) if opened else None

    @property
    def sources(self) -> tuple[SourceInfo, ...]:
        return tuple(db.source for db in self._by_kind.values())

    def answer(self, ip: str) -> MmdbAnswer:
        country = asn = anonymous = None
        if db := self._by_kind.get("country"):
            country = _get(db, ip)
        if db := self._by_kind.get("asn"):
            asn = _get(db, ip)
        if db := self._by_kind.get("anonymous"):
            anonymous = _get(db, ip)
        found = CountryAnswer(self._name("country"), code) if (code := _iso(country)) else None
        number = asn.get("autonomous_system_number") if asn else None
        org = asn.get("autonomous_system_organization") if asn else None
        flags = tuple(
            Flag(flag, self._name("anonymous"))
            for key, flag in ANONYMOUS_FLAGS
            if anonymous and anonymous.get(key) is True
        )
        used = [
            db.source
            for kind, db in self._by_kind.items()
            if (kind == "country" and found)
            or (kind == "asn" and isinstance(number, int))
            or (kind == "anonymous" and flags)
        ]
        return MmdbAnswer(
            country=found,
            asn=number if isinstance(number, int) else None,
            as_org=org if isinstance(org, str) and org else None,
            asn_source=self._by_kind["asn"].source if isinstance(number, int) else None,
            flags=tuple(dict.fromkeys(flags)),
            sources=tuple(used),
        )

    def _name(self, kind: str) -> str:
        return self._by_kind[kind].source.name

    def close(self) -> None:
        for db in self._by_kind.values():
            db.reader.close()


def _open(kind: str, path: Path, today: dt.date, max_age_days: int) -> _Database:
    setting = SETTINGS[kind]
    try:
        reader = maxminddb.open_database(str(path))
    except FileNotFoundError:
        raise ConfigError(f"{setting}: {path} does not exist") from None
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise ConfigError(f"{setting}: {path} is not a MaxMind DB file ({exc})") from None
    meta = reader.metadata()
    if not any(word in meta.database_type for word in KINDS[kind]):
        reader.close()
        wanted = " or ".join(KINDS[kind])
        raise ConfigError(
            f"{setting}: {path} is a {shown(meta.database_type)} database; expected {wanted}"
        )
    built = dt.datetime.fromtimestamp(meta.build_epoch, dt.UTC).date()
    age = (today - built).days
    source = SourceInfo(
        name=f"maxmind/{meta.database_type}",
        date=built,
        licence="MaxMind licence of the operator's copy",
        title=str(meta.description.get("en", meta.database_type)),
        url=path.name,
        version=f"binary format {meta.binary_format_major_version}."
        f"{meta.binary_format_minor_version}",
        records=int(meta.node_count),
    )
    return _Database(kind, reader, replace(source, age_days=age, stale=age > max_age_days))


def _get(db: _Database, ip: str) -> dict[str, Any] | None:
    try:
        record = db.reader.get(ip)
    except ValueError:
        # An IPv6 address asked of an IPv4-only database: no answer, not an error.
        return None
    except maxminddb.InvalidDatabaseError as exc:
        raise ConfigError(f"{db.source.name}: damaged record for {ip} ({exc})") from None
    return record if isinstance(record, dict) else None


def _iso(record: dict[str, Any] | None) -> str | None:
    if not record:
        return None
    for key in ("country", "registered_country"):
        part = record.get(key)
        if isinstance(part, dict) and isinstance(code := part.get("iso_code"), str):
            return code
    return None
