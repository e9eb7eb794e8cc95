"""``ownergate impact`` as a user runs it: a subprocess, the seed change on small files."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import ENTITIES, OWNERSHIP, run

POLICIES = Path(__file__).parents[2] / "policies"
HEADER = (
    "account_id,organisation_name,declared_country,lei,registry_entity_id,annual_revenue,"
    "revenue_currency"
)
CUSTOMERS = f"""{HEADER}
acc-1,Sino Parent,CN,,CNP,2500000,USD
acc-2,Lion City,SG,,SGS,150000.5,USD
acc-3,Rhein Logistik,DE,,DEG,90000,USD
acc-4,Joint Venture,NL,,JV,1200000,USD
acc-5,Minority Ventures,GB,,MIN,7000,USD
acc-6,Unknown Shanghai Trading,CN,,,30000,USD
acc-7,Unknown Singapore Co,SG,,,12000,USD
"""


def impact(
    tmp_path: Path, customers: str, *extra: str | Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    file = tmp_path / "customers.csv"
    file.write_text(customers)
    out = tmp_path / "out"
    proc = run(
        "impact",
        "--policy-a",
        POLICIES / "region-only.toml",
        "--policy-b",
        POLICIES / "default.toml",
        "--customers",
        file,
        "-e",
        ENTITIES,
        "-o",
        OWNERSHIP,
        "--as-of",
        "2026-01-01",
        "--out",
        out,
        *extra,
    )
    return proc, out


def test_impact_writes_a_self_contained_report_and_the_flips(tmp_path: Path) -> None:
    proc, out = impact(tmp_path, CUSTOMERS)
    assert proc.returncode == 0, proc.stderr
    html = (out / "impact.html").read_text()
    assert "<svg" in html
    assert not re.search(r"<(script|link)[^>]*(src|href)=[\"']?https?://", html)
    assert "<script" not in html and "<link" not in html
    assert "unsupported-regions v1" in html and "region-only v1" in html

    records = json.loads((out / "flips.json").read_text())
    with (out / "flips.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["account_id"] for r in rows] == [r["account_id"] for r in records]
    for row, record in zip(rows, records, strict=True):
        assert float(row["revenue"]) == record["revenue"]
        assert row["status_b"] == record["status_b"]
        assert row["group_id"] == record["group_id"]
        assert row["unverified"] == str(record["unverified"]).lower()
    flips = {r["account_id"]: (r["status_a"], r["status_b"], r["group_id"]) for r in records}
    assert flips == {
        "acc-4": ("allowed", "review", "CNP"),
        "acc-2": ("allowed", "restricted", "CNP"),
        "acc-3": ("allowed", "restricted", "CNP"),
    }
    assert "newly restricted" in proc.stdout
    assert "$240.0k" in proc.stdout  # 150,000.50 + 90,000 newly restricted
    assert "Sino Parent Co. Ltd." in proc.stdout


@pytest.mark.parametrize(
    ("customers", "where"),
    [
        (CUSTOMERS.replace("acc-3,Rhein Logistik,DE", "acc-3,Rhein Logistik,XX"), "line 4"),
        (CUSTOMERS.replace("90000", "ninety"), "line 4, field 'annual_revenue'"),
        (CUSTOMERS.replace("acc-5,", "acc-1,"), "line 6, field 'account_id'"),
        (CUSTOMERS.replace("declared_country", "country"), "field 'declared_country'"),
    ],
)
def test_bad_customer_files_are_one_line_errors(tmp_path: Path, customers: str, where: str) -> None:
    proc, _ = impact(tmp_path, customers, "-q")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "customers.csv" in proc.stderr and where in proc.stderr, proc.stderr


def test_one_registry_needs_two_policies(tmp_path: Path) -> None:
    file = tmp_path / "customers.csv"
    file.write_text(CUSTOMERS)
    proc = run("impact", "--customers", file, "-e", ENTITIES, "-o", OWNERSHIP, "--out", tmp_path)
    assert proc.returncode == 1
    assert "--policy-a and --policy-b" in proc.stderr


def test_customers_read_from_parquet_with_nullable_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ownergate.errors import InputError
    from ownergate.portfolio.files import read_customers

    table = pa.table(
        {
            "account_id": ["a1", "a2"],
            "organisation_name": ["One", None],
            "declared_country": ["CN", "DE"],
            "lei": pa.array([None, None], pa.string()),
            "registry_entity_id": ["CNP", None],
            "annual_revenue": pa.array([1.5, 200_000.0], pa.float64()),
            "revenue_currency": ["USD", "USD"],
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    base = read_customers(tmp_path / "c.parquet")
    assert base.registry_entity_id.tolist() == ["CNP", None]
    assert base.name.tolist() == ["One", ""]
    assert base.revenue.tolist() == [1.5, 200_000.0]

    bad = table.set_column(5, "annual_revenue", pa.array([1.0, -3.0], pa.float64()))
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(InputError, match=r"bad\.parquet, row 2, field 'annual_revenue'"):
        read_customers(tmp_path / "bad.parquet")


def test_impact_compares_two_snapshots_under_one_policy(tmp_path: Path) -> None:
    from tests.integration.service.registry import LATER_HOLDINGS, save_snapshot

    save_snapshot(tmp_path, "reg1")
    save_snapshot(tmp_path, "reg2", LATER_HOLDINGS)  # the Chinese stake in SGS down to 40%
    file = tmp_path / "customers.csv"
    file.write_text(
        f"{HEADER}\nacc-sgs,Lion City,SG,,SGS,150000,USD\n"
        "acc-hold,Neutral Holding,CH,,HOLD,10,USD\n"
    )
    proc = run(
        "impact",
        "--snapshot-a",
        "reg1",
        "--snapshot-b",
        "reg2",
        "--policy",
        POLICIES / "default.toml",
        "--customers",
        file,
        "--as-of",
        "2026-01-01",
        "--out",
        tmp_path / "out",
        OWNERGATE_DATA_DIR=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    flips = json.loads((tmp_path / "out" / "flips.json").read_text())
    assert [(f["account_id"], f["status_a"], f["status_b"]) for f in flips] == [
        ("acc-sgs", "restricted", "allowed")
    ]


def test_the_terminal_summary_lists_as_many_groups_as_top_asks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import dataclasses
    import datetime as dt

    from ownergate.cli.impact_cmd import ReportContext, print_summary
    from ownergate.policy.model import default_policy
    from ownergate.portfolio.impact import Tally
    from tests.unit.portfolio.test_impact import run as impact

    pol = default_policy()
    groups = tuple(Tally(f"G{i}", f"Group {i}", 1, 1000.0 * (20 - i)) for i in range(12))
    result = dataclasses.replace(impact(pol, pol), top_groups=groups)
    ctx = ReportContext("A", "B", "a", "b", "registry", dt.date(2026, 1, 1), "c")
    print_summary(result, ctx, 10)
    out = capsys.readouterr().out
    assert "Top 10 groups" in out
    assert all(f"Group {i}" in out for i in range(10)) and "Group 10" not in out
