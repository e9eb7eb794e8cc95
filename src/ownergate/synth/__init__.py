"""Synthetic ownership registries for demos, tests and benchmarks (deterministic per seed)."""

from ownergate.synth.registry import (
    ENTITY_SCHEMA,
    OWNERSHIP_SCHEMA,
    generate_registry,
    write_registry,
)

__all__ = ["ENTITY_SCHEMA", "OWNERSHIP_SCHEMA", "generate_registry", "write_registry"]
