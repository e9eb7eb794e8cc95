"""Fixtures: the bundled IP data compiled once per test process (``tests.ip_data``), looked
up as of a fixed day so that ages and staleness do not drift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from ownergate.ipintel import IpDataStore, IpIntel
from tests.ip_data import bundled_data_dir

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="session")
def bundled_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundled_data_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def bundled_index(bundled_root: Path) -> Path:
    index = IpDataStore(bundled_root).current()
    assert index is not None
    return index


@pytest.fixture(scope="session")
def intel(bundled_index: Path) -> Iterator[IpIntel]:
    with IpIntel.load(bundled_index, today=TODAY) as opened:
        yield opened
