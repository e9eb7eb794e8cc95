"""Every GLEIF layout in one shape: the plain JSON form of the GLEIF XML schemas.

Keys are element names (``Entity``, ``LegalAddress``, ``Country``), text is a string,
repeated elements are lists, and a repeated element that carries attributes becomes
``{"OtherEntityName": text, "type": ...}`` (the shape of the bodspipelines JSON fixtures).
XML, golden-copy JSON (``{"$": text, "@type": ...}``) and GLEIF API records
(``attributes.entity.legalName.name``) are brought to it here, golden-copy CSV rows in
``gleif_csv``, so that one mapping validates every layout.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ownergate.errors import InputError, shown

# Container element -> its repeated item element.
LIST_CONTAINERS = {
    "OtherEntityNames": "OtherEntityName",
    "TransliteratedOtherEntityNames": "TransliteratedOtherEntityName",
    "OtherAddresses": "OtherAddress",
    "TransliteratedOtherAddresses": "TransliteratedOtherAddress",
    "LegalEntityEvents": "LegalEntityEvent",
    "AffectedFields": "AffectedField",
    "OtherValidationAuthorities": "OtherValidationAuthority",
    "SuccessorEntities": "SuccessorEntity",
    "RelationshipPeriods": "RelationshipPeriod",
    "RelationshipQualifiers": "RelationshipQualifier",
    "RelationshipQuantifiers": "RelationshipQuantifier",
}


class RecordKind(StrEnum):
    LEI = "lei"  # Level 1 LEI-CDF record
    RR = "rr"  # Level 2 relationship record
    REPEX = "repex"  # Level 2 reporting exception


@dataclass
class RawRecord:
    """One record as read, before it is brought to the common shape.

    ``kind`` is known from the file for XML and CSV; a JSON file may mix kinds.
    ``text`` gives the record's own text (for rejects) while it is still being read."""

    layout: str  # "xml", "json" or "csv"
    value: Any
    line: int | None
    ordinal: int
    text: Callable[[], str]
    kind: RecordKind | None = None
    header: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Shaped:
    kind: RecordKind
    data: dict[str, Any]
    columns: dict[str, str]  # LEI-CDF path -> CSV column, to name CSV fields as the file does


# --- XML ------------------------------------------------------------------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def from_xml(elem: ET.Element) -> Any:
    children = list(elem)
    if not children:
        return (elem.text or "").strip()
    if local(elem.tag) in LIST_CONTAINERS:
        return [_xml_item(child) for child in children]
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        key, value = local(child.tag), from_xml(child)
        if key not in out:
            out[key] = value
        elif key in repeated:
            out[key].append(value)
        else:
            out[key] = [out[key], value]
            repeated.add(key)
    return out


def _xml_item(elem: ET.Element) -> Any:
    if len(elem) == 0 and elem.attrib:
        item: dict[str, Any] = {local(k): v for k, v in elem.attrib.items()}
        item[local(elem.tag)] = (elem.text or "").strip()
        return item
    return from_xml(elem)


# --- JSON -----------------------------------------------------------------------------------


def from_json(record: Any) -> Shaped:
    if not isinstance(record, dict):
        raise InputError(f"expected a GLEIF record (an object), found {type(record).__name__}")
    if isinstance(record.get("attributes"), dict) and isinstance(record.get("type"), str):
        return _from_api(record["type"], record["attributes"])
    data = unwrap(record)
    if "Relationship" in data:
        return Shaped(RecordKind.RR, data, {})
    if "ExceptionCategory" in data or "ExceptionReason" in data:
        return Shaped(RecordKind.REPEX, data, {})
    if "Entity" in data or "LEI" in data:
        return Shaped(RecordKind.LEI, data, {})
    raise InputError(
        "not a GLEIF record: expected 'LEI' and 'Entity', 'Relationship', or 'ExceptionCategory'"
    )


def unwrap(value: Any, key: str = "") -> Any:
    """Golden-copy JSON (``{"$": text}``, ``{"OtherEntityNames": {"OtherEntityName": [..]}}``,
    ``gleif:`` prefixed extension keys) in the common shape; plain JSON passes unchanged."""
    if isinstance(value, list):
        if key in LIST_CONTAINERS:
            return [_json_item(LIST_CONTAINERS[key], v) for v in value]
        return [unwrap(v, key) for v in value]
    if not isinstance(value, dict):
        return value
    if "$" in value:
        return value["$"]
    item = LIST_CONTAINERS.get(key)
    if item is not None and list(value) == [item]:
        inner = value[item]
        return [_json_item(item, v) for v in (inner if isinstance(inner, list) else [inner])]
    out = {}
    for k, v in value.items():
        if k[:1] != "@":
            name = k.rsplit(":", 1)[-1] if ":" in k else k
            out[name] = v["$"] if type(v) is dict and "$" in v else unwrap(v, name)
    return out


