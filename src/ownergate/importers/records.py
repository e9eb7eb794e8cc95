"""What every registry importer produces: plain records of one source, before merging.

Importers (GLEIF, BODS, FollowTheMoney) read a format and emit these records; ``merge``
turns one or more ``SourceBatch`` into the columnar snapshot tables. Ids are the source's
own ids except where an entity carries an LEI: then the LEI is its id in every importer, so
that sources meet on it when merged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ownergate.domain.model import Basis, Kind
from ownergate.domain.shares import Share
from ownergate.errors import InputError


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An entity as a source states it.

    ``country`` is the headquarters / main country (the policy's default basis),
    ``legal_country`` the country of the legal address or incorporation. ``status`` is the
    source's own word (GLEIF ``ACTIVE``/``INACTIVE``, BODS dissolved, ...), empty if none.
    """

    id: str
    record: str  # statement id, LEI record, FtM id or line: where it came from in the file
    name: str = ""
    kind: Kind = Kind.COMPANY
    country: str | None = None
    legal_country: str | None = None
    listed: bool = False
    status: str = ""
    other_names: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value), e.g. ("LEI", "5493...")


@dataclass(frozen=True, slots=True)
class HoldingRecord:
    """``owner`` holds ``share`` of ``owned``; ``relation`` is the source's own type name
    (``IS_DIRECTLY_CONSOLIDATED_BY``, ``shareholding``, ``Ownership``, ...)."""

    owner: str
    owned: str
    share: Share
    record: str
    relation: str
    basis: Basis = Basis.EQUITY
    nominee_for: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class FactRecord:
    """A stated fact kept for explanations and cross-checks, never used in the computation.

    Examples: a GLEIF reporting exception (``kind="reporting_exception"``,
    ``detail="NATURAL_PERSONS"``), a GLEIF ultimate parent (``kind="ultimate_parent"``,
    ``related=<LEI>``), a BODS indirect interest as stated by the publisher
    (``kind="stated_indirect"``, ``related=<owner id>``, ``detail="60%"``), a sanctions
    topic from FollowTheMoney (``kind="topic"``, ``detail="sanction"``).
    """

    entity: str
    kind: str
    detail: str
    record: str
    related: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """A record left out under ``--skip-invalid``: the error and the raw record text."""

    error: InputError
    raw: str


@dataclass
class SourceBatch:
    """Everything one source file (or a set of files of one format) contributed.

    ``source`` describes it for the manifest: at least ``format`` and ``path``; importers
    add what they know (``version`` of the standard, ``publication_date``, ``records``).
    """

    source: dict[str, Any]
    entities: list[EntityRecord] = field(default_factory=list)
    holdings: list[HoldingRecord] = field(default_factory=list)
    facts: list[FactRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def reject_or_raise(self, error: InputError, raw: str, skip_invalid: bool) -> None:
        """Under ``skip_invalid`` keep the record as a reject, otherwise raise ``error``."""
        if not skip_invalid:
            raise error
        self.rejects.append(Reject(error, raw))
