"""Settings from ``OWNERGATE_*`` environment variables (pydantic-settings).

Built in entry points and passed in; the core never reads them.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ownergate.errors import shown


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return (Path(base).expanduser() / "ownergate").absolute()


class Settings(BaseSettings):
    """``OWNERGATE_POLICY``: the policy file used when a command is given no ``--policy``
    (default: the bundled seed policy). ``OWNERGATE_DATA_DIR``: where snapshots are kept
    (default: ``$XDG_DATA_HOME/ownergate``, else ``~/.local/share/ownergate``). Every path
    setting is resolved here, once: ``~`` expanded and made absolute; an empty one is refused.
    ``OWNERGATE_API_MAX_BODY_BYTES``: the largest request body the HTTP API reads (1 MiB).
    ``OWNERGATE_API_KEY_CACHE_SECONDS`` / ``OWNERGATE_API_KEY_CACHE_SIZE``: how long and how
    many authenticated API keys the server remembers (5 s, 1024; 0 s turns the cache off), so
    a key revoked by another process stops working within that many seconds.
    ``OWNERGATE_VERDICT_CACHE_SIZE`` / ``OWNERGATE_VERDICT_CACHE_SECONDS``: how many current
    verdicts the server keeps in memory (100,000; 0 turns the cache off) and for how long at
    most (300 s). A new decision, override review or account write drops the account's entry
    at once, whichever process wrote it (see ``ownergate.store.changes``).

    IP intelligence: ``OWNERGATE_IP_DATA_DIR``: where compiled IP data versions are kept
    (default: ``<data dir>/ip``). ``OWNERGATE_IP_BUNDLE_DIR``: the folder of IP data compiled
    at first use (default: ``data/ip`` of the ownergate checkout).
    ``OWNERGATE_IP_MMDB_COUNTRY`` / ``OWNERGATE_IP_MMDB_ASN`` / ``OWNERGATE_IP_MMDB_ANONYMOUS``:
    MaxMind GeoIP2/GeoLite2 Country (or City), ASN and Anonymous-IP ``.mmdb`` files, asked
    before the bundled data when set. ``OWNERGATE_IP_MAX_AGE_DAYS``: data older than this many
    days is reported as stale (180).

    Gate audit: ``OWNERGATE_GATE_AUDIT_DIR``: where each server process journals the denies
    and challenges it must not lose before they reach the store (default:
    ``<data dir>/gate-audit``; on local disk, one per host). ``OWNERGATE_GATE_AUDIT_QUEUE``:
    the sampled allows queued in memory at most (10,000; more are dropped).
    ``OWNERGATE_GATE_AUDIT_JOURNAL_BYTES``: the journal not yet in the store at most
    (256 MiB; past it a refusal is answered ``audit: failed``).

    ``OWNERGATE_TRUSTED_PROXIES``: the proxies (comma-separated addresses or CIDR networks)
    whose ``X-Forwarded-For`` is believed, by ``ownergate serve`` (uvicorn) and by
    ``GateMiddleware`` alike; empty (the default): none, the connection's peer is the
    client."""

    model_config = SettingsConfigDict(env_prefix="OWNERGATE_", extra="ignore")

    policy: Path | None = None
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    api_max_body_bytes: int = Field(default=1 << 20, ge=1)
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    api_key_cache_size: int = Field(default=1024, ge=1)
    ip_data_dir: Path | None = None
    ip_bundle_dir: Path | None = None
    ip_mmdb_country: Path | None = None
    ip_mmdb_asn: Path | None = None
    ip_mmdb_anonymous: Path | None = None
    ip_max_age_days: int = Field(default=180, ge=1)
    verdict_cache_size: int = Field(default=100_000, ge=0)
    verdict_cache_seconds: float = Field(default=300.0, gt=0, le=86_400)
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    gate_audit_dir: Path | None = None
    gate_audit_queue: int = Field(default=10_000, ge=1)
    gate_audit_journal_bytes: int = Field(default=256 << 20, ge=1 << 16)

    @property
    def gate_journal_dir(self) -> Path:
        """Where the gate journals the verdicts it must not lose (``gate-audit`` in the
        data directory unless ``OWNERGATE_GATE_AUDIT_DIR`` names one)."""
        return self.gate_audit_dir or self.data_dir / "gate-audit"

    @field_validator(
        "policy",
        "data_dir",
        "ip_data_dir",
        "ip_bundle_dir",
        "ip_mmdb_country",
        "ip_mmdb_asn",
        "ip_mmdb_anonymous",
        "gate_audit_dir",
        mode="before",
    )
    @classmethod
    def _resolved(cls, value: object, info: ValidationInfo) -> object:
        # Every entry point reads paths from here: ``~`` and relative paths are resolved
        # once, so that a command and the server never disagree on where the data is.
        if value is None:
            return None
        if isinstance(value, str | Path):
            text = str(value)
            if not text.strip():
                # Path("") is the current directory: a data dir nobody meant.
                raise ValueError(f"OWNERGATE_{str(info.field_name).upper()} is empty")
            return Path(text).expanduser().absolute()
        return value

    @field_validator("policy", "ip_mmdb_country", "ip_mmdb_asn", "ip_mmdb_anonymous")
    @classmethod
    def _file_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"OWNERGATE_{str(info.field_name).upper()} names no file: {value}")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("OWNERGATE_TRUSTED_PROXIES: a comma-separated list of networks")
        out = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            try:
                out.append(str(ipaddress.ip_network(text, strict=False)))
            except ValueError:
                raise ValueError(
                    f"OWNERGATE_TRUSTED_PROXIES: {shown(text)} is not an IP network or address"
                ) from None
        return tuple(out)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'ownergate.db'}"
        return self
