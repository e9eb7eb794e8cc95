"""One-line evidence for every decision, built column-wise with pyarrow (millions of rows)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.explain.columns import DecisionColumns
from ownergate.policy.model import CountryBasis, Policy

_WHERE = {
    CountryBasis.HEADQUARTERS: "headquartered in ",
    CountryBasis.LEGAL: "incorporated in ",
    CountryBasis.HEADQUARTERS_OR_LEGAL: "headquartered or incorporated in ",
}


def _pct(values: np.ndarray) -> pa.Array:
    """``62.5%``-style text; unbounded values (conflicting data) say so."""
    finite = np.isfinite(values)
    rounded = pa.array(np.round(np.where(finite, values, 0.0) * 100, 4))
    text = pc.binary_join_element_wise(pc.cast(rounded, pa.string()), "%", "")
    return pc.if_else(pa.array(finite), text, "unbounded")


def evidence_column(
    cols: DecisionColumns, policy: Policy, country_vocab: tuple[str, ...]
) -> pa.Array:
    ids = pa.array(cols.ids, type=pa.string())
    n = len(ids)
    vocab = pa.array(list(country_vocab), type=pa.string())
    region = vocab.take(pa.array(cols.seed_region.astype(np.int64)))
    top = pa.array(cols.top_owner, mask=cols.top_owner < 0)
    top_id = ids.take(pc.if_else(pc.is_null(top), 0, top))
    lo, hi, top_value = _pct(cols.share_min), _pct(cols.share_max), _pct(cols.top_value)
    owners = pc.cast(pa.array(cols.owners), pa.string())
    method = pa.array(cols.method, type=pa.string())
    status = pa.array(cols.status, type=pa.string())
    reason = pa.array(cols.reason, type=pa.string())
    join = pc.binary_join_element_wise

    ultimately = pc.if_else(pc.equal(region, ""), "", join("; ultimately from ", region, ""))
    control = join(
        lo,
        " held by ",
        owners,
        " restricted owner(s); largest ",
        top_id,
        " (",
        top_value,
        ")",
        ultimately,
        "",
    )
    effective = join(
        lo,
        " effective restricted ownership; largest via ",
        top_id,
        " (",
        top_value,
        ")",
        ultimately,
        "",
    )
    ownership = pc.if_else(pc.equal(method, "control"), control, effective)
    review = join("restricted share ", lo, " to ", hi, ": ranged or unknown holdings decide it", "")
    allowed = pc.if_else(
        pa.array(cols.share_max > 0),
        join("restricted share at most ", hi, ""),
        "no restricted owner",
    )
    seed_country = join(_WHERE[policy.country_basis], region, "")
    out = pc.case_when(
        pc.make_struct(
            pc.equal(reason, "region"),
            pc.equal(reason, "listed"),
            pc.equal(reason, "ownership"),
            pc.equal(status, "review"),
        ),
        seed_country,
        pa.array(["listed entity"] * n if n else [], type=pa.string()),
        ownership,
        review,
        allowed,
    )
    return out
