"""``Settings`` resolves every path once: ``~`` expanded, made absolute, empty refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ownergate.settings import Settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    for name in ("OWNERGATE_DATA_DIR", "OWNERGATE_DATABASE_URL", "OWNERGATE_IP_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_a_tilde_in_the_data_dir_is_the_home_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNERGATE_DATA_DIR", "~/og")
    settings = Settings()
    assert settings.data_dir == home / "og"
    assert settings.database_url == f"sqlite:///{home / 'og' / 'ownergate.db'}"


def test_a_relative_data_dir_is_made_absolute_once(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNERGATE_DATA_DIR", "rel/og")
    settings = Settings()
    assert settings.data_dir.is_absolute()
    assert settings.data_dir == home.parent / "rel" / "og"


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_data_dir_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OWNERGATE_DATA_DIR", value)
    with pytest.raises(ValidationError, match="OWNERGATE_DATA_DIR is empty"):
        Settings()


def test_other_paths_are_expanded_too(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "p.toml").write_text("")
    monkeypatch.setenv("OWNERGATE_IP_DATA_DIR", "~/ip")
    monkeypatch.setenv("OWNERGATE_IP_BUNDLE_DIR", "~/bundle")
    monkeypatch.setenv("OWNERGATE_POLICY", "~/p.toml")
    settings = Settings()
    assert settings.ip_data_dir == home / "ip"
    assert settings.ip_bundle_dir == home / "bundle"
    assert settings.policy == home / "p.toml"