def _json_item(tag: str, value: Any) -> Any:
    if isinstance(value, dict) and "$" in value:
        item = {k[1:].rsplit(":", 1)[-1]: v for k, v in value.items() if k.startswith("@")}
        item[tag] = value["$"]
        return item
    return unwrap(value, tag)


def _from_api(kind: str, attrs: dict[str, Any]) -> Shaped:
    """A record of the GLEIF API (``api.gleif.org/api/v1``: ``lei-records``,
    ``relationship-records``, ``reporting-exceptions``)."""
    if kind == "lei-records":
        return Shaped(RecordKind.LEI, _api_lei(attrs), {})
    if kind == "relationship-records":
        return Shaped(RecordKind.RR, _api_relationship(attrs), {})
    if kind == "reporting-exceptions":
        return Shaped(RecordKind.REPEX, _api_exception(attrs), {})
    raise InputError(f"GLEIF API record type {shown(str(kind)[:40])} is not imported", field="type")


def _obj(parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"expected an object, found {type(value).__name__}", field=path)
    return value


def _objs(parent: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError("expected a list of objects", field=path)
    return value


def _api_lei(a: dict[str, Any]) -> dict[str, Any]:
    e = _obj(a, "entity", "attributes.entity")
    legal_name = e.get("legalName")
    if isinstance(legal_name, dict):
        legal_name = legal_name.get("name")
    ra = _obj(e, "registeredAt", "attributes.entity.registeredAt")

    def names(key: str, tag: str) -> list[dict[str, Any]]:
        path = f"attributes.entity.{key}"
        return [{tag: n.get("name"), "type": n.get("type")} for n in _objs(e, key, path)]

    return {
        "LEI": a.get("lei"),
        "Entity": {
            "LegalName": legal_name,
            "OtherEntityNames": names("otherNames", "OtherEntityName"),
            "TransliteratedOtherEntityNames": names(
                "transliteratedOtherNames", "TransliteratedOtherEntityName"
            ),
            "LegalAddress": {
                "Country": _obj(e, "legalAddress", "attributes.entity.legalAddress").get("country")
            },
            "HeadquartersAddress": {
                "Country": _obj(
                    e, "headquartersAddress", "attributes.entity.headquartersAddress"
                ).get("country")
            },
            "RegistrationAuthority": {
                "RegistrationAuthorityID": ra.get("id"),
                "OtherRegistrationAuthorityID": ra.get("other"),
                "RegistrationAuthorityEntityID": e.get("registeredAs"),
            },
            "EntityCategory": e.get("category"),
            "EntityStatus": e.get("status"),
        },
        "Registration": {
            "RegistrationStatus": _obj(a, "registration", "attributes.registration").get("status")
        },
    }


def _api_relationship(a: dict[str, Any]) -> dict[str, Any]:
    r = _obj(a, "relationship", "attributes.relationship")

    def node(key: str) -> dict[str, Any]:
        n = _obj(r, key, f"attributes.relationship.{key}")
        return {"NodeID": n.get("id"), "NodeIDType": n.get("type")}

    periods = [
        {"StartDate": p.get("startDate"), "EndDate": p.get("endDate"), "PeriodType": p.get("type")}
        for p in _objs(r, "periods", "attributes.relationship.periods")
    ]
    return {
        "Relationship": {
            "StartNode": node("startNode"),
            "EndNode": node("endNode"),
            "RelationshipType": r.get("type"),
            "RelationshipStatus": r.get("status"),
            "RelationshipPeriods": periods,
        },
        "Registration": {
            "RegistrationStatus": _obj(a, "registration", "attributes.registration").get("status")
        },
        "Extension": {
            "Deletion": {"DeletedAt": _obj(a, "extension", "attributes.extension").get("deletedAt")}
        },
    }


def _api_exception(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "LEI": a.get("lei"),
        "ExceptionCategory": a.get("category"),
        "ExceptionReason": a.get("reason"),
        "ExceptionReference": a.get("reference"),
    }
