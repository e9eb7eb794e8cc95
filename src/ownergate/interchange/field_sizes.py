"""The field cap of ``ownergate.limits`` over whole columns: the first value longer than
``MAX_FIELD_CHARS`` characters, found without a loop over the rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.limits import MAX_FIELD_CHARS


def first_too_long(column: pa.ChunkedArray) -> int | None:
    """The row of the first value over the cap in a text column (plain or dictionary
    encoded); None when there is none, or the column holds no text."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        if not _is_text(kind.value_type) or column.num_chunks == 0:
            return None
        long_codes = []
        for chunk in column.chunks:
            lengths = pc.utf8_length(chunk.dictionary).to_numpy(zero_copy_only=False)
            long_codes.append(np.flatnonzero(lengths > MAX_FIELD_CHARS))
        if not any(len(c) for c in long_codes):
            return None
        offset = 0
        for chunk, codes in zip(column.chunks, long_codes, strict=True):
            if len(codes):
                hits = pc.is_in(chunk.indices, value_set=pa.array(codes, chunk.indices.type))
                mask = hits.fill_null(False).to_numpy(zero_copy_only=False)
                if mask.any():
                    return offset + int(mask.argmax())
            offset += len(chunk)
        return None
    if not _is_text(kind):
        return None
    lengths = pc.utf8_length(column).fill_null(0)
    if pc.max(lengths).as_py() is None or pc.max(lengths).as_py() <= MAX_FIELD_CHARS:
        return None
    mask = pc.greater(lengths, MAX_FIELD_CHARS).to_numpy(zero_copy_only=False)
    return int(np.asarray(mask).argmax())


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))
