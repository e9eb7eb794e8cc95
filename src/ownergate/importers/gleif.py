"""GLEIF importer: Level 1 LEI records, Level 2 relationships and reporting exceptions.

``read_gleif(paths)`` takes any mix of GLEIF files and tells each file's layout from its
content: golden-copy JSON (``{"records": [{"LEI": {"$": ...}}]}``, ``relations``,
``exceptions``), plain JSON in the schema's shape (a list of records, kinds may mix), GLEIF
API JSON (``{"data": [{"type": "lei-records", "attributes": ...}]}``), golden-copy CSV
(columns ``LEI``, ``Entity.LegalName``, ``Relationship.Period.1.startDate``,
``Exception.Reason.1`` ...), and XML (LEI-CDF 3.x, RR-CDF 2.x, RepEx), each plain or as the
one file in a zip. Fields in errors are named by their LEI-CDF / RR-CDF path (the CSV column
for CSV files); records by ``LEI <lei>`` or ``relationship <child> -> <parent>``, with the
line where the layout has lines. Later records replace earlier ones with the same key (LEI;
child, parent and type; LEI and exception category), so update files follow the files they
update and the same content given twice (XML and JSON) counts once.

Level 1 (LEI-CDF) -> ``EntityRecord``
    id = LEI (ISO 17442 check digits verified), name = LegalName, other names =
    OtherEntityNames and TransliteratedOtherEntityNames (previous, trading, non-Latin,
    auto-transliterated), ``legal_country`` = LegalAddress country, ``country`` =
    HeadquartersAddress country (the legal one when no HQ is given), identifiers = LEI and
    the registration-authority entity id under the authority's GLEIF code (``RA000665``).
    ``status`` is EntityStatus (ACTIVE / INACTIVE: whether the entity exists). The LEI's
    RegistrationStatus says how current the *data* is, not whether the entity exists, so it
    is kept as a fact ``registration_status`` (``LAPSED``, ``RETIRED``, ``ANNULLED`` ...)
    whenever it is not ``ISSUED``; a lapsed record is still the best statement there is.
    Kind: company for every category. An LEI is held by a legal entity or an individual
    *acting in a business capacity*, never as a natural person, so a sole proprietor is a
    business here. Government entities and international organisations are companies too:
    a policy's owner kinds also decide which entities of a region are barred themselves,
    and the service bars *organisations* of a region, so ``state``/``other`` would let a
    government body of a barred region through under the default policy. Any category
    but GENERAL is kept as a fact ``entity_category`` (FUND, BRANCH, SOLE_PROPRIETOR,
    RESIDENT_GOVERNMENT_ENTITY, INTERNATIONAL_ORGANIZATION).

Level 2 relationships (RR-CDF) -> holdings and facts
    ``IS_DIRECTLY_CONSOLIDATED_BY`` (child = StartNode, parent = EndNode) becomes a holding
    of the parent in the child. GLEIF states no percentage: a parent consolidates a child in
    its accounts when it *controls* it (IFRS 10, US GAAP ASC 810), which in the ordinary case
    is a majority of the voting rights, not any particular equity share. The
    ``ConsolidationRule`` turns that evidence into a share: by default the interval (50%,
    100%] of the **voting** rights. A stated RelationshipQuantifier is kept as a fact
    ``stated_quantifier`` only: the same full consolidation is published as ``1.00`` and as
    ``100.00`` PERCENTAGE. A policy counting equity only (the seed policy's ``basis``)
    ignores voting stakes: screen GLEIF data with ``equity_or_voting``, or set the rule's
    basis to equity.
    The holding's start and end come from the RELATIONSHIP_PERIOD (accounting and filing
    periods say when the accounts ran, not when control did). An ACTIVE relationship is a
    holding; an INACTIVE (or RETIRED) one is a holding only when its period gives an end
    date, so that evaluations before that date still see it; without an end date it would be
    counted as current forever, so it is kept as a fact ``direct_parent`` instead. A record
    registered in error (ANNULLED, DUPLICATE) or deleted in a delta file is only a fact. A
    LAPSED or otherwise not PUBLISHED registration is still a holding (the last statement
    stands) plus a ``direct_parent`` fact naming the registration status.
    ``IS_ULTIMATELY_CONSOLIDATED_BY`` is a fact ``ultimate_parent`` (related = the parent):
    a cross-check for the chain of direct parents, never a holding of its own (it would
    count the same control twice). ``IS_INTERNATIONAL_BRANCH_OF``, ``IS_FUND-MANAGED_BY``,
    ``IS_SUBFUND_OF`` and ``IS_FEEDER_TO`` are facts ``branch_of``, ``fund_managed_by``,
    ``subfund_of``, ``feeder_to``: a branch is the same legal person as its head office, a
    fund manager runs a fund without owning it, an umbrella fund's sub-funds and a feeder's
    master fund are investment arrangements, not ownership. Relationship nodes that are not
    LEIs (NodeIDType other than ``LEI``) are rejected: GLEIF publishes LEI-to-LEI links only.

Reporting exceptions (RepEx) -> facts
    Each is a fact ``reporting_exception`` on the LEI with detail ``DIRECT_PARENT: REASON``
    or ``ULTIMATE_PARENT: REASON`` (e.g. ``DIRECT_PARENT: NATURAL_PERSONS``: no parent is
    reported because natural persons control the entity), with any reference appended.

Validation: LEIs 20 characters [A-Z0-9] with valid check digits, countries ISO 3166-1
alpha-2, dates ISO 8601, status, category, type and reason values from the schemas. Note
that GLEIF has published a few LEIs that fail the check digits (22 in 399,203 of a recent
golden copy, all with the prefix 3912): such records are rejected and ``skip_invalid`` keeps
the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path
from typing import Any

from ownergate.domain.model import Basis
from ownergate.domain.shares import Share, ShareSyntaxError, parse_share
from ownergate.errors import ConfigError, InputError, shown
from ownergate.importers.gleif_csv import csv_field, from_csv
from ownergate.importers.gleif_map import (
    Control,
    lei_problem,
    map_exception,
    map_lei,
    map_relationship,
)
from ownergate.importers.gleif_read import records
from ownergate.importers.gleif_shape import RawRecord, RecordKind, Shaped, from_json, from_xml
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord, SourceBatch

__all__ = ["DEFAULT_RULE", "ConsolidationRule", "lei_problem", "read_gleif"]


@dataclass(frozen=True)
class ConsolidationRule:
    """The share a direct accounting consolidation stands for.

    Consolidation evidences control: under IFRS 10 and US GAAP a parent consolidates the
    entities it controls, ordinarily through a majority of the voting rights. So by default
    a consolidation is a stake in (``low``, ``high``] = (50%, 100%] of the ``voting`` rights,
    not an equity share. Bounds accept ``"0.5"``, ``"50%"``, fractions; ``basis`` accepts
    ``"voting"`` or ``"equity"``. Invalid settings raise ``ConfigError``.

    With ``equity_unknown`` (the default) a voting-basis consolidation also states an equity
    holding of unknown share: consolidation does not say how much of the equity the parent
    holds, only that it may be most of it. Under an equity-only policy (the seed policy) the
    subsidiary of a restricted parent therefore goes to review, never silently allowed;
    under ``basis = "equity_or_voting"`` the voting stake restricts it.
    """

    low: Fraction = Fraction(1, 2)
    high: Fraction = Fraction(1)
    low_exclusive: bool = True
    high_exclusive: bool = False
    basis: Basis = Basis.VOTING
    equity_unknown: bool = True

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, str | int | float | Fraction):
                raise ConfigError(f"consolidation {name}: expected a share such as 0.5 or '50%'")
            try:
                object.__setattr__(self, name, parse_share(value))
            except ShareSyntaxError as exc:
                raise ConfigError(f"consolidation {name}: {exc}") from None
        for name in ("low_exclusive", "high_exclusive", "equity_unknown"):
            object.__setattr__(self, name, _flag(name, getattr(self, name)))
        try:
            object.__setattr__(self, "basis", Basis(str(self.basis).lower()))
        except ValueError:
            known = ", ".join(b.value for b in Basis)
            raise ConfigError(f"consolidation basis {shown(self.basis)}: one of {known}") from None
        self.share  # noqa: B018 -- an empty or reversed interval is a setting error

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ConsolidationRule:
        """A rule from settings (TOML or command line), naming any unknown key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(
                f"unknown consolidation setting(s) {', '.join(unknown)}: "
                f"use {', '.join(sorted(known))}"
            )
        return cls(**options)

    @property
    def share(self) -> Share:
        try:
            return Share.between(
                self.low,
                self.high,
                low_exclusive=self.low_exclusive,
                high_exclusive=self.high_exclusive,
            )
        except ShareSyntaxError as exc:
            raise ConfigError(f"consolidation share: {exc}") from None


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigError(f"consolidation {name}: expected true or false, found {shown(value)}")


