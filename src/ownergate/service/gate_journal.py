"""The gate's audit journal: verdicts on local disk, fsynced, before the reply says so.

A process appends each verdict it must not lose (a deny or challenge) as one JSON line to a
journal file of its own, ``journal-<pid>-<random>.jsonl``, and ``fsync``s it before the
reply reports it audited; concurrent requests share one ``fsync`` (group commit). The
writer thread moves journalled verdicts into the store's audit log a batch per transaction
and records its progress in the same file, each marker synced too:

- ``{"writing": [start, end], "after_seq": s}`` before a batch (the lines from byte
  ``start`` to ``end``; rows it adds to the audit log have sequence numbers above ``s``);
- ``{"done": end}`` once that batch has committed.

The file is locked (``flock``) by its process for as long as it lives. A file nobody holds
belongs to a process that died: at start-up another process adopts it and finishes its
work. Lines before the last ``done`` are in the store; the lines of a ``writing`` batch not
``done`` may be (the process died between commit and marker) and are looked up in the
audit log by their ``audit_id`` above ``after_seq``; the rest were never written. So a
killed process loses no verdict and none is written twice. A fully written journal is
truncated (``truncate_at``) or, when its process closes, removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "journal-"
SUFFIX = ".jsonl"
_READ = 1 << 20


@dataclass
class Entry:
    """One journalled verdict: where its line ends in the file, and the row it becomes."""

    end: int
    audit_id: str
    actor: str
    account_id: str
    payload: dict[str, Any]


@dataclass
class Recovered:
    """What an adopted journal still owes: entries maybe written (look them up) and
    entries surely not written, and the sequence number above which to look."""

    uncertain: list[Entry] = field(default_factory=list)
    unwritten: list[Entry] = field(default_factory=list)
    after_seq: int = 0


class JournalFull(Exception):
    """The journal holds ``max_bytes`` not yet in the store: the store has been behind
    for too long."""


class Journal:
    """One locked journal file (this process's own, or one adopted from a dead one)."""

    def __init__(self, path: Path, fd: int, size: int, max_bytes: int) -> None:
        self.path = path
        self._fd = fd
        self._max = max_bytes
        self._end = size  # bytes written
        self._synced = size
        self.read_offset = 0  # the first byte not yet handed to the writer
        self._append = threading.Lock()
        self._sync = threading.Lock()

    @classmethod
    def create(cls, directory: Path, max_bytes: int) -> Journal:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _sync_directory(directory)
        return cls(path, fd, 0, max_bytes)

    @classmethod
    def adopt(cls, path: Path, max_bytes: int) -> Journal | None:
        """The journal at ``path`` if its process is gone (nobody holds its lock)."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Adopted and removed by another process meanwhile: nothing left to do.
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                raise FileNotFoundError(path)
        except OSError:
            os.close(fd)
            return None
        return cls(path, fd, os.fstat(fd).st_size, max_bytes)

    @property
    def backlog(self) -> int:
        """Bytes journalled and not yet handed to the store."""
        return self._end - self.read_offset

    def append(self, entry: dict[str, Any]) -> None:
        """Write one verdict and return once it is on disk."""
        data = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._append:
            if self.backlog + len(data) > self._max:
                raise JournalFull
            os.write(self._fd, data)
            self._end += len(data)
            end = self._end
        self._sync_to(end)

    def _sync_to(self, end: int) -> None:
        with self._sync:
            if self._synced >= end:
                return  # another request's fsync covered this line
            with self._append:
                target = self._end
            os.fsync(self._fd)
            self._synced = target

    def mark(self, marker: dict[str, Any]) -> None:
        """Record the writer's progress (synced: a marker tells what the store holds)."""
        data = (json.dumps(marker, separators=(",", ":")) + "\n").encode()
        with self._append:
            os.write(self._fd, data)
            self._end += len(data)
            end = self._end
        self._sync_to(end)

    def pending(self, limit: int) -> tuple[list[Entry], int]:
        """Up to ``limit`` journalled verdicts after ``read_offset``, and the offset read
        up to (markers are skipped; the writer moves ``read_offset`` there once they are
        in the store)."""
        out: list[Entry] = []
        offset = self.read_offset
        with self._append:
            end = self._end
        while offset < end and len(out) < limit:
            block = os.pread(self._fd, min(_READ, end - offset), offset)
            cut = block.rfind(b"\n")
            if cut < 0:
                break  # a partial last line: a crash mid-write, never fsynced
            for line in block[: cut + 1].splitlines(keepends=True):
                offset += len(line)
                entry = _entry(line, offset)
                if entry is not None:
                    out.append(entry)
                    if len(out) >= limit:
                        break
        return out, offset

    def truncate_if_done(self, truncate_at: int) -> None:
        """Empty the file once everything in it is in the store and it has grown large."""
        with self._append:
            if self.read_offset == self._end and self._end > truncate_at:
                os.ftruncate(self._fd, 0)
                os.fsync(self._fd)
                self._end = self._synced = self.read_offset = 0

    def recover(self) -> Recovered:
        """Read an adopted journal's markers: what it still owes the store."""
        entries: list[Entry] = []
        done = 0
        writing: tuple[int, int, int] | None = None
        offset = 0
        with open(self._fd, "rb", closefd=False) as stream:
            stream.seek(0)
            for line in stream:
                if not line.endswith(b"\n"):
                    break
                offset += len(line)
                entry = _entry(line, offset)
                if entry is not None:
                    entries.append(entry)
                    continue
                marker = _json(line)
                if "done" in marker:
                    done = int(marker["done"])
                elif "writing" in marker:
                    start, stop = marker["writing"]
                    writing = (int(start), int(stop), int(marker.get("after_seq", 0)))
        found = Recovered()
        if writing is not None and writing[1] > done:
            found.after_seq = writing[2]
            found.uncertain = [e for e in entries if done < e.end <= writing[1]]
            done = writing[1]
        found.unwritten = [e for e in entries if e.end > done]
        self.read_offset = offset
        return found

    def close(self, *, remove: bool) -> None:
        if remove:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)  # releases the lock


def _entry(line: bytes, end: int) -> Entry | None:
    value = _json(line)
    if "audit_id" not in value:
        return None
    return Entry(end, value["audit_id"], value["actor"], value["account_id"], value["payload"])


def _json(line: bytes) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
