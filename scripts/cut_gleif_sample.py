"""Cut the small GLEIF sample shipped in data/samples/gleif/ from the shared GLEIF folder.

Usage: python scripts/cut_gleif_sample.py <gleif_samples folder> [output folder]

Records are copied unchanged (same keys, same values; only re-indented); which records are
kept is decided here, so the cut can be repeated and checked. See PROVENANCE.md there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FIXTURES = "bodspipelines_fixtures"
GOLDEN = "20240505-0000-gleif-goldencopy-lei2-intra-day.json"
# Golden-copy records that show what the fixtures lack: Hong Kong headquarters, legal and
# headquarters countries that differ, a government entity, sole proprietors, other and
# transliterated names.
GOLDEN_PICKS = [
    "254900OGTIEW7XD1KZ55",  # HK legal and HQ
    "549300W30LXYDJC6UP51",  # FUND, legal KY, HQ HK
    "2549005BLR6ZXKMPEB40",  # legal VG, HQ MY
    "5493000FHGP48SUSQA13",  # RESIDENT_GOVERNMENT_ENTITY
    "5493003J36MH7LBJ5U92",  # SOLE_PROPRIETOR
    "984500BAE10LE5151070",  # SOLE_PROPRIETOR named after its owner
    "254900JC2559MY44P484",  # transliterated names
    "097900BID10000147476",  # auto-transliterated name
    "549300E0WPRCJMXMUM09",  # other entity names, legal US, HQ PR
    "391200VK8A8FKEOTCN77",  # an LEI with the 3912 prefix that passes its check digits
]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def latest(records: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """One record per key, the later file's where two files state the same one."""
    kept: dict[Any, dict[str, Any]] = {}
    for record in records:
        kept.pop(key(record), None)
        kept[key(record)] = record
    return list(kept.values())


def main(source: Path, out: Path) -> None:
    fixtures = source / FIXTURES
    # Relationships: the fund/consolidation fixture and the consolidation chains (an
    # Australian group three levels deep, a Slovak bank and its pension company).
    rr = load(fixtures / "rr-data.json") + load(fixtures / "rr-updates-data2.json")
    rr = latest(
        rr,
        lambda r: (
            r["Relationship"]["StartNode"]["NodeID"],
            r["Relationship"]["EndNode"]["NodeID"],
            r["Relationship"]["RelationshipType"],
        ),
    )
    # Level 1: every record of the fixtures (the newer version of an updated one).
    lei = [
        r
        for name in ("lei-data.json", "lei-updates-data2.json", "lei-updates-data2-new.json")
        for r in load(fixtures / name)
    ]
    lei = latest(lei, lambda r: r["LEI"])
    repex = load(fixtures / "repex-data.json") + load(fixtures / "repex-updates-data2.json")
    repex = latest(repex, lambda r: (r["LEI"], r["ExceptionCategory"]))
    golden = {r["LEI"]["$"]: r for r in load(source / GOLDEN)["records"]}
    picked = [golden[lei_code] for lei_code in GOLDEN_PICKS]

    out.mkdir(parents=True, exist_ok=True)
    write(out / "lei-records.json", lei)
    write(out / "lei2-goldencopy.json", {"records": picked})
    write(out / "rr.json", rr)
    write(out / "repex.json", repex)
    counts = f"{len(lei)} + {len(picked)} LEI records, {len(rr)} relationships"
    print(f"{counts}, {len(repex)} exceptions")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    default = Path(__file__).resolve().parents[1] / "data" / "samples" / "gleif"
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else default)
