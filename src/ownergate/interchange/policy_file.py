"""Reading a region policy from a TOML file."""

from __future__ import annotations

import os
from pathlib import Path

from ownergate.errors import InputError, PolicyError
from ownergate.interchange.files import PathLike
from ownergate.policy.model import Policy, parse_policy


def read_policy(path: PathLike) -> Policy:
    """Parse the policy in ``path``; errors name the file (and the offending key)."""
    name = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except UnicodeDecodeError:
        raise PolicyError("not UTF-8 text", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    return parse_policy(text, source=name)
