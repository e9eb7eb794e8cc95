"""FollowTheMoney (OpenSanctions) entities as one ``SourceBatch``.

Input: FtM entities, one JSON object per line (OpenSanctions ``entities.ftm.json``) or a
file holding one JSON array of them. Every entity is ``{"id", "schema", "properties":
{prop: [text, ...]}}``; the importer reads the schemata below and ignores the rest.

- **Parties.** ``Company``, ``Organization``, ``LegalEntity`` and ``PublicBody`` become
  ``company`` entities, ``Person`` a ``person``. A public body is a ``company`` on purpose:
  the default policy seeds only companies, and a state body of a restricted region must
  seed like one; a ``public_body`` fact keeps the schema for explanations. A
  ``LegalEntity`` (person or company unknown) counts as a company: the stricter reading.
- **Names.** The entity's ``caption`` when it is one of its ``name`` values (OpenSanctions
  picks it as the display name; the order of ``name`` values means nothing), else the first
  ``name``; the other names, ``alias``, ``previousName`` and ``weakAlias`` are other names.
- **Countries.** Headquarters: ``mainCountry``, else ``country`` (a person also
  ``nationality``, ``citizenship``), else ``jurisdiction``: a company registered in a
  country is taken to be seated there rather than left unknown. Legal: ``jurisdiction``,
  else the headquarters country. Further ``country`` values are ``other_country`` facts,
  codes with no ISO country (``suhh``, ``zz``) ``unmapped_country`` facts.
- **Ids.** With a ``leiCode`` the (smallest) LEI is the id and the FtM id an ``FTM``
  identifier; ``registrationNumber``, ``innCode`` (``RU-INN``), ``ogrnCode`` (``RU-OGRN``)
  and ``taxNumber`` are identifiers.
- **Status.** ``status`` as stated, else ``dissolved`` when there is a
  ``dissolutionDate``; each dissolution date is a ``dissolved`` fact.
- **Topics.** Each topic is a ``topic`` fact. Sanctions listing is **not** the region
  policy and is opt-in: only with ``listed_topics`` (e.g. ``{"sanction"}``) is an entity
  carrying one of those exact topics ``listed`` (``sanction.linked`` is not ``sanction``).
  ``Sanction`` entities add a ``sanction`` fact (authority / programme) to their entity and
  never list it themselves: a programme may have ended; OpenSanctions' topics say if not.
- **Ownership** (``owner`` → ``asset``) is a holding; see ``ftm_values.parse_percentage``
  and ``parse_date`` for shares and dates (no percentage: unknown share; several different
  percentages: the interval they span; several dates: the widest period). ``role`` and
  ``ownershipType`` are kept in ``relation``. An endpoint missing from the files stays a
  reference by FtM id (the batch makes it a placeholder entity, which ``validate``
  reports); an ownership of a non-party (a ``Vessel``, a ``Security``) is left out.
- **Other links** (``Directorship``, ``Membership``, ``Employment``, ``Control``,
  ``Representation``, ``Succession``, ``Family``, ``Associate``, ``UnknownLink``) are facts
  on the organisation / controlled / client / successor / person side; never computed.
- An id given twice: the later entity replaces the earlier (as the batch does).

Values are checked here rather than with the ``followthemoney`` package: that pulls in
some 200 MB (ICU, SQLAlchemy, rdflib, phonenumbers), takes seconds to import, and drops an
invalid value silently where ownergate must name it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ownergate.domain.model import Kind
from ownergate.domain.shares import Share
from ownergate.errors import InputError, shown
from ownergate.importers.ftm_read import Item, read_items
from ownergate.importers.ftm_values import (
    Props,
    Where,
    country,
    parse_percentage,
    text_ok,
)
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord, SourceBatch

PARTIES: dict[str, Kind] = {
    "Company": Kind.COMPANY,
    "Organization": Kind.COMPANY,
    "LegalEntity": Kind.COMPANY,
    "PublicBody": Kind.COMPANY,
    "Person": Kind.PERSON,
}
# schema: (property of the entity the fact is about, property of the related one, detail)
LINKS: dict[str, tuple[str, str, str]] = {
    "Directorship": ("organization", "director", "role"),
    "Membership": ("organization", "member", "role"),
    "Employment": ("employer", "employee", "role"),
    "Control": ("controlled", "controller", "controlType"),
    "Representation": ("client", "agent", "role"),
    "Succession": ("successor", "predecessor", "role"),
    "Family": ("person", "relative", "relationship"),
    "Associate": ("person", "associate", "relationship"),
    "UnknownLink": ("object", "subject", "role"),
    "Sanction": ("entity", "", "program"),
}
_IDENTIFIERS = (
    ("registrationNumber", "registrationNumber"),
    ("innCode", "RU-INN"),
    ("ogrnCode", "RU-OGRN"),
    ("taxNumber", "taxNumber"),
)
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")


@dataclass(frozen=True, slots=True)
class _Party:
    schema: str
    entity: EntityRecord
    facts: tuple[FactRecord, ...]


@dataclass(frozen=True, slots=True)
class _Link:
    """A relationship entity whose endpoints are still FtM ids."""

    schema: str
    ftm_id: str
    kind: str  # "holding", or the fact kind
    target: str  # the owned / organisation side
    source: str  # the owner / director side ("" for a Sanction)
    detail: str  # the holding's relation, or the fact's detail
    share: Share = Share.unknown()
    start: dt.date | None = None
    end: dt.date | None = None


def read_ftm(
    paths: Sequence[Path],
    *,
    skip_invalid: bool = False,
    listed_topics: frozenset[str] | None = None,
) -> SourceBatch:
    """Read FtM entity files (JSON Lines or a JSON array) as one source.

    Malformed entities raise ``InputError`` naming the file, ``line N (id X)`` and the field
    (``properties.percentage[0]``); with ``skip_invalid`` they become ``batch.rejects``.
    """
    names = [str(p) for p in paths]
    batch = SourceBatch(source={"format": "ftm", "path": ", ".join(names), "files": names})
    topics = frozenset(listed_topics or ())
    parsed: dict[str, _Party | _Link | str] = {}  # str: the schema of an ignored entity
    counts: Counter[str] = Counter()
    for path, name in zip(paths, names, strict=True):

        def on_error(error: InputError, raw: str) -> None:
            batch.reject_or_raise(error, raw, skip_invalid)

        for item in read_items(Path(path), name, on_error):
            counts["records"] += 1
            try:
                ftm_id, value = _parse(item, name, topics)
            except InputError as error:
                on_error(error, item.raw)
                continue
            if parsed.pop(ftm_id, None) is not None:
                counts["replaced"] += 1
            parsed[ftm_id] = value
    _resolve(parsed, batch, counts)
    batch.source.update(
        records=counts.pop("records", 0),
        listed_topics=sorted(topics),
        schemata=dict(sorted(Counter(_schema(v) for v in parsed.values()).items())),
        counts=dict(sorted(counts.items())),
    )
    return batch


def _schema(value: _Party | _Link | str) -> str:
    return value if isinstance(value, str) else value.schema


def _parse(item: Item, name: str, topics: frozenset[str]) -> tuple[str, _Party | _Link | str]:
    where = Where(name, f"line {item.line}")
    obj = item.value
    if not isinstance(obj, dict):
        raise where.error('expected a JSON object, an FtM entity {"id": ..., "schema": ...}')
    ftm_id = _text(obj, "id", where)
    label = ftm_id if ftm_id.isprintable() and len(ftm_id) <= 80 else shown(ftm_id, 80)
    where = Where(name, f"line {item.line} (id {label})")
    schema = _text(obj, "schema", where)
    raw_props = obj.get("properties", {})
    if not isinstance(raw_props, dict):
        raise where.error("expected an object of property lists", "properties")
    props = Props(raw_props, where)
    if schema in PARTIES:
        return ftm_id, _party(ftm_id, schema, obj, props, topics)
    if schema == "Ownership":
        return ftm_id, _ownership(ftm_id, props)
    if schema in LINKS:
        return ftm_id, _link(ftm_id, schema, props)
    return ftm_id, schema


def _text(obj: dict[str, Any], key: str, where: Where) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"expected a non-empty string, not {shown(value)}", key)
    return text_ok(value, where, key)


def _party(
    ftm_id: str, schema: str, obj: dict[str, Any], props: Props, topics: frozenset[str]
) -> _Party:
    where = props.where
    names = props.texts("name")
    if not names:
        raise where.error(f"missing: {schema} requires a name", "properties.name")
    caption = obj.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise where.error(f"expected a string, not {shown(caption)}", "caption")
    name = caption.strip() if caption and caption.strip() in names else names[0]
    others = [n for n in props.texts("name", "alias", "previousName", "weakAlias") if n != name]
    leis = sorted({_lei(text, where, path) for path, text in props.values("leiCode")})
    entity_id = leis[0] if leis else ftm_id
    identifiers = [("LEI", lei) for lei in leis] + ([("FTM", ftm_id)] if leis else [])
    identifiers += [(scheme, v) for prop, scheme in _IDENTIFIERS for v in props.texts(prop)]
    hq, legal, facts = _countries(props, schema)
    props.dates("dissolutionDate")  # validated; the facts keep the source's own text
    dissolved = props.texts("dissolutionDate")
    facts += [("dissolved", d) for d in dissolved]
    status = next(iter(props.texts("status")), "dissolved" if dissolved else "")
    stated_topics = props.texts("topics")
    facts += [("topic", t) for t in stated_topics]
    if schema == "PublicBody":
        facts.append(("public_body", schema))
    entity = EntityRecord(
        id=entity_id,
        record=ftm_id,
        name=name,
        kind=PARTIES[schema],
        country=hq,
        legal_country=legal,
        listed=not topics.isdisjoint(stated_topics),
        status=status,
        other_names=tuple(others),
        identifiers=tuple(dict.fromkeys(identifiers)),
    )
    return _Party(schema, entity, tuple(FactRecord(entity_id, k, d, ftm_id) for k, d in facts))


def _countries(props: Props, schema: str) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """Headquarters and legal country, and facts for the country values not used."""
    hq_props = ["mainCountry", "country"]
    if schema == "Person":
        hq_props += ["nationality", "citizenship"]
    codes: dict[str, list[str]] = {}
    facts: list[tuple[str, str]] = []
    for prop in [*hq_props, "jurisdiction"]:
        for text in props.texts(prop):
            code = country(text)
            if code is None:
                facts.append(("unmapped_country", text))
            elif code not in codes.setdefault(prop, []):
                codes[prop].append(code)
    hq = next((codes[p][0] for p in [*hq_props, "jurisdiction"] if codes.get(p)), None)
    legal = codes["jurisdiction"][0] if codes.get("jurisdiction") else hq
    stated = dict.fromkeys(c for p in ("mainCountry", "country") for c in codes.get(p, []))
    facts += [("other_country", c) for c in stated if c != hq]
    return hq, legal, facts


def _lei(text: str, where: Where, path: str) -> str:
    lei = text.upper()
    if not _LEI.fullmatch(lei) or int("".join(str(int(c, 36)) for c in lei)) % 97 != 1:
        raise where.error(f"not a valid LEI (ISO 17442): {shown(text)}", path)
    return lei


def _required(props: Props, prop: str, schema: str) -> str:
    value = props.one(prop)
    if value is None:
        raise props.where.error(f"missing: {schema} requires {shown(prop)}", f"properties.{prop}")
    return value[1]


def _ownership(ftm_id: str, props: Props) -> _Link:
    owner = _required(props, "owner", "Ownership")
    asset = _required(props, "asset", "Ownership")
    shares = [
        parse_percentage(text, props.where, path) for path, text in props.values("percentage")
    ]
    if not shares:
        share = Share.unknown()
    elif len(set(shares)) == 1:
        share = shares[0]
    else:  # sources disagree (OpenSanctions merges statements): keep what they span
        share = Share.between(min(s.low for s in shares), max(s.high for s in shares))
    starts = props.dates("startDate")
    ends = props.dates("endDate", end=True)
    start, end = min(starts, default=None), max(ends, default=None)
    if start is not None and end is not None and end < start:
        message = f"the stake ends ({end}) before it starts ({start})"
        raise props.where.error(message, "properties.endDate")
    kinds = props.texts("role", "ownershipType")
    relation = f"Ownership: {'; '.join(kinds)}" if kinds else "Ownership"
    return _Link("Ownership", ftm_id, "holding", asset, owner, relation, share, start, end)


def _link(ftm_id: str, schema: str, props: Props) -> _Link:
    target_prop, source_prop, detail_prop = LINKS[schema]
    target = _required(props, target_prop, schema)
    source = _required(props, source_prop, schema) if source_prop else ""
    if schema == "Sanction":
        parts = props.texts("authority")[:1] + props.texts("programId", "program")[:1]
        detail = " / ".join(parts) or schema
    else:
        detail = "; ".join(props.texts(detail_prop)) or schema
    kind = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", schema).lower()  # UnknownLink: unknown_link
    return _Link(schema, ftm_id, kind, target, source, detail)


def _resolve(
    parsed: dict[str, _Party | _Link | str], batch: SourceBatch, counts: Counter[str]
) -> None:
    """Endpoints by FtM id become entity ids (the LEI where there is one)."""
    ids = {k: v.entity.id for k, v in parsed.items() if isinstance(v, _Party)}
    for value in parsed.values():
        if isinstance(value, _Party):
            batch.entities.append(value.entity)
            batch.facts.extend(value.facts)
    for link in (v for v in parsed.values() if isinstance(v, _Link)):
        target, source = ids.get(link.target), ids.get(link.source)
        if link.kind != "holding":
            if target is None:
                counts["facts_without_party"] += 1
                continue
            related = ids.get(link.source, link.source) or None
            batch.facts.append(FactRecord(target, link.kind, link.detail, link.ftm_id, related))
            continue
        if (target is None and link.target in parsed) or (source is None and link.source in parsed):
            counts["ownerships_of_non_parties"] += 1
            continue
        counts["unresolved_references"] += (target is None) + (source is None)
        batch.holdings.append(
            HoldingRecord(
                owner=source or link.source,
                owned=target or link.target,
                share=link.share,
                record=link.ftm_id,
                relation=link.detail,
                start=link.start,
                end=link.end,
            )
        )
