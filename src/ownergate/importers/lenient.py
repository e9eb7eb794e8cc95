"""``--skip-invalid`` for the interchange format, whose readers stop at the first bad record.

The files are read again without each record an error names, until they read cleanly: a
CSV or JSON Lines record is a line, a Parquet record a row. Every left-out record is kept
as a reject with its raw text. Holdings that name a left-out entity are left out in turn.
Each bad record costs one more read, so the number of rejects is bounded.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ownergate.errors import ConfigError, InputError
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.importers.records import Reject
from ownergate.interchange import file_format, read_registry

MAX_REJECTS = 1000
_RECORD = re.compile(r"^(line|row) (\d+)$")


class _File:
    """One input file as records that can be left out, rewritten to a temporary copy."""

    def __init__(self, path: Path, copy: Path) -> None:
        self.path = path
        self.format = file_format(path)
        self.copy = copy.with_suffix(path.suffix)
        self.dropped: set[int] = set()
        if self.format == "parquet":
            self.table = pq.read_table(path)
        else:
            self.lines = path.read_bytes().splitlines(keepends=True)

    def write(self) -> None:
        if self.format == "parquet":
            keep = [i for i in range(self.table.num_rows) if i not in self.dropped]
            pq.write_table(self.table.take(pa.array(keep, pa.int64())), self.copy)
            self.kept = keep
            return
        first = 1 if self.format == "csv" else 0  # the CSV header is never a record
        keep = list(range(first)) + [
            i for i in range(first, len(self.lines)) if i not in self.dropped
        ]
        self.copy.write_bytes(b"".join(self.lines[i] for i in keep))
        self.kept = keep

    def reject(self, error: InputError) -> Reject | None:
        """Leave out the record ``error`` names in the copy; None when it names none."""
        found = _RECORD.match(error.record or "")
        if found is None:
            return None
        number = int(found.group(2)) - 1  # lines and rows are counted from 1
        if not 0 <= number < len(self.kept):
            return None
        original = self.kept[number]
        self.dropped.add(original)
        if self.format == "parquet":
            raw = str(self.table.slice(original, 1).to_pylist()[0])
            where = f"row {original + 1}"
        else:
            raw = self.lines[original].decode("utf-8", "replace").rstrip("\r\n")
            where = f"line {original + 1}"
        return Reject(InputError(error.message, file=str(self.path), record=where,
                                 field=error.field), raw)  # fmt: skip


def read_leniently(
    entities: Path, ownership: Path
) -> tuple[EntityColumns, HoldingColumns, list[Reject]]:
    rejects: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="ownergate-lenient-") as tmp:
        files = [_File(entities, Path(tmp) / "entities"), _File(ownership, Path(tmp) / "ownership")]
        while True:
            for f in files:
                f.write()
            try:
                ents, holds = read_registry(files[0].copy, files[1].copy)
                return ents, holds, rejects
            except InputError as error:
                owner = next((f for f in files if error.file == str(f.copy)), None)
                reject = owner.reject(error) if owner is not None else None
                if reject is None:
                    raise _renamed(error, files) from None
                rejects.append(reject)
                if len(rejects) > MAX_REJECTS:
                    raise ConfigError(
                        f"more than {MAX_REJECTS} invalid records: fix the files "
                        f"(the first: {rejects[0].error})"
                    ) from None


def _renamed(error: InputError, files: list[_File]) -> InputError:
    for f in files:
        if error.file == str(f.copy):
            return InputError(error.message, file=str(f.path), field=error.field)
    return error
