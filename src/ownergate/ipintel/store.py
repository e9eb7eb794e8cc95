"""Compiled IP data on disk: versions, the ``CURRENT`` pointer, first use, atomic update.

``<root>/CURRENT`` names the version in use; ``<root>/versions/<name>/`` holds ``sources/``
(a copy of the folder compiled, licences and notes included) and ``index/`` (the arrays).
A version is copied and compiled in a temporary directory, validated as it compiles, and
renamed into place; ``CURRENT`` is then replaced through a temporary file. Readers see the
old data or the new, never a mix, and a folder that fails validation changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from ownergate.errors import ConfigError, InputError
from ownergate.ipintel.compile import FORMAT, INDEX, compile_index, read_manifest, source_digest
from ownergate.ipintel.manifest import MANIFEST
from ownergate.settings import Settings

BUNDLED = Path(__file__).resolve().parents[3] / "data" / "ip"
POINTER = "CURRENT"
KEEP = 2
_TMP = ".tmp-"
_STALE_TMP_SECONDS = 3600


class IpDataStore:
    """The versions under ``root``; ``bundle`` is the folder compiled at first use."""

    def __init__(self, root: Path, bundle: Path | None = None) -> None:
        self.root = root.expanduser()
        self.bundle = bundle.expanduser() if bundle else None

    @classmethod
    def of(cls, settings: Settings) -> IpDataStore:
        """The store ``OWNERGATE_IP_DATA_DIR`` names (default ``<data dir>/ip``), with the
        bundle ``OWNERGATE_IP_BUNDLE_DIR`` names (default: the bundled data)."""
        root = settings.ip_data_dir or settings.data_dir / "ip"
        return cls(root, settings.ip_bundle_dir or BUNDLED)

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    def current(self) -> Path | None:
        """The index directory in use, if there is a sound one."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        index = self.versions / name / "index"
        try:
            meta = json.loads((index / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return index if meta.get("format") == FORMAT else None

    def ensure(self, notify: Callable[[str], None] | None = None) -> Path:
        """The index in use; compiles the bundled data first when there is none, or when
        the data in use came from an older bundle."""
        index = self.current()
        bundle = self.bundle
        has_bundle = bundle is not None and (bundle / MANIFEST).is_file()
        if index is not None and not (has_bundle and self._older_bundle(index)):
            return index
        if bundle is None or not has_bundle:
            raise ConfigError(
                f"no IP data in {self.root} and no bundled data to compile: set "
                "OWNERGATE_IP_BUNDLE_DIR or run 'ownergate ip update --from DIR'"
            )
        if notify:
            notify(f"compiling the IP data in {bundle} (first use; takes a few seconds)")
        return self.install(bundle, origin="bundled")

    def _older_bundle(self, index: Path) -> bool:
        assert self.bundle is not None
        meta = json.loads((index / INDEX).read_text(encoding="utf-8"))
        if meta.get("origin") != "bundled":
            return False
        current = hashlib.sha256((self.bundle / MANIFEST).read_bytes()).hexdigest()
        return bool(meta.get("manifest_sha256") != current)

    def update(self, folder: Path) -> Path:
        """``ownergate ip update --from``: the operator's folder replaces the data in use."""
        return self.install(folder, origin="update")

    def install(self, folder: Path, *, origin: str) -> Path:
        """Copy, validate and compile ``folder``, then switch to it; returns its index."""
        folder = folder.expanduser()
        if not folder.is_dir():
            raise InputError("is not a folder", file=str(folder))
        manifest, _ = read_manifest(folder)
        self.versions.mkdir(parents=True, exist_ok=True)
        self._sweep()
        work = self.versions / f"{_TMP}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            work.mkdir()
            listed = sorted({f for lst in manifest.lists for f in lst.files})
            _copy(folder, work / "sources", listed)
            name = f"f{FORMAT}-{source_digest(work / 'sources')[:20]}"
            final = self.versions / name
            if not (final / "index" / INDEX).is_file():
                compile_index(work / "sources", work / "index", origin=origin)
                try:
                    work.rename(final)
                except OSError:
                    if not (final / "index" / INDEX).is_file():
                        raise
                    # Another process installed the same data first; theirs is as good.
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        self._point(name)
        self._prune(name)
        return final / "index"

    def _point(self, name: str) -> None:
        temp = self.root / f"{POINTER}{_TMP}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.root / POINTER)

    def _prune(self, keep: str) -> None:
        # The version just left stays, so a process still mapping it keeps working and an
        # operator can switch back by hand.
        versions = [p for p in self.versions.iterdir() if p.is_dir() and p.name[:1] != "."]
        versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        kept = [p for p in versions if p.name == keep]
        kept += [p for p in versions if p.name != keep][: KEEP - 1]
        for path in versions:
            if path not in kept:
                shutil.rmtree(path, ignore_errors=True)

    def _sweep(self) -> None:
        """Remove temporary directories left by interrupted installs."""
        now = time.time()
        for path in self.versions.glob(f"{_TMP}*"):
            if now - path.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(path, ignore_errors=True)


def _copy(folder: Path, into: Path, listed: list[str]) -> None:
    """The manifest, its files, and the other files in their folders (licences, notes);
    at the top of the folder only the manifest and PROVENANCE.md."""
    into.mkdir(parents=True)
    names = {MANIFEST, "PROVENANCE.md", *listed}
    for directory in {str(Path(f).parent) for f in listed} - {"."}:
        source = folder / directory
        if source.is_dir():
            names |= {
                str(Path(directory) / p.name)
                for p in source.iterdir()
                if p.is_file() and not p.name.startswith(".")
            }
    for name in sorted(names):
        path = folder / name
        if not path.is_file():
            if name in listed:
                raise InputError("missing: sources.toml lists it", file=name)
            continue
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, into / name)