DEFAULT_RULE = ConsolidationRule()


def read_gleif(
    paths: Sequence[Path],
    *,
    skip_invalid: bool = False,
    rule: ConsolidationRule = DEFAULT_RULE,
) -> SourceBatch:
    """Read GLEIF files of any layout and kind into one batch (see the module docstring)."""
    batch = SourceBatch(source={"format": "gleif", "paths": [str(p) for p in paths]})
    control = Control(rule.share, rule.basis, rule.equity_unknown)
    entities: dict[str, tuple[EntityRecord, list[FactRecord]]] = {}
    relations: dict[tuple[str, ...], tuple[list[HoldingRecord], list[FactRecord]]] = {}
    exceptions: dict[tuple[str, ...], FactRecord] = {}
    files = []
    for path in paths:
        meta: dict[str, Any] = {"path": str(path)}
        counts: Counter[str] = Counter()
        for raw in records(Path(path), meta):
            shaped: Shaped | None = None
            try:
                shaped = _shape(raw)
                where = _where(shaped, raw)
                if shaped.kind is RecordKind.LEI:
                    entity, facts = map_lei(shaped.data, where)
                    _replace(entities, entity.id, (entity, facts))
                elif shaped.kind is RecordKind.RR:
                    mapped = map_relationship(shaped.data, where, control)
                    key = tuple(
                        _text(shaped.data, "Relationship", *k)
                        for k in (
                            ("StartNode", "NodeID"),
                            ("EndNode", "NodeID"),
                            ("RelationshipType",),
                        )
                    )
                    _replace(relations, key, mapped)
                else:
                    fact = map_exception(shaped.data, where)
                    category = _text(shaped.data, "ExceptionCategory")
                    _replace(exceptions, (fact.entity, category), fact)
                counts[shaped.kind.value] += 1
            except RecursionError:
                error = InputError("nested too deeply", file=str(path), record=_fallback(raw))
                batch.reject_or_raise(error, raw.text(), skip_invalid)
            except InputError as err:
                batch.reject_or_raise(_located(err, path, raw, shaped), raw.text(), skip_invalid)
        meta["records"] = dict(counts)
        files.append(meta)
    batch.entities = [e for e, _ in entities.values()]
    batch.holdings = [h for hs, _ in relations.values() for h in hs]
    batch.facts = [
        *(f for _, fs in entities.values() for f in fs),
        *(f for _, fs in relations.values() for f in fs),
        *exceptions.values(),
    ]
    batch.source["files"] = files
    batch.source["records"] = sum(sum(f["records"].values()) for f in files)
    batch.source["rejects"] = len(batch.rejects)
    batch.source["consolidation"] = {
        "share": rule.share.describe(),
        "basis": rule.basis.value,
        "equity_unknown": rule.equity_unknown,
    }
    return batch


