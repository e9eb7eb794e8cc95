"""``IpIntel``: country, ASN and flags of IP addresses, from the compiled index and any
MaxMind databases the operator configures.

Country precedence: a configured MaxMind country database first (it locates networks;
registries record where the registrant is), then the bundled lists in ``sources.toml``
order: ip_location_db (GeoFeed > RIR WHOIS > ASN country), then china_operator_ip. Every
answer stays in ``country_sources``, so 1.1.1.1 shows AU from ip_location_db next to US
from a GeoLite2 database. ASN: a MaxMind ASN database first, then ip_location_db.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ownergate.errors import IpAddressError
from ownergate.ipintel import reserved
from ownergate.ipintel.addresses import parse_parts
from ownergate.ipintel.index import AsnTable, IpIndex, VersionIndex
from ownergate.ipintel.maxmind import MaxMindDatabases
from ownergate.ipintel.model import CountryAnswer, Flag, IpInfo, SourceInfo
from ownergate.ipintel.store import IpDataStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from ownergate.settings import Settings

DEFAULT_MAX_AGE_DAYS = 180


@dataclass(frozen=True)
class _Facts:
    """What the index says for one combination of answers (cached per facts id); ``common``
    holds the fields of ``IpInfo`` that every address with these answers shares."""

    country_sources: tuple[CountryAnswer, ...]
    flags: tuple[Flag, ...]
    sources: tuple[SourceInfo, ...]
    asn_layer: int
    asn_rows: memoryview | None
    asn_table: AsnTable | None
    asn_source: str | None
    reserved: bool
    common: dict[str, object]


class IpIntel:
    """Lookups over one compiled index; open once, look up many times."""

    def __init__(
        self,
        index: IpIndex,
        sources: tuple[SourceInfo, ...],
        mmdb: MaxMindDatabases | None = None,
    ) -> None:
        self._index = index
        self._bundled = sources
        self._by_name = {s.name: s for s in sources}
        self._mmdb = mmdb
        self._cache: dict[int, list[_Facts | None]] = {
            v: [None] * len(part.facts_table) for v, part in index.versions.items()
        }

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        today: dt.date | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> IpIntel:
        """The index named by the settings (compiled from the bundled data at first use)
        and the MaxMind databases they configure."""
        today = today or dt.date.today()
        directory = IpDataStore.of(settings).ensure(notify)
        mmdb = MaxMindDatabases.open(
            {
                "country": settings.ip_mmdb_country,
                "asn": settings.ip_mmdb_asn,
                "anonymous": settings.ip_mmdb_anonymous,
            },
            today=today,
            max_age_days=settings.ip_max_age_days,
        )
        return cls.load(directory, mmdb=mmdb, max_age_days=settings.ip_max_age_days, today=today)

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        mmdb: MaxMindDatabases | None = None,
        max_age_days: int = DEFAULT_MAX_AGE_DAYS,
        today: dt.date | None = None,
    ) -> IpIntel:
        """Map the compiled index in ``directory``; ages are counted to ``today``."""
        today = today or dt.date.today()
        index = IpIndex.load(directory)
        sources = []
        for meta in index.meta["sources"]:
            date = dt.date.fromisoformat(meta["date"])
            sources.append(
                SourceInfo(
                    name=meta["name"],
                    date=date,
                    licence=meta["licence"],
                    title=meta["title"],
                    url=meta["url"],
                    version=meta["version"],
                    attribution=meta["attribution"],
                    records=sum(meta["records"].values()),
                    age_days=(today - date).days,
                    stale=(today - date).days > max_age_days,
                )
            )
        return cls(index, tuple(sources), mmdb)

    @property
    def directory(self) -> Path:
        return self._index.directory

    @property
    def sources(self) -> tuple[SourceInfo, ...]:
        """Bundled (or updated) sources, then configured MaxMind databases."""
        return self._bundled + (self._mmdb.sources if self._mmdb else ())

    def stale_sources(self) -> tuple[SourceInfo, ...]:
        return tuple(s for s in self.sources if s.stale)

    def segments(self) -> dict[int, int]:
        return {v: len(part) for v, part in self._index.versions.items()}

    def lookup(self, ip: str) -> IpInfo:
        """Everything known about one address; IpAddressError when it is not one."""
        text, version, packed, embedded = parse_parts(ip)
        part = self._index.versions[version]
        info = self._answer(ip, text, version, part, part.search.one(packed))
        return _carried(info, embedded) if embedded else info

    def lookup_many(self, ips: Iterable[str]) -> list[IpInfo]:
        """``lookup`` for a batch, searched together; an error names the item."""
        queries = list(ips)
        parsed: list[tuple[str, int, bytes, str]] = []
        for item, query in enumerate(queries, 1):
            try:
                parsed.append(parse_parts(query))
            except IpAddressError as exc:
                raise IpAddressError(exc.message, record=f"item {item}", field="ip") from None
        positions = [0] * len(parsed)
        for version, part in self._index.versions.items():
            picks = [k for k, p in enumerate(parsed) if p[1] == version]
            if picks:
                found = part.search.many([parsed[k][2] for k in picks]).tolist()
                for k, position in zip(picks, found, strict=True):
                    positions[k] = position
        versions = self._index.versions
        out = [
            self._answer(query, text, version, versions[version], position)
            for query, (text, version, _, _), position in zip(
                queries, parsed, positions, strict=True
            )
        ]
        return [_carried(info, p[3]) if p[3] else info for info, p in zip(out, parsed, strict=True)]

    def close(self) -> None:
        if self._mmdb:
            self._mmdb.close()

    def __enter__(self) -> IpIntel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, query: str, text: str, version: int, part: VersionIndex, i: int) -> IpInfo:
        fact = part.facts[i]
        facts = self._cache[version][fact] or self._facts(version, fact)
        asn = org = None
        if facts.asn_table is not None and facts.asn_rows is not None:
            row = facts.asn_rows[i]
            asn, org = facts.asn_table.number(row), facts.asn_table.org(row)
        if self._mmdb is None or facts.reserved:
            return IpInfo.assemble(facts.common, query, text, asn, org)
        found = self._mmdb.answer(text)
        answers = ((found.country,) if found.country else ()) + facts.country_sources
        asn_source = facts.asn_source
        if found.asn is not None and found.asn_source:
            asn, org, asn_source = found.asn, found.as_org, found.asn_source.name
        return IpInfo(
            query,
            text,
            version,
            answers[0].country if answers else None,
            answers[0].source if answers else None,
            answers,
            asn,
            org,
            asn_source,
            facts.flags + found.flags,
            tuple(dict.fromkeys(found.sources + facts.sources)),
        )

    def _facts(self, version: int, fact: int) -> _Facts:
        index = self._index
        part = index.versions[version]
        row = [int(v) for v in part.facts_table[fact]]
        countries = row[: len(index.country_layers)]
        answered = row[len(index.country_layers) : -1]
        # (position in sources.toml, answer or flag, source name)
        answers: list[tuple[int, CountryAnswer, str]] = []
        for layer, value in zip(index.country_layers, countries, strict=True):
            if value >= 0:
                answer = CountryAnswer(layer.label, index.countries[value])
                answers.append((layer.position, answer, layer.source))
        flags: list[tuple[int, Flag, str]] = []
        for k in part.combos[row[-1]]:
            layer = index.set_layers[k]
            if layer.country:
                answer = CountryAnswer(layer.label, layer.country)
                answers.append((layer.position, answer, layer.source))
            if layer.flag:
                flags.append((layer.position, Flag(layer.flag, layer.label), layer.source))
        answers.sort(key=lambda a: a[0])
        flags.sort(key=lambda f: f[0])
        used = [a[2] for a in answers]
        asn_layer = answered.index(1) if 1 in answered else -1
        if asn_layer >= 0:
            used.append(index.asn_layers[asn_layer].source)
        used += [source for _, _, source in flags]
        country_sources = tuple(a[1] for a in answers)
        asn_source = index.asn_layers[asn_layer].label if asn_layer >= 0 else None
        sources = tuple(self._by_name[n] for n in dict.fromkeys(used) if n in self._by_name)
        facts = _Facts(
            country_sources=country_sources,
            flags=tuple(f[1] for f in flags),
            sources=sources,
            asn_layer=asn_layer,
            asn_rows=part.asns[asn_layer] if asn_layer >= 0 else None,
            asn_table=index.asn_tables[asn_layer] if asn_layer >= 0 else None,
            asn_source=asn_source,
            reserved=any(f[1].source == reserved.SOURCE for f in flags),
            common={
                "version": version,
                "country": country_sources[0].country if country_sources else None,
                "country_source": country_sources[0].source if country_sources else None,
                "country_sources": country_sources,
                "asn_source": asn_source,
                "flags": tuple(f[1] for f in flags),
                "sources": sources,
            },
        )
        self._cache[version][fact] = facts
        return facts


EMBEDDED_FLAG = "embedded_ipv4"


def _carried(info: IpInfo, form: str) -> IpInfo:
    """The IPv4 answer for an IPv6 address that carried it, flagged with the form
    (``nat64``, ``6to4``, ``teredo`` ...), so the gate and the audit log show the tunnel."""
    return replace(info, flags=(*info.flags, Flag(EMBEDDED_FLAG, form)))
