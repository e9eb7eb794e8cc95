"""The one exception hierarchy of ownergate.

Domain errors carry no HTTP status or exit code: adapters map them (the CLI to exit codes).
"""

from __future__ import annotations


class OwnergateError(Exception):
    """Root of every error ownergate raises on purpose."""


class ConfigError(OwnergateError):
    """Raised when settings or command options are inconsistent or unsafe."""


class InputError(OwnergateError):
    """Raised when a data file or record is malformed.

    Names the file, the record (CSV line, Parquet row or JSON Lines line) and the field, so
    the user can find and fix the value; ``str()`` is a single line.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                self.record,
                f"field '{self.field}'" if self.field else None,
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class PolicyError(InputError):
    """Raised when a policy file or policy value is invalid; names the offending key."""


class GraphError(OwnergateError):
    """Raised when an ownership graph violates an invariant the engine relies on."""


class ConvergenceError(GraphError):
    """Raised when a numerical solve inside a cross-holding component fails its check."""


class UnknownEntityError(OwnergateError):
    """Raised when an entity id asked for is not in the registry."""


class IpAddressError(InputError):
    """Raised when a value given as an IP address is not an IPv4 or IPv6 address; names it."""
