"""The commands read ``OWNERGATE_DATA_DIR`` the same way: ``ingest`` writes where
``snapshots`` (and ``serve``) read, and an empty value is refused, not taken as the current
directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import ENTITIES, OWNERSHIP


def _cli(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ownergate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "120", **env},
        timeout=300,
    )


def test_ingest_and_snapshots_agree_on_a_tilde_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "OWNERGATE_DATA_DIR": "~/og"}
    env.pop("OWNERGATE_DATABASE_URL", None)
    made = _cli(
        "ingest", "interchange", ENTITIES, OWNERSHIP, "--snapshot", "s", cwd=tmp_path, **env
    )
    assert made.returncode == 0, made.stderr
    assert (home / "og" / "refs" / "s").is_file()
    assert not (tmp_path / "~").exists()
    listed = _cli("snapshots", cwd=tmp_path, **env)
    assert listed.returncode == 0 and " s " in listed.stdout


def test_the_cli_refuses_an_empty_data_dir(tmp_path: Path) -> None:
    empty = _cli("snapshots", cwd=tmp_path, OWNERGATE_DATA_DIR="")
    assert empty.returncode == 1
    assert "OWNERGATE_DATA_DIR is empty" in empty.stderr
    assert not (tmp_path / "refs").exists()
