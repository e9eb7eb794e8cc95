"""Test-suite configuration.

Fixture strategy: unit tests build tiny registries in code (readable, no files); integration
tests write small files to ``tmp_path``; nothing touches the network. Property tests set
their number of examples through ``tests.property.examples``
(``OWNERGATE_PROPERTY_SCALE=30`` looks thirty times harder).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")
