"""The audit chain's entry hash, written out by hand for speed, is byte for byte the hash of
the canonical JSON of the entry with its payload embedded: chains written before stay
verifiable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from ownergate.store.audit import canonical, entry_hash, timestamp

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def reference_hash(
    prev: str, seq: int, at: dt.datetime, actor: str, action: str, kind: str, oid: str, payload: str
) -> str:
    row = canonical(
        {
            "seq": seq,
            "at": timestamp(at),
            "actor": actor,
            "action": action,
            "object_type": kind,
            "object_id": oid,
            "payload": json.loads(payload),
        }
    )
    return hashlib.sha256((prev + row).encode("utf-8")).hexdigest()


@given(
    st.dictionaries(st.text(), values, max_size=5),
    st.integers(min_value=1, max_value=2**62),
    st.text(),
    st.text(),
    st.text(),
    st.text(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
def test_the_entry_hash_is_that_of_the_canonical_entry(
    payload: dict[str, object],
    seq: int,
    actor: str,
    action: str,
    kind: str,
    oid: str,
    at: dt.datetime,
) -> None:
    text = canonical(payload)
    prev = "0" * 64
    assert entry_hash(prev, seq, at, actor, action, kind, oid, text) == reference_hash(
        prev, seq, at, actor, action, kind, oid, text
    )
