"""Explanations: the evidence behind a decision, and an offline verifier for it."""

from ownergate.explain.evidence import explain
from ownergate.explain.verify import verify

__all__ = ["explain", "verify"]
