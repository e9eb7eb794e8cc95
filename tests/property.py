"""How hard the property tests look: ``OWNERGATE_PROPERTY_SCALE=30`` multiplies every
test's number of examples (CI runs the default, 1)."""

from __future__ import annotations

import os


def examples(n: int) -> int:
    return n * max(1, int(os.environ.get("OWNERGATE_PROPERTY_SCALE", "1")))
