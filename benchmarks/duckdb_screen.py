"""What a user would write instead of ownergate: the screen in plain DuckDB SQL, end to end.

    python benchmarks/duckdb_screen.py --method control|effective --entities E
        --ownership O --out F [--as-of D] [--threads N]

Loads both Parquet files, computes the restricted set, and writes every entity's id and
flag to ``F`` (Parquet): the same job ``ownergate screen`` does, for ``benchmarks/screen.py``
to time as a process of its own. The SQL is ``_duckdb_baselines``'s: control is a fixpoint
of one ``INSERT ... HAVING SUM(share) > 0.5`` per round; effective a recursive CTE that must
cut paths at ``DEPTH_CAP`` holdings and products below ``PRODUCT_FLOOR`` to terminate on
cross-holdings (so its answers are approximate there). Prints its stage timings.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from _duckdb_baselines import CONTROL_ROUND, EFFECTIVE_SQL, PREP_SQL, REGIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("control", "effective"), required=True)
    parser.add_argument("--entities", type=Path, required=True)
    parser.add_argument("--ownership", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-25")
    parser.add_argument("--threads", type=int, default=0, help="0: DuckDB's default")
    args = parser.parse_args()
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    times: dict[str, float] = {}
    t = time.perf_counter()
    con.execute(f"CREATE TABLE entities AS SELECT * FROM read_parquet('{args.entities}')")
    con.execute(f"CREATE TABLE ownership AS SELECT * FROM read_parquet('{args.ownership}')")
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    regions = ", ".join(f"'{r}'" for r in REGIONS)
    con.execute(PREP_SQL.format(regions=regions, as_of=args.as_of))
    if args.method == "control":
        rounds = 0
        while True:
            rounds += 1
            (added,) = con.execute(CONTROL_ROUND).fetchone() or (0,)
            if not added:
                break
        flag, join = "r.id IS NOT NULL", "LEFT JOIN restricted r ON r.id = e.id"
    else:
        con.execute(EFFECTIVE_SQL)
        flag = "s.id IS NOT NULL OR coalesce(d.value > 0.5, false)"
        join = "LEFT JOIN seeds s ON s.id = e.id LEFT JOIN duck_effective d ON d.id = e.id"
    times["compute"] = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(
        f"COPY (SELECT e.id, {flag} AS restricted FROM entities e {join}) "
        f"TO '{args.out}' (FORMAT PARQUET)"
    )
    times["write"] = time.perf_counter() - t
    row = con.execute(f"SELECT count(*) FROM read_parquet('{args.out}') WHERE restricted")
    count = (row.fetchone() or (0,))[0]
    print(" ".join(f"{k} {v:.2f} s" for k, v in times.items()), f"restricted {count:,}")


if __name__ == "__main__":
    main()
