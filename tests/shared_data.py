"""Real public datasets kept beside the project (``../shared/data``), for tests that read them.

``OWNERGATE_SHARED_DATA`` points elsewhere; a test that needs a missing folder is skipped
with the reason, never counted as passed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def shared_data(folder: str) -> Path:
    """``../shared/data/<folder>``, or skip the calling test saying what is missing."""
    base = Path(os.environ.get("OWNERGATE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    path = base / folder
    if not path.is_dir():
        pytest.skip(f"real dataset {folder!r} not found under {base} (set OWNERGATE_SHARED_DATA)")
    return path
