"""Running ``ownergate`` as an attacker's input reaches it: a real process, its output
captured whole, and checks that an error is one honest line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# What a terminal or a log reader would act on: C0/C1 controls (ESC starts a terminal
# escape), and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# An error names file, record and field, and shows each value cut to about 200 characters.
MAX_ERROR_LINE = 1_000


def run(*args: str | Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "ownergate", *map(str, args)],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        cwd=cwd,
        env={**base, "COLUMNS": "120", **env},
        timeout=300,
    )


def one_error_line(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The single ``error:`` line of a failed command, checked to be clean and short."""
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    text = proc.stderr
    assert text.endswith("\n") and text.count("\n") == 1, text[:2000]
    line = text.rstrip("\n")
    assert line.startswith("error: "), line[:300]
    assert not CONTROL.search(line), line[:300]
    assert len(line) <= MAX_ERROR_LINE, len(line)
    return line
