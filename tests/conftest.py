"""Test-suite configuration.

Fixture strategy: unit tests build tiny registries in code (readable, no files); integration
tests write small files to ``tmp_path``; nothing touches the network. Property tests run the
``default`` hypothesis profile; ``HYPOTHESIS_PROFILE=deep`` runs many more examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "deep", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
