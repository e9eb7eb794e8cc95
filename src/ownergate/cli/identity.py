"""Who a command that writes to the store acts as.

An API key (``--key``, else ``OWNERGATE_API_KEY``) makes the command act as that key's
principal, recorded as ``key:<prefix>`` exactly as the HTTP API records it, and its role
must allow the action. Without a key the command acts as the operating-system user who
runs it, recorded distinctly as ``cli:<user>``: whoever can run the command against the
store's database already holds its keys, but no one can name themselves someone else.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer

from ownergate.errors import ConfigError

if TYPE_CHECKING:
    from ownergate.store import Database, Role

KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="Act as this API key's principal (default: OWNERGATE_API_KEY; without one, "
        "as your operating-system user, recorded as cli:<user>).",
        show_default=False,
    ),
]


def os_actor() -> str:
    return f"cli:{getpass.getuser()}"


def acting_as(db: Database, key: str | None, needs: Role) -> str:
    """The actor name to record: the key's principal (checked against ``needs``) or the
    operating-system user."""
    plain = key if key is not None else os.environ.get("OWNERGATE_API_KEY") or None
    if plain is None:
        return os_actor()
    with db.read() as store:
        principal = store.api_keys.authenticate(plain)
    if principal is None:
        raise ConfigError("the API key is unknown or revoked")
    if not principal.role.allows(needs):
        raise ConfigError(
            f"the API key's role is {principal.role.value}; this needs {needs.value} or above"
        )
    return principal.actor
