"""``ownergate resolve`` over a synthetic registry and customer base: the links agree with
the truth table, ambiguous matches wait in the review queue, and the resolved base carries
the linked entities."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from tests.e2e.test_cli import run


def test_a_customer_base_is_resolved_against_its_registry(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    assert run("synth", "--edges", "20000", "--out", reg, "--seed", "4").returncode == 0
    made = run("synth", "customers", "--n", "2000", "--registry", reg, "--out", tmp_path)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "resolved"
    done = run(
        "resolve",
        "--customers", tmp_path / "customers.parquet",
        "--entities", reg / "entities.parquet",
        "--ownership", reg / "ownership.parquet",
        "--truth", tmp_path / "customers-truth.parquet",
        "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "precision" in done.stdout
    answers = pq.read_table(tmp_path / "customers-truth.parquet").to_pydict()
    truth = dict(zip(answers["account_id"], answers["entity_id"], strict=True))
    links = pq.read_table(out / "links.parquet").to_pylist()
    linked = [r for r in links if r["outcome"] == "linked"]
    assert linked and sum(truth[r["account_id"]] == r["entity_id"] for r in linked) >= 0.95 * len(
        linked
    )
    assert all(r["method"] != "none" and r["score"] > 0 for r in linked)
    with (out / "review.csv").open(newline="") as handle:
        review = list(csv.DictReader(handle))
    assert len(review) == sum(r["outcome"] == "review" for r in links)
    assert all(r["entity_id"] == "" for r in review)  # never linked silently
    resolved = pq.read_table(out / "customers-resolved.parquet").to_pydict()
    by_account = dict(zip(resolved["account_id"], resolved["registry_entity_id"], strict=True))
    assert all(by_account[r["account_id"]] == r["entity_id"] for r in linked)
    assert all(by_account[r["account_id"]] is None for r in review)


def test_a_missing_customer_file_is_named(tmp_path: Path) -> None:
    failed = run(
        "resolve", "--customers", tmp_path / "nope.parquet", "--entities", tmp_path / "e.csv",
        "--ownership", tmp_path / "o.csv", "--out", tmp_path / "out",
    )  # fmt: skip
    assert failed.returncode != 0 and "nope.parquet" in failed.stderr


def test_resolving_in_parallel_gives_the_same_links(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    assert run("synth", "--edges", "40000", "--out", reg, "--seed", "8").returncode == 0
    made = run("synth", "customers", "--n", "7000", "--registry", reg, "--out", tmp_path)
    assert made.returncode == 0, made.stderr
    links = []
    for workers in ("1", "2"):
        out = tmp_path / f"resolved-{workers}"
        done = run(
            "resolve", "--customers", tmp_path / "customers.parquet",
            "--entities", reg / "entities.parquet", "--ownership", reg / "ownership.parquet",
            "--workers", workers, "--out", out,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        links.append(pq.read_table(out / "links.parquet"))
    assert links[0].num_rows > 2_000  # more than one chunk: the pool was used
    assert links[0].equals(links[1])
