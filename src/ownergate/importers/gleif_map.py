"""GLEIF records, in their LEI-CDF shape, validated and turned into importer records.

Every layout reaches this module as the plain shape of the GLEIF XML schemas (element names
as keys, repeated elements as lists, text as strings; see ``gleif_shape``), so fields are
named by their LEI-CDF / RR-CDF / RepEx path whatever file they came from. The mapping
choices are explained in ``ownergate.importers.gleif``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.domain.model import Basis, Kind
from ownergate.domain.shares import Share
from ownergate.errors import InputError, shown
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord
from ownergate.limits import too_long

ENTITY_STATUS = frozenset({"ACTIVE", "INACTIVE", "NULL"})
LEI_REGISTRATION = frozenset(
    {
        "PENDING_VALIDATION",
        "ISSUED",
        "DUPLICATE",
        "LAPSED",
        "MERGED",
        "RETIRED",
        "ANNULLED",
        "CANCELLED",
        "TRANSFERRED",
        "PENDING_TRANSFER",
        "PENDING_ARCHIVAL",
    }
)
# Every LEI holder is an organisation acting in a business capacity: kind company, so that a
# policy barring organisations of a region bars it too (see the gleif module docstring).
CATEGORIES = frozenset(
    {
        "GENERAL",
        "FUND",
        "BRANCH",
        "SOLE_PROPRIETOR",
        "RESIDENT_GOVERNMENT_ENTITY",
        "INTERNATIONAL_ORGANIZATION",
    }
)
DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY"
RELATION_FACT = {
    DIRECT: "direct_parent",
    "IS_ULTIMATELY_CONSOLIDATED_BY": "ultimate_parent",
    "IS_INTERNATIONAL_BRANCH_OF": "branch_of",
    "IS_FUND-MANAGED_BY": "fund_managed_by",
    "IS_SUBFUND_OF": "subfund_of",
    "IS_FEEDER_TO": "feeder_to",
}
RELATIONSHIP_STATUS = frozenset({"ACTIVE", "INACTIVE"})
RR_REGISTRATION = frozenset(
    {
        "PENDING",
        "PUBLISHED",
        "DUPLICATE",
        "LAPSED",
        "RETIRED",
        "ANNULLED",
        "TRANSFERRED",
        "PENDING_TRANSFER",
        "PENDING_ARCHIVAL",
    }
)
# Registered in error: such a record says nothing about who consolidates whom.
RR_VOID = frozenset({"ANNULLED", "DUPLICATE"})
PERIOD_TYPES = frozenset({"RELATIONSHIP_PERIOD", "ACCOUNTING_PERIOD", "DOCUMENT_FILING_PERIOD"})
EXCEPTION_CATEGORY = {
    "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": "DIRECT_PARENT",
    "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": "ULTIMATE_PARENT",
}
EXCEPTION_REASONS = frozenset(
    {
        "NATURAL_PERSONS",
        "NON_CONSOLIDATING",
        "NO_KNOWN_PERSON",
        "NON_PUBLIC",
        "BINDING_LEGAL_COMMITMENTS",
        "LEGAL_OBSTACLES",
        "DISCLOSURE_DETRIMENTAL",
        "DETRIMENT_NOT_EXCLUDED",
        "CONSENT_NOT_OBTAINED",
        "NO_LEI",
    }
)
# Registration authority codes that name no authority (RA888888 "other", RA999999 "none").
_RA_OTHER, _RA_NONE = "RA888888", "RA999999"
_LEI = re.compile(r"[A-Z0-9]{20}")
_DIGITS = {ord(c): str(int(c, 36)) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}  # ISO 7064: A=10


def lei_problem(value: str) -> str | None:
    """Why ``value`` is not an ISO 17442 LEI, or None if it is one."""
    if not _LEI.fullmatch(value):
        return f"{shown(value)} is not an LEI: 20 characters A-Z, 0-9 expected"
    if int(value.translate(_DIGITS)) % 97 != 1:
        return f"LEI {value} fails its ISO 17442 check digits (mod 97 must be 1)"
    return None


def fail(message: str, field: str) -> NoReturn:
    raise InputError(message, field=field)


@dataclass(frozen=True)
class View:
    """Validated access to one record (or one item of a list in it) by LEI-CDF path."""

    data: dict[str, Any]
    prefix: str = ""

    def path(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str) -> Any:
        value: Any = self.data
        walked = self.prefix
        for key in name.split("."):
            if value is None:
                return None
            if not isinstance(value, dict):
                fail(f"expected an object, found {type(value).__name__}", walked)
            value = value.get(key)
            walked = f"{walked}.{key}" if walked else key
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.get(name)
        if value is not None and not isinstance(value, str):
            fail(f"expected text, found {type(value).__name__}", self.path(name))
        if value is not None and (problem := too_long(value)):
            fail(problem, self.path(name))
        text = value.strip() if value else None
        if not text and required:
            fail("missing", self.path(name))
        return text or None

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def enum(self, name: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in allowed:
            known = ", ".join(sorted(allowed))
            fail(f"unknown value {shown(value)}: one of {known}", self.path(name))
        return value

    def choice(self, name: str, allowed: Iterable[str]) -> str:
        """A required enumerated value."""
        value = self.enum(name, allowed, required=True)
        assert value is not None  # enum(required=True) fails first
        return value

    def lei(self, name: str) -> str:
        value = self.required(name)
        problem = lei_problem(value)
        if problem:
            fail(problem, self.path(name))
        return value

    def country(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not is_country_code(value):
            fail(f"country {shown(value)} is unknown: {country_hint(value)}", self.path(name))
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return dt.datetime.fromisoformat(value).date()
        except (ValueError, OverflowError):
            fail(f"{shown(value)} is not an ISO 8601 date", self.path(name))

    def items(self, name: str) -> list[tuple[str, Any]]:
        """The elements of a repeated field, each with its own path (``X[0]``)."""
        value = self.get(name)
        if value is None:
            return []
        values = value if isinstance(value, list) else [value]
        return [(f"{self.path(name)}[{i}]", item) for i, item in enumerate(values)]

    def objects(self, name: str) -> list[View]:
        views = []
        for path, item in self.items(name):
            if not isinstance(item, dict):
                fail(f"expected an object, found {type(item).__name__}", path)
            views.append(View(item, path))
        return views

    def texts(self, name: str, tag: str) -> list[str]:
        """Texts of a repeated field whose items are text or ``{tag: text, ...attributes}``."""
        out = []
        for path, item in self.items(name):
            value = item.get(tag) if isinstance(item, dict) else item
            if isinstance(value, str) and (problem := too_long(value)):
                fail(problem, path)
            if isinstance(value, str):
                if value.strip():
                    out.append(value.strip())
            elif value is not None:
                fail(f"expected text, found {type(value).__name__}", path)
        return out


def map_lei(record: dict[str, Any], where: str) -> tuple[EntityRecord, list[FactRecord]]:
    """A Level 1 LEI record: the entity, plus facts for a non-ISSUED registration and a
    category other than GENERAL."""
    v = View(record)
    lei = v.lei("LEI")
    name = v.required("Entity.LegalName")
    legal = v.country("Entity.LegalAddress.Country", required=True)
    hq = v.country("Entity.HeadquartersAddress.Country") or legal
    status = v.choice("Entity.EntityStatus", ENTITY_STATUS)
    registration = v.choice("Registration.RegistrationStatus", LEI_REGISTRATION)
    category = v.enum("Entity.EntityCategory", CATEGORIES)
    names = v.texts("Entity.OtherEntityNames", "OtherEntityName") + v.texts(
        "Entity.TransliteratedOtherEntityNames", "TransliteratedOtherEntityName"
    )
    others = tuple(dict.fromkeys(n for n in names if n != name))
    entity = EntityRecord(
        id=lei,
        record=where,
        name=name,
        kind=Kind.COMPANY,
        country=hq,
        legal_country=legal,
        status=status,
        other_names=others,
        identifiers=(("LEI", lei), *_authority(v)),
    )
    facts = []
    if registration != "ISSUED":
        facts.append(FactRecord(lei, "registration_status", registration, where))
    if category not in (None, "GENERAL"):
        facts.append(FactRecord(lei, "entity_category", str(category), where))
    return entity, facts


def _authority(v: View) -> list[tuple[str, str]]:
    """The entity's id at its registration authority, under the authority's GLEIF code."""
    entity_id = v.text("Entity.RegistrationAuthority.RegistrationAuthorityEntityID")
    authority = v.text("Entity.RegistrationAuthority.RegistrationAuthorityID")
    if entity_id is None or authority in (None, _RA_NONE):
        return []
    if authority == _RA_OTHER:
        authority = v.text("Entity.RegistrationAuthority.OtherRegistrationAuthorityID") or authority
    return [(str(authority), entity_id)]


@dataclass(frozen=True)
class Control:
    """What an accounting consolidation stands for in the holdings (see ConsolidationRule)."""

    share: Share
    basis: Basis
    equity_unknown: bool = False


def map_relationship(
    record: dict[str, Any], where: str, control: Control
) -> tuple[list[HoldingRecord], list[FactRecord]]:
    """A Level 2 relationship record: a holding for a current (or dated) direct
    consolidation, a fact for everything else."""
    v = View(record)
    child = v.lei("Relationship.StartNode.NodeID")
    parent = v.lei("Relationship.EndNode.NodeID")
    for node in ("StartNode", "EndNode"):
        id_type = v.text(f"Relationship.{node}.NodeIDType")
        if id_type not in (None, "LEI"):
            fail(
                f"node id type {shown(id_type)} is not supported: GLEIF relationships link LEIs",
                f"Relationship.{node}.NodeIDType",
            )
    if child == parent:
        fail("an entity cannot be its own parent", "Relationship.EndNode.NodeID")
    relation = v.choice("Relationship.RelationshipType", RELATION_FACT)
    status = v.choice("Relationship.RelationshipStatus", RELATIONSHIP_STATUS)
    registration = v.choice("Registration.RegistrationStatus", RR_REGISTRATION)
    start, end = _relationship_period(v)
    deleted = v.date("Extension.Deletion.DeletedAt")

    state = [status]
    if start:
        state.append(f"from {start.isoformat()}")
    if end:
        state.append(f"until {end.isoformat()}")
    if registration != "PUBLISHED":
        state.append(f"registration {registration}")
    if deleted:
        state.append(f"record deleted {deleted.isoformat()}")
    detail = ", ".join(state)
    kind = RELATION_FACT[relation]
    facts = [
        FactRecord(child, "stated_quantifier", q, where, related=parent) for q in _quantifiers(v)
    ]
    if relation != DIRECT:
        return [], [FactRecord(child, kind, detail, where, related=parent), *facts]

    why_not = None
    if deleted:
        why_not = "the record was deleted"
    elif registration in RR_VOID:
        why_not = f"registration {registration}"
    elif end is None and (status == "INACTIVE" or registration == "RETIRED"):
        why_not = "no longer current and no end date stated"
    if why_not:
        fact = FactRecord(
            child, kind, f"{detail}; not counted as control: {why_not}", where, parent
        )
        return [], [fact, *facts]
    if registration != "PUBLISHED":
        facts.append(FactRecord(child, kind, detail, where, related=parent))
    holding = HoldingRecord(
        owner=parent,
        owned=child,
        share=control.share,
        record=where,
        relation=relation,
        basis=control.basis,
        start=start,
        end=end,
    )
    if control.basis is Basis.VOTING and control.equity_unknown:
        equity = replace(holding, share=Share.unknown(), basis=Basis.EQUITY)
        return [holding, equity], facts
    return [holding], facts


def _relationship_period(v: View) -> tuple[dt.date | None, dt.date | None]:
    """The span of the RELATIONSHIP_PERIODs: earliest start to latest end (open if any is).

    One holding covers them all: overlapping holdings of one parent would add up."""
    starts: list[dt.date | None] = []
    ends: list[dt.date | None] = []
    for period in v.objects("Relationship.RelationshipPeriods"):
        kind = period.choice("PeriodType", PERIOD_TYPES)
        start, end = period.date("StartDate"), period.date("EndDate")
        if kind != "RELATIONSHIP_PERIOD":
            if start and end and end < start:
                fail(f"end {end} is before start {start}", period.path("EndDate"))
            continue
        if start and end and end <= start:
            fail(f"end {end} is not after start {start}", period.path("EndDate"))
        starts.append(start)
        ends.append(end)
    if not starts:
        return None, None
    first = None if None in starts else min(d for d in starts if d)
    last = None if None in ends else max(d for d in ends if d)
    if first and last and last <= first:
        fail(f"end {last} is not after start {first}", "Relationship.RelationshipPeriods")
    return first, last


def _quantifiers(v: View) -> list[str]:
    """Stated quantifiers, kept as text: GLEIF publishes both ``1.00`` and ``100.00``
    PERCENTAGE for a full consolidation, so the number is evidence, not a share."""
    out = []
    for q in v.objects("Relationship.RelationshipQuantifiers"):
        parts = [q.text("MeasurementMethod"), q.text("QuantifierAmount"), q.text("QuantifierUnits")]
        if any(parts):
            out.append(" ".join(p for p in parts if p))
    return out


def map_exception(record: dict[str, Any], where: str) -> FactRecord:
    """A reporting exception: why no parent is reported, as ``DIRECT_PARENT: REASON``."""
    v = View(record)
    lei = v.lei("LEI")
    category = v.choice("ExceptionCategory", EXCEPTION_CATEGORY)
    reasons = v.texts("ExceptionReason", "ExceptionReason")
    if not reasons:
        fail("missing", "ExceptionReason")
    for i, reason in enumerate(reasons):
        if reason not in EXCEPTION_REASONS:
            known = ", ".join(sorted(EXCEPTION_REASONS))
            fail(f"unknown value {shown(reason)}: one of {known}", f"ExceptionReason[{i}]")
    detail = f"{EXCEPTION_CATEGORY[category]}: {', '.join(reasons)}"
    references = v.texts("ExceptionReference", "ExceptionReference")
    if references:
        detail += f" (reference: {'; '.join(references)})"
    deleted = v.date("Extension.Deletion.DeletedAt")
    if deleted:
        detail += f" (record deleted {deleted.isoformat()})"
    return FactRecord(lei, "reporting_exception", detail, where)
