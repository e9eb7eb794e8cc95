"""Pick a restricted foreign subsidiary for the demo: restricted through ownership though
headquartered outside every restricted region, and held through an owner that is itself
outside them (so the explanation shows the look-through)."""

from __future__ import annotations

import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REGIONS = pa.array(["CN", "RU", "KP", "IR"])

decisions = pq.read_table(sys.argv[1], columns=["id", "reason", "evidence"])
entities = pq.read_table(sys.argv[2], columns=["id", "country"])
table = decisions.filter(pc.equal(decisions["reason"], "ownership")).join(entities, "id")
top = pc.struct_field(pc.extract_regex(table["evidence"], r"largest (?P<top>\S+) "), "top")
table = table.append_column("top", top).join(entities.rename_columns(["top", "top_country"]), "top")
outside = pc.and_(
    pc.invert(pc.is_in(table["country"], value_set=REGIONS)),
    pc.invert(pc.is_in(table["top_country"], value_set=REGIONS)),
)
picked = table.filter(pc.and_(outside, pc.match_substring(table["evidence"], "from CN")))
if picked.num_rows == 0:
    sys.exit("no restricted foreign subsidiary in this registry")
print(picked.sort_by("id")["id"][0].as_py())
