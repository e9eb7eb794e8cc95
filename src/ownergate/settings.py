"""Settings from ``OWNERGATE_*`` environment variables (pydantic-settings).

Built in entry points and passed in; the core never reads them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """``OWNERGATE_POLICY``: the policy file used when a command is given no ``--policy``
    (default: the bundled seed policy)."""

    model_config = SettingsConfigDict(env_prefix="OWNERGATE_", extra="ignore")

    policy: Path | None = None

    @field_validator("policy")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"OWNERGATE_POLICY names no file: {value}")
        return value
