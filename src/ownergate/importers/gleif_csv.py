"""Golden-copy CSV rows in the common LEI-CDF shape (see ``gleif_shape``).

GLEIF's CSV flattens the schema into dotted columns (``Entity.LegalAddress.Country``) and
numbers repeated elements (``Entity.OtherEntityNames.OtherEntityName.1.type``,
``Relationship.Period.2.startDate``, ``Exception.Reason.1``). Each row is rebuilt as the
nested record, remembering which column every field came from so that errors name the
column the user sees.
"""

from __future__ import annotations

from typing import Any

from ownergate.errors import InputError
from ownergate.importers.gleif_shape import RecordKind, Shaped

# Golden-copy CSV columns of repeated elements: ``<prefix>.<n><suffix>``.
_SERIES: dict[RecordKind, list[tuple[str, str, dict[str, str]]]] = {
    RecordKind.LEI: [
        (
            "Entity.OtherEntityNames",
            "Entity.OtherEntityNames.OtherEntityName",
            {"OtherEntityName": "", "type": ".type"},
        ),
        (
            "Entity.TransliteratedOtherEntityNames",
            "Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName",
            {"TransliteratedOtherEntityName": "", "type": ".type"},
        ),
    ],
    RecordKind.RR: [
        (
            "Relationship.RelationshipPeriods",
            "Relationship.Period",
            {"StartDate": ".startDate", "EndDate": ".endDate", "PeriodType": ".periodType"},
        ),
        (
            "Relationship.RelationshipQuantifiers",
            "Relationship.Quantifiers",
            {
                "MeasurementMethod": ".MeasurementMethod",
                "QuantifierAmount": ".QuantifierAmount",
                "QuantifierUnits": ".QuantifierUnits",
            },
        ),
    ],
    RecordKind.REPEX: [],
}
_PLAIN: dict[RecordKind, list[str]] = {
    RecordKind.LEI: [
        "LEI",
        "Entity.LegalName",
        "Entity.LegalAddress.Country",
        "Entity.HeadquartersAddress.Country",
        "Entity.RegistrationAuthority.RegistrationAuthorityID",
        "Entity.RegistrationAuthority.OtherRegistrationAuthorityID",
        "Entity.RegistrationAuthority.RegistrationAuthorityEntityID",
        "Entity.EntityCategory",
        "Entity.EntityStatus",
        "Registration.RegistrationStatus",
    ],
    RecordKind.RR: [
        "Relationship.StartNode.NodeID",
        "Relationship.StartNode.NodeIDType",
        "Relationship.EndNode.NodeID",
        "Relationship.EndNode.NodeIDType",
        "Relationship.RelationshipType",
        "Relationship.RelationshipStatus",
        "Registration.RegistrationStatus",
    ],
    RecordKind.REPEX: ["LEI"],
}
REQUIRED_COLUMNS = {
    RecordKind.LEI: ["LEI", "Entity.LegalName", "Entity.LegalAddress.Country"],
    RecordKind.RR: [
        "Relationship.StartNode.NodeID",
        "Relationship.EndNode.NodeID",
        "Relationship.RelationshipType",
        "Relationship.RelationshipStatus",
    ],
    RecordKind.REPEX: ["LEI"],
}
# Reporting exceptions: the golden copy writes ``Exception.Category``; older extracts
# ``ExceptionCategory``.
_REPEX_STEMS = ("Exception.", "Exception")


def csv_kind(header: list[str]) -> RecordKind | None:
    columns = set(header)
    if "Relationship.StartNode.NodeID" in columns:
        return RecordKind.RR
    if columns & {"Exception.Category", "ExceptionCategory"}:
        return RecordKind.REPEX
    if {"LEI", "Entity.LegalName"} <= columns:
        return RecordKind.LEI
    return None


def from_csv(kind: RecordKind, header: list[str], row: list[str]) -> Shaped:
    if len(row) != len(header):
        raise InputError(f"expected {len(header)} columns, found {len(row)}")
    cells = {h: c for h, c in zip(header, row, strict=True) if c.strip()}
    names = set(header)
    data: dict[str, Any] = {}
    columns: dict[str, str] = {}

    def put(path: str, value: Any) -> None:
        *parents, last = path.split(".")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value

    for column in _PLAIN[kind]:
        columns[column] = column
        if column in cells:
            put(column, cells[column])
    for path, prefix, parts in _SERIES[kind]:
        items: list[dict[str, str]] = []
        n = 1
        while any(f"{prefix}.{n}{suffix}" in names for suffix in parts.values()):
            found = {
                k: cells[f"{prefix}.{n}{s}"]
                for k, s in parts.items()
                if f"{prefix}.{n}{s}" in cells
            }
            if found:
                for k, s in parts.items():
                    columns[f"{path}[{len(items)}].{k}"] = f"{prefix}.{n}{s}"
                    columns[f"{path}[{len(items)}]"] = f"{prefix}.{n}"
                items.append(found)
            n += 1
        put(path, items)
    if kind is RecordKind.REPEX:
        stem = next(s for s in _REPEX_STEMS if f"{s}Category" in names)
        columns["ExceptionCategory"] = f"{stem}Category"
        if f"{stem}Category" in cells:
            data["ExceptionCategory"] = cells[f"{stem}Category"]
        for name in ("Reason", "Reference"):
            values: list[str] = []
            n = 1
            while f"{stem}{name}.{n}" in names:
                if f"{stem}{name}.{n}" in cells:
                    columns[f"Exception{name}[{len(values)}]"] = f"{stem}{name}.{n}"
                    values.append(cells[f"{stem}{name}.{n}"])
                n += 1
            columns[f"Exception{name}"] = f"{stem}{name}.1"
            data[f"Exception{name}"] = values
    return Shaped(kind, data, columns)


def csv_field(columns: dict[str, str], field: str | None) -> str | None:
    """The CSV column of an LEI-CDF path (the path itself if no column holds it)."""
    return None if field is None else columns.get(field, field)
