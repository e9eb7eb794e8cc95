"""The one exception hierarchy of ownergate.

Domain errors carry no HTTP status or exit code: adapters map them (the CLI to exit codes).
"""

from __future__ import annotations

import re

SHOWN_LIMIT = 200
# What a terminal or log reader acts on: C0 and C1 controls (ESC starts a terminal escape,
# CR and LF start a line), the Unicode line and paragraph separators, and the bidirectional
# overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """A value as every error message shows it: ``repr``-escaped (a newline, ESC or
    separator in it cannot start another line or move the cursor) and cut to about
    ``limit`` characters, with the full length said."""
    if isinstance(value, str | bytes) and len(value) > limit:
        return f"{repr(value[:limit])[: limit + 2]}... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


def one_line(text: str, limit: int = 4 * SHOWN_LIMIT) -> str:
    """A message as one line: control characters escaped, whitespace runs collapsed, cut
    to ``limit`` characters. The last guard before a message reaches a terminal or a log,
    for text that did not pass through ``shown``."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        return one_line(f"{where}: {self.message}" if where else self.message)


class NameTakenError(InputError):
    """Raised when a name that must be new (a snapshot's) is taken already; names it."""


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