def _shape(raw: RawRecord) -> Shaped:
    """The record in the common LEI-CDF shape, with its kind."""
    if raw.kind is not None and raw.layout == "xml":
        data = from_xml(raw.value)
        return Shaped(raw.kind, data if isinstance(data, dict) else {}, {})
    if raw.kind is not None and raw.layout == "csv":
        return from_csv(raw.kind, raw.header, raw.value)
    return from_json(raw.value)


def _replace(store: dict[Any, Any], key: Any, value: Any) -> None:
    """Later statements win, and take the later place (as the file order of updates)."""
    store.pop(key, None)
    store[key] = value


def _text(data: dict[str, Any], *keys: str) -> str:
    value: Any = data
    for k in keys:
        value = value.get(k) if isinstance(value, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _where(shaped: Shaped, raw: RawRecord) -> str:
    """How a user finds the record: line (where the layout has lines) and its key."""
    data = shaped.data
    if shaped.kind is RecordKind.RR:
        child = _text(data, "Relationship", "StartNode", "NodeID")
        parent = _text(data, "Relationship", "EndNode", "NodeID")
        key = f"relationship {_id(child)} -> {_id(parent)}" if child or parent else ""
    else:
        lei = _text(data, "LEI")
        key = f"LEI {_id(lei)}" if lei else ""
    line = f"line {raw.line}" if raw.line is not None else ""
    return ", ".join(p for p in (line, key) if p) or _fallback(raw)


def _id(value: str) -> str:
    """An id as printed in a record name: itself if plain, quoted and cut if not."""
    plain = value.isascii() and value.isalnum() and len(value) <= 40
    return value if plain else shown(value)


def _fallback(raw: RawRecord) -> str:
    return f"line {raw.line}" if raw.line is not None else f"record {raw.ordinal}"


def _located(err: InputError, path: Path, raw: RawRecord, shaped: Shaped | None) -> InputError:
    """The error with the file, the record and (for CSV) the column it names."""
    where = _where(shaped, raw) if shaped is not None else _fallback(raw)
    field = csv_field(shaped.columns, err.field) if shaped is not None else err.field
    return InputError(err.message, file=str(path), record=err.record or where, field=field)
