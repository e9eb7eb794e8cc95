"""Arrow string columns built straight from numpy buffers (ids, codes, share texts)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.errors import ConfigError
from ownergate.synth import countries as C
from ownergate.synth.stakes import FULL
from ownergate.synth.structure import Bool


def _share_texts() -> pa.Array:
    """Index ``u`` is ``u`` units of 0.01% as a percentage, ``FULL + 1 + u`` as a decimal."""
    pct, dec = [], []
    for u in range(FULL + 1):
        whole, frac = divmod(u, 100)
        pct.append(f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "%")
        whole, frac = divmod(u, FULL)
        dec.append(f"{whole}.{frac:04d}".rstrip("0").rstrip("."))
    return pa.array(pct + dec, pa.string())


SHARE_TEXTS = _share_texts()


def pick(values: pa.Array, idx: npt.NDArray[np.integer], valid: Bool | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pc.take(values, pa.array(idx, mask=mask), boundscheck=False)


CODE_BYTES = np.frombuffer("".join(C.CODES).encode(), dtype=np.uint8).reshape(-1, 2)
BASIS_BYTES = np.frombuffer(b"equityvoting", dtype=np.uint8).reshape(2, 6)


def fixed_width(table: npt.NDArray[np.uint8], idx: npt.NDArray[np.integer]) -> pa.Array:
    """Strings of one width from a small byte table; a negative index is null."""
    n, width = len(idx), table.shape[1]
    valid = idx >= 0
    data = np.take(table, np.where(valid, idx, 0), axis=0)  # np.take: the fast row gather
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap)


def take_records(
    records: npt.NDArray[np.void], idx: npt.NDArray[np.integer]
) -> npt.NDArray[np.void]:
    """``records[idx]`` for packed records whose size is a multiple of 4 bytes.

    Gathering rows of a ``uint32`` matrix with ``np.take`` is several times faster than
    fancy-indexing a structured array.
    """
    words = records.view(np.uint32).reshape(len(records), records.dtype.itemsize // 4)
    return np.take(words, idx, axis=0).view(records.dtype).reshape(-1)


_DIGITS4 = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), dtype="<u4")


def id_strings(index: npt.NDArray[np.integer], width: int, valid: Bool | None = None) -> pa.Array:
    """``E`` + the zero-padded ``index + 1`` (``E00000001``), built from digit bytes.

    Each id is a packed record: ``E``, single leading digits, then 4-digit groups written
    as one ``uint32`` each from a table of "0000" ... "9999".
    """
    n = len(index)
    if n * (width + 1) >= 2**31:
        raise ConfigError(f"{n} ids are too many for one string column")
    lead, groups = width % 4, width // 4
    fields = [("e", "u1")] + [(f"d{i}", "u1") for i in range(lead)]
    fields += [(f"g{i}", "<u4") for i in range(groups)]
    rec = np.empty(n, dtype=np.dtype(fields))
    rec["e"] = ord("E")
    number = np.asarray(index, dtype=np.int32) + 1
    for i in reversed(range(groups)):
        number, low = np.divmod(number, 10_000)
        rec[f"g{i}"] = _DIGITS4[low]
    for i in reversed(range(lead)):
        number, low = np.divmod(number, 10)
        rec[f"d{i}"] = low + ord("0")
    offsets = np.arange(0, (n + 1) * (width + 1), width + 1, dtype=np.int32)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = pa.py_buffer(rec.view(np.uint8))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap)


def sparse(values: pa.Array, valid: Bool) -> pa.Array:
    """Spread ``values`` (one per true entry of ``valid``) over ``len(valid)`` rows."""
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    out = np.empty(len(valid) + 1, dtype=np.int32)
    out[0] = offsets[0]
    out[1:] = offsets[np.cumsum(valid, dtype=np.int32)]
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(len(valid), pa.py_buffer(out), buffers[2], bitmap)


def expand(values: Bool, where: Bool) -> Bool:
    out = np.zeros(len(where), dtype=bool)
    out[where] = values
    return out
