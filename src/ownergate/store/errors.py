"""Errors the store raises on purpose, in the one ownergate hierarchy.

They carry no HTTP status: the API maps them (not found, conflict, forbidden). Malformed
values (a bad country code, a negative revenue) are ``ownergate.errors.InputError`` naming
the field.
"""

from __future__ import annotations

from ownergate.errors import OwnergateError


class NotFoundError(OwnergateError):
    """Raised when an account, policy version, snapshot, decision, override or key is asked
    for by an id the store does not hold."""


class ConflictError(OwnergateError):
    """Raised when a write contradicts what is stored: publishing a published policy,
    activating a draft, reviewing an override twice, revoking a revoked key."""


class PermissionDeniedError(OwnergateError):
    """Raised when a principal may not make a write whatever its role, such as approving
    its own request to allow an account (the two-person rule)."""


class UnauditedWriteError(OwnergateError):
    """Raised when ORM objects are changed outside a repository write, or inside a read
    transaction: every change to the store must append its audit row."""
