"""The interchange format: entities, ownership and policy in; decisions out.

Files are CSV, Parquet or JSON Lines (chosen by extension). Readers are strict: every bad
value raises ``InputError`` naming the file, the record (CSV/JSON Lines line, Parquet row)
and the field.
"""

from __future__ import annotations

from ownergate.interchange.decisions import DECISION_COLUMNS, write_decisions
from ownergate.interchange.entities import (
    COUNTRY_VOCAB,
    ENTITY_COLUMNS,
    EntityIndex,
    read_entities,
    read_entities_indexed,
)
from ownergate.interchange.files import file_format
from ownergate.interchange.ownership import (
    OWNERSHIP_COLUMNS,
    parse_shares,
    read_ownership,
    read_registry,
)
from ownergate.interchange.policy_file import read_policy

__all__ = [
    "COUNTRY_VOCAB",
    "DECISION_COLUMNS",
    "ENTITY_COLUMNS",
    "OWNERSHIP_COLUMNS",
    "EntityIndex",
    "file_format",
    "parse_shares",
    "read_entities",
    "read_entities_indexed",
    "read_ownership",
    "read_policy",
    "read_registry",
    "write_decisions",
]
