"""One BODS statement, validated and normalised across versions 0.2, 0.3 and 0.4.

BODS 0.4 statements carry ``recordId``/``recordType``/``recordStatus`` and put the content
under ``recordDetails``; 0.2/0.3 statements carry ``statementID``/``statementType`` and their
content at the top level, and refer to each other by statement id. Everything after this
module sees one shape: a ``Statement`` whose ``details`` is a ``Party`` (entity or person) or
a ``Relationship``. Only the fields ownergate uses are validated; the rest is ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ownergate.domain.model import Kind
from ownergate.domain.shares import Share
from ownergate.errors import shown
from ownergate.importers.bods_codes import (
    ADDRESS_TYPES,
    DIRECTNESS,
    ENTITY_KINDS,
    INTEREST_TYPES,
    OLD_INTEREST_TYPES,
    PERSON_TYPES,
    RECORD_STATUSES,
    RECORD_TYPES,
    STATEMENT_TYPES,
    UNSPECIFIED_REASONS,
    RecordType,
)
from ownergate.importers.bods_fields import Fields, Json, describe_type


@dataclass(frozen=True, slots=True)
class Party:
    """An entity or a person as stated; ``facts`` are (kind, detail) pairs kept aside."""

    kind: Kind
    name: str
    country: str | None
    legal_country: str | None
    status: str
    other_names: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]
    lei: str | None
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A relationship's subject or interested party: a reference or an unspecified reason.

    ``expects`` is the record type the reference must point to (0.2/0.3 say it with
    ``describedByEntityStatement``/``describedByPersonStatement``; a 0.4 subject is an entity).
    """

    field: str
    key: str | None = None
    expects: RecordType | None = None
    reason: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Interest:
    type: str  # "" when the statement gives none
    directness: str  # direct / indirect / unknown, "" when not stated
    share: Share
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class Relationship:
    subject: PartyRef
    interested: PartyRef
    interests: tuple[Interest, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """``key`` is what others refer to: the 0.4 ``recordId``, the 0.2/0.3 ``statementID``."""

    statement_id: str
    key: str
    record_type: RecordType
    has_records: bool  # 0.4 lifecycle (recordId/recordStatus) rather than replacesStatements
    status: str
    date: dt.datetime | None
    replaces: tuple[str, ...]
    version: str
    published: dt.datetime | None
    details: Party | Relationship
    file: str
    label: str
    seq: int


def parse_statement(value: Any, fields: Fields, seq: int) -> Statement:
    """Validate one statement (any supported version) and normalise it."""
    if not isinstance(value, dict):
        raise fields.error("", f"a statement must be a JSON object, got {describe_type(value)}")
    publication = fields.mapping(value, "publicationDetails")
    version = published = None
    if publication is not None:
        version = fields.text(publication, "publicationDetails.bodsVersion")
        published = fields.timestamp(publication, "publicationDetails.publicationDate")
    date = fields.timestamp(value, "statementDate")
    modern = "recordType" in value or "statementType" not in value
    replaces: tuple[str, ...] = ()
    if modern:
        statement_id = fields.text(value, "statementId", required=True) or ""
        record_type = RECORD_TYPES[_required_choice(fields, value, "recordType", RECORD_TYPES)]
        key = fields.text(value, "recordId", required=True) or ""
        status = fields.choice(value, "recordStatus", RECORD_STATUSES) or "new"
        details = fields.mapping(value, "recordDetails", required=True) or {}
    else:
        statement_id = key = fields.text(value, "statementID", required=True) or ""
        record_type = STATEMENT_TYPES[
            _required_choice(fields, value, "statementType", STATEMENT_TYPES)
        ]
        status, details = "new", value
        replaces = fields.strings(value, "replacesStatements")
    prefix = "recordDetails." if modern else ""
    return Statement(
        statement_id=statement_id,
        key=key,
        record_type=record_type,
        has_records=modern,
        status=status,
        date=date,
        replaces=replaces,
        version=version or ("0.4" if modern else "0.2/0.3"),
        published=published,
        details=_details(details, record_type, prefix, fields, modern=modern),
        file=fields.file,
        label=fields.record,
        seq=seq,
    )


def _required_choice(fields: Fields, value: Json, path: str, allowed: dict[str, RecordType]) -> str:
    return fields.choice(value, path, allowed, required=True) or ""


def _details(
    details: Json, record_type: RecordType, prefix: str, fields: Fields, *, modern: bool
) -> Party | Relationship:
    if record_type == "entity":
        return _entity(details, prefix, fields, modern=modern)
    if record_type == "person":
        return _person(details, prefix, fields)
    if modern:
        subject = _ref_04(details, f"{prefix}subject", fields, expects="entity")
        interested = _ref_04(details, f"{prefix}interestedParty", fields, expects=None)
    else:
        subject = _ref_02(details, "subject", fields)
        interested = _ref_02(details, "interestedParty", fields)
    interests = tuple(
        _interest(item, path, fields)
        for path, item in fields.objects(details, f"{prefix}interests")
    )
    return Relationship(subject, interested, interests)


def _entity(details: Json, prefix: str, fields: Fields, *, modern: bool) -> Party:
    kind = Kind.COMPANY
    entity_type: Any = details.get("entityType")
    if isinstance(entity_type, dict):  # 0.4: {type, subtype, details}
        code = fields.choice(entity_type, f"{prefix}entityType.type", ENTITY_KINDS)
    else:
        code = fields.choice(details, f"{prefix}entityType", ENTITY_KINDS)
    if code is not None:
        kind = ENTITY_KINDS[code]
    name = fields.text(details, f"{prefix}name") or ""
    other_names = fields.strings(details, f"{prefix}alternateNames")
    jurisdiction_key = "jurisdiction" if modern else "incorporatedInJurisdiction"
    jurisdiction = fields.jurisdiction(details, f"{prefix}{jurisdiction_key}")
    addresses = _addresses(details, prefix, fields)
    registered = addresses.get("registered")
    identifiers, lei = _identifiers(details, prefix, fields)
    dissolved = fields.date(details, f"{prefix}dissolutionDate")
    facts: list[tuple[str, str]] = []
    listing = fields.mapping(details, f"{prefix}publicListing")
    if listing is not None and fields.flag(listing, f"{prefix}publicListing.hasPublicListing"):
        # A stock-exchange listing, never ownergate's ``listed`` (that means deny-listed).
        facts.append(("public_listing", _markets(listing) or "publicly listed"))
    return Party(
        kind=kind,
        name=name,
        country=addresses.get("business") or registered or jurisdiction,
        legal_country=jurisdiction or registered,
        status="dissolved" if dissolved else "",
        other_names=other_names,
        identifiers=identifiers,
        lei=lei,
        facts=tuple(facts),
    )


def _person(details: Json, prefix: str, fields: Fields) -> Party:
    fields.choice(details, f"{prefix}personType", PERSON_TYPES)
    names: list[str] = []
    legal = ""
    for path, item in fields.objects(details, f"{prefix}names"):
        full = fields.text(item, f"{path}.fullName") or " ".join(
            part
            for part in (
                fields.text(item, f"{path}.givenName"),
                fields.text(item, f"{path}.familyName"),
            )
            if part
        )
        if full:
            names.append(full)
            if not legal and fields.text(item, f"{path}.type") == "legal":
                legal = full
    name = legal or (names[0] if names else "")
    nationalities = [
        code
        for path, item in fields.objects(details, f"{prefix}nationalities")
        if (code := fields.country(item, f"{path}.code"))
    ]
    addresses = _addresses(details, prefix, fields)
    residence = fields.mapping(details, f"{prefix}placeOfResidence")  # 0.2
    if residence is not None:
        addresses.setdefault(
            "residence", fields.address_country(residence, f"{prefix}placeOfResidence")
        )
    nationality = nationalities[0] if nationalities else None
    identifiers, _ = _identifiers(details, prefix, fields)
    return Party(
        kind=Kind.PERSON,
        name=name,
        country=addresses.get("residence") or nationality,
        legal_country=nationality,
        status="",
        other_names=tuple(n for n in dict.fromkeys(names) if n != name),
        identifiers=identifiers,
        lei=None,
        facts=tuple(("nationality", code) for code in nationalities[1:]),
    )


def _addresses(details: Json, prefix: str, fields: Fields) -> dict[str, str | None]:
    """The first country given for each address type."""
    found: dict[str, str | None] = {}
    for path, item in fields.objects(details, f"{prefix}addresses"):
        kind = fields.choice(item, f"{path}.type", ADDRESS_TYPES) or "unstated"
        country = fields.address_country(item, path)
        if country and not found.get(kind):
            found[kind] = country
    return found


def _identifiers(
    details: Json, prefix: str, fields: Fields
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    out: list[tuple[str, str]] = []
    lei = None
    for path, item in fields.objects(details, f"{prefix}identifiers"):
        value = fields.text(item, f"{path}.id")
        scheme = fields.text(item, f"{path}.scheme") or fields.text(item, f"{path}.schemeName")
        if not value:
            continue
        if scheme == "XI-LEI":
            lei = lei or fields.lei(value, f"{path}.id")
            out.append(("LEI", value))
        else:
            out.append((scheme or "", value))
    return tuple(out), lei


def _markets(listing: Json) -> str:
    """Exchange and ticker of each securities listing, best effort (free text)."""
    parts = []
    for item in listing.get("securitiesListings") or []:
        if isinstance(item, dict):
            market = item.get("stockExchangeName") or item.get("marketIdentifierCode")
            security = item.get("security")
            ticker = security.get("ticker") if isinstance(security, dict) else None
            text = " ".join(p for p in (market, ticker) if isinstance(p, str) and p)
            if text:
                parts.append(text)
    return "; ".join(parts)


def _ref_04(details: Json, path: str, fields: Fields, *, expects: RecordType | None) -> PartyRef:
    value = details.get(path.rpartition(".")[2])
    if isinstance(value, dict):
        return _unspecified(value, path, fields)
    key = fields.text(details, path, required=True) or ""
    return PartyRef(path, key=key, expects=expects)


def _ref_02(statement: Json, name: str, fields: Fields) -> PartyRef:
    party = fields.mapping(statement, name, required=True) or {}
    unspecified = fields.mapping(party, f"{name}.unspecified")
    if unspecified is not None:
        return _unspecified(unspecified, f"{name}.unspecified", fields)
    options: list[tuple[str, RecordType]] = [("describedByEntityStatement", "entity")]
    if name == "interestedParty":
        options.append(("describedByPersonStatement", "person"))
    for key, expects in options:
        ref = fields.text(party, f"{name}.{key}")
        if ref:
            return PartyRef(f"{name}.{key}", key=ref, expects=expects)
    wanted = " or ".join(key for key, _ in options)
    raise fields.error(name, f"gives no {wanted} and no unspecified reason")


def _unspecified(value: Json, path: str, fields: Fields) -> PartyRef:
    reason = fields.text(value, f"{path}.reason", required=True) or ""
    reason = _camel(reason)
    if reason not in UNSPECIFIED_REASONS:
        raise fields.error(f"{path}.reason", f"unknown unspecified reason {shown(reason)}")
    description = fields.text(value, f"{path}.description") or ""
    return PartyRef(path, reason=reason, description=description)


def _interest(item: Json, path: str, fields: Fields) -> Interest:
    raw_type = fields.text(item, f"{path}.type")
    kind = _interest_type(raw_type) if raw_type else ""
    if raw_type and kind not in INTEREST_TYPES:
        raise fields.error(f"{path}.type", f"unknown interest type {shown(raw_type)}")
    level_key = "directOrIndirect" if "directOrIndirect" in item else "interestLevel"  # 0.4 / 0.3
    directness = fields.choice(item, f"{path}.{level_key}", DIRECTNESS) or ""
    fields.flag(item, f"{path}.beneficialOwnershipOrControl")
    start = fields.date(item, f"{path}.startDate")
    end = fields.date(item, f"{path}.endDate")
    if start and end and end < start:
        raise fields.error(f"{path}.endDate", f"ends ({end}) before it starts ({start})")
    return Interest(kind, directness, fields.share(item, f"{path}.share"), start, end)


def _interest_type(code: str) -> str:
    code = _camel(code)
    return OLD_INTEREST_TYPES.get(code, code)


def _camel(code: str) -> str:
    """0.2 codelists used hyphens (``voting-rights``); later versions camelCase."""
    head, *rest = code.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
