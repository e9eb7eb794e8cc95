"""Where the compiled kernels are cached: one place per user, kept across installs.

numba caches a compiled function beside its source (``__pycache__``) by default, keyed by
the source's content. A new virtualenv, a reinstall or a read-only ``site-packages`` then
means compiling every kernel again (tens of seconds on the first screen). Kernel modules
import this module before they define their kernels; it puts ``KernelCacheLocator`` first
among numba's cache locators: the cache lives in ``OWNERGATE_CACHE_DIR`` (default
``$XDG_CACHE_HOME/ownergate``, else ``~/.cache/ownergate``), under the module's name rather
than its path, so the same code finds its kernels wherever it is installed. numba still
checks the source's content hash and the machine (CPU, numba version) of every entry, and
falls back to its own locators where that directory cannot be written (or where
``NUMBA_CACHE_DIR`` asks for another place).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from numba.core import caching, config

_PACKAGE_ROOT = Path(__file__).resolve().parent


def cache_root() -> Path:
    """The kernel cache directory (``OWNERGATE_CACHE_DIR``, or the user's cache folder)."""
    given = os.environ.get("OWNERGATE_CACHE_DIR")
    if given:
        return Path(given).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "ownergate"


class KernelCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """numba cache locator for ownergate's own modules, keyed by module, not by path, and
    by the source's content (not its modification time, which an install changes)."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        relative = Path(py_file).resolve().relative_to(_PACKAGE_ROOT)
        version = f"py{sys.version_info.major}{sys.version_info.minor}"
        self._cache_path = str(cache_root() / "kernels" / version / relative.parent)

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> str:
        return _content_hash(self._py_file)

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> KernelCacheLocator | None:
        if getattr(config, "CACHE_DIR", ""):
            return None  # NUMBA_CACHE_DIR set: numba's own locator honours it
        try:
            Path(py_file).resolve().relative_to(_PACKAGE_ROOT)
        except ValueError:
            return None  # not ownergate's: numba's own locators
        locator: KernelCacheLocator | None = super().from_function(py_func, py_file)  # type: ignore[no-untyped-call]
        return locator


@functools.cache
def _content_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# The class holding numba's locator list is ``CacheImpl`` (``_CacheImpl`` before 0.61).
_IMPL: Any = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl")  # noqa: B009
if KernelCacheLocator not in _IMPL._locator_classes:
    _IMPL._locator_classes.insert(0, KernelCacheLocator)
