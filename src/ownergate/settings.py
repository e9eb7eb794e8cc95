"""Settings from ``OWNERGATE_*`` environment variables (pydantic-settings).

Built in entry points and passed in; the core never reads them.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ownergate"


class Settings(BaseSettings):
    """``OWNERGATE_POLICY``: the policy file used when a command is given no ``--policy``
    (default: the bundled seed policy). ``OWNERGATE_DATA_DIR``: where snapshots are kept
    (default: ``$XDG_DATA_HOME/ownergate``, else ``~/.local/share/ownergate``)."""

    model_config = SettingsConfigDict(env_prefix="OWNERGATE_", extra="ignore")

    policy: Path | None = None
    data_dir: Path = Field(default_factory=_default_data_dir)

    @field_validator("policy")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"OWNERGATE_POLICY names no file: {value}")
        return value
