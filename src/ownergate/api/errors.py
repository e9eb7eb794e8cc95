"""Errors the API layer raises itself; like every ownergate error they carry no HTTP status
(``ownergate.api.problems`` maps them)."""

from __future__ import annotations

from typing import Literal

from ownergate.errors import OwnergateError


class AuthenticationError(OwnergateError):
    """Raised when a request carries no API key, or one nobody issued (or since revoked)."""

    def __init__(self, message: str, *, reason: Literal["missing", "invalid"]) -> None:
        self.reason = reason
        super().__init__(message)


class PermissionDeniedError(OwnergateError):
    """Raised when an authenticated caller's role is below the one an operation needs."""
