"""What interrupted writes leave in a snapshot directory, and removing it.

A snapshot is written to ``snapshots/.staging-*`` and renamed into place; a name is written
to ``refs/.NAME.*.tmp`` and linked into place. A process killed between the two leaves the
temporary behind, invisible to readers but taking space. The writer holds an exclusive
``flock`` on its staging directory for as long as it writes: a staging directory nobody
holds and older than ``min_age`` seconds (the lock is taken a moment after the directory is
made) is abandoned. Temporary refs live for milliseconds; one older than ``min_age`` is
abandoned too. Prepared-graph temporaries (``snapshots/*/prepared/.tmp-*``, ``.stale-*``)
are swept by age, as ``snapshots.prepared`` does itself.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".staging-"
MIN_AGE_SECONDS = 60.0


@contextmanager
def held(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` for as long as the block runs."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def sweep(root: Path, *, min_age: float = MIN_AGE_SECONDS) -> list[Path]:
    """Remove the abandoned temporaries under ``root``; returns what was removed."""
    removed: list[Path] = []
    cutoff = time.time() - min_age
    snapshots, refs = root / "snapshots", root / "refs"
    for path in _children(snapshots):
        if path.name.startswith(STAGING_PREFIX) and _old(path, cutoff) and _free(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for path in _children(refs):
        if path.name.startswith(".") and path.name.endswith(".tmp") and _old(path, cutoff):
            path.unlink(missing_ok=True)
            removed.append(path)
    for snapshot in _children(snapshots):
        for path in _children(snapshot / "prepared"):
            if path.name.startswith((".tmp-", ".stale-")) and _old(path, cutoff):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except OSError:
        return False


def _free(folder: Path) -> bool:
    """True when no process holds ``folder``'s lock (it died, or never took it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases the lock taken here
    return True
