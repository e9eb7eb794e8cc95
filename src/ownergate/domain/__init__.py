"""Domain vocabulary: entities, holdings, shares and decisions (no I/O)."""

from ownergate.domain.model import (
    Basis,
    Decision,
    Entity,
    Holding,
    Kind,
    Reason,
    Status,
)
from ownergate.domain.shares import Share, parse_share

__all__ = [
    "Basis",
    "Decision",
    "Entity",
    "Holding",
    "Kind",
    "Reason",
    "Share",
    "Status",
    "parse_share",
]
