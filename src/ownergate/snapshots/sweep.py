"""What interrupted writes leave in a snapshot directory, and removing it.

A snapshot is written to ``snapshots/.staging-*`` and renamed into place; a name is written
to ``refs/.NAME.*.tmp`` and linked into place. A process killed between the two leaves the
temporary behind, invisible to readers but taking space. The writer makes its directory as
``.creating-*``, takes an exclusive ``flock`` on it, and only then renames it
``.staging-*``: a staging directory whose lock nobody holds is abandoned at once (its writer
died), and a ``.creating-*`` one (a writer killed in the instant before its lock) once it
is older than ``min_age`` seconds. Temporary refs live for milliseconds; one older than
``min_age`` is abandoned too. Prepared-graph temporaries (``snapshots/*/prepared/.tmp-*``,
``.stale-*``) are swept by age, as ``snapshots.prepared`` does itself.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".staging-"
CREATING_PREFIX = ".creating-"
MIN_AGE_SECONDS = 60.0


@contextmanager
def staging_directory(parent: Path) -> Iterator[Path]:
    """A new ``.staging-*`` directory in ``parent``, locked for as long as the block runs
    (the lock outlives a rename of the directory: it is on the directory itself)."""
    made = Path(tempfile.mkdtemp(prefix=CREATING_PREFIX, dir=parent))
    fd = os.open(made, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        staging = made.with_name(STAGING_PREFIX + made.name.removeprefix(CREATING_PREFIX))
        os.rename(made, staging)
        yield staging
    finally:
        os.close(fd)


def sweep(root: Path, *, min_age: float = MIN_AGE_SECONDS) -> list[Path]:
    """Remove the abandoned temporaries under ``root``; returns what was removed."""
    removed: list[Path] = []
    cutoff = time.time() - min_age
    snapshots, refs = root / "snapshots", root / "refs"
    for path in _children(snapshots):
        staged = path.name.startswith(STAGING_PREFIX) and _free(path)
        if staged or (path.name.startswith(CREATING_PREFIX) and _old(path, cutoff)):
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
