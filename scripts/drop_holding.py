"""Write a registry one holding smaller: the largest stake in the entity of an account the
store restricts through ownership (preferably through one direct stake) is removed. Used by
``make demo`` and ``benchmarks/portfolio.py`` to make a realistic one-holding change.

usage: python scripts/drop_holding.py REGISTRY_DIR OUT_DIR DATABASE_URL
Prints the entity and the owner whose stake was removed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select

from ownergate.store import Database, Decision


def restricted_through_ownership(database_url: str) -> str:
    """An entity restricted through a direct stake of a restricted company (so removing
    that stake is likely to flip it), else any entity restricted through ownership."""
    db = Database(database_url)
    try:
        with db.read() as store:
            query = (
                select(Decision.entity_id, Decision.evidence)
                .where(Decision.reason == "ownership", Decision.entity_id.is_not(None))
                .order_by(Decision.id)
                .limit(1000)
            )
            found = list(store.session.execute(query))
    finally:
        db.dispose()
    if not found:
        raise SystemExit("no account is restricted through ownership")
    direct = [entity for entity, evidence in found if len(evidence.get("path", ())) == 1]
    return str((direct or [found[0][0]])[0])


def share(text: str | None) -> float:
    if text is None:
        return 0.0
    return float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)


def drop_largest_stake(registry: Path, entity: str, out: Path) -> str:
    holds = pq.read_table(registry / "ownership.parquet")
    rows = pc.indices_nonzero(pc.equal(holds.column("owned"), entity)).to_pylist()
    stakes = pc.take(holds.column("share"), pa.array(rows, pa.int64())).to_pylist()
    drop = max(zip(rows, stakes, strict=True), key=lambda pair: share(pair[1]))[0]
    keep = pc.not_equal(pa.array(range(holds.num_rows), pa.int64()), drop)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(holds.filter(keep), out / "ownership.parquet")
    entities = out / "entities.parquet"
    entities.unlink(missing_ok=True)
    entities.symlink_to((registry / "entities.parquet").resolve())
    return str(holds.column("owner")[drop].as_py())


def main() -> None:
    registry, out, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    entity = restricted_through_ownership(url)
    owner = drop_largest_stake(registry, entity, out)
    print(f"removed the stake of {owner} in {entity}")


if __name__ == "__main__":
    main()
