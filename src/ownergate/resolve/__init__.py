"""Entity resolution: linking accounts to registry entities (pure computation, no I/O)."""

from ownergate.resolve.index import CandidateIndex, RegistryEntity
from ownergate.resolve.matching import (
    Candidate,
    Decisions,
    Method,
    Outcome,
    Resolution,
    Resolver,
    Subject,
    Thresholds,
    resolve,
)
from ownergate.resolve.names import NormalName, normalize_name, transliterate

__all__ = [
    "Candidate",
    "CandidateIndex",
    "Decisions",
    "Method",
    "NormalName",
    "Outcome",
    "RegistryEntity",
    "Resolution",
    "Resolver",
    "Subject",
    "Thresholds",
    "normalize_name",
    "resolve",
    "transliterate",
]
