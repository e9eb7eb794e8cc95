"""The kernel cache is keyed by module and content: a second install of the same code, at
another path, loads the kernels the first one compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ownergate

PROBE = """
from ownergate.engine import decimals
decimals.normal(120, 3)
stats = decimals.normal.stats
print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), stats.cache_path)
"""


def _run(site: Path, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(site), "OWNERGATE_CACHE_DIR": str(cache)}
    env.pop("NUMBA_CACHE_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


@pytest.mark.slow
def test_a_second_install_loads_the_kernels_the_first_compiled(tmp_path: Path) -> None:
    package = Path(ownergate.__file__).parent
    ignore = shutil.ignore_patterns("__pycache__")
    for site in ("site-a", "site-b"):
        shutil.copytree(package, tmp_path / site / "ownergate", ignore=ignore)
    cache = tmp_path / "cache"
    hits, misses, path = _run(tmp_path / "site-a", cache).split(" ", 2)
    assert (hits, misses) == ("0", "1")  # compiled, and stored
    assert Path(path).is_relative_to(cache)
    hits, misses, path = _run(tmp_path / "site-b", cache).split(" ", 2)
    assert (hits, misses) == ("1", "0")  # loaded: the other install's kernel
    assert Path(path).is_relative_to(cache)
