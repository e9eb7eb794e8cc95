"""Registry importers (GLEIF, BODS, FollowTheMoney, the interchange format) and the merge
of several sources into one snapshot registry."""

from ownergate.importers.merge import merge
from ownergate.importers.records import (
    EntityRecord,
    FactRecord,
    HoldingRecord,
    Reject,
    SourceBatch,
)
from ownergate.importers.sources import (
    FORMATS,
    Options,
    SourceSpec,
    import_sources,
    read_source,
    read_sources_file,
)

__all__ = [
    "FORMATS",
    "EntityRecord",
    "FactRecord",
    "HoldingRecord",
    "Options",
    "Reject",
    "SourceBatch",
    "SourceSpec",
    "import_sources",
    "merge",
    "read_source",
    "read_sources_file",
]
