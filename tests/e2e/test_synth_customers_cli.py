"""``ownergate synth customers`` as a user runs it: over a registry from ``synth``, and a
clear error without one."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from tests.e2e.test_cli import run


def test_a_customer_base_over_a_synthetic_registry(tmp_path: Path) -> None:
    assert run("synth", "--edges", "20000", "--out", tmp_path / "reg").returncode == 0
    made = run(
        "synth", "customers", "--n", "3000", "--registry", tmp_path / "reg", "--out", tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert "3,000 accounts" in made.stdout
    customers = pq.read_table(tmp_path / "customers.parquet")
    truth = pq.read_table(tmp_path / "customers-truth.parquet")
    assert customers.num_rows == truth.num_rows == 3000


def test_without_a_registry_the_error_names_the_directory(tmp_path: Path) -> None:
    failed = run(
        "synth", "customers", "--n", "10", "--registry", tmp_path / "none", "--out", tmp_path
    )
    assert failed.returncode == 2
    assert "none" in failed.stderr and "synth registry" in failed.stderr
