"""Screening an organisation that is no account: decided under the active pair and
returned, never stored.

The organisation is looked up in the active snapshot by registry id or LEI; inline holdings
(owners named by their snapshot ids) are added to it, so an organisation the registry does
not know yet is still looked through its owners.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergate.domain.model import Basis, Holding
from ownergate.domain.shares import Share, ShareSyntaxError
from ownergate.errors import InputError
from ownergate.service.decider import ORGANISATION_ID
from ownergate.service.deciding import Decided, Subject, check_country, decide
from ownergate.service.pairs import Deciders, active_pair, utcnow
from ownergate.store import Database

MAX_INLINE_HOLDINGS = 200


@dataclass(frozen=True, slots=True)
class InlineHolding:
    """A stake in the organisation as a request states it: ``share`` (a decimal or a
    percentage), or ``share_min``/``share_max`` with exclusive flags; neither is unknown."""

    owner: str
    share: str | None = None
    share_min: str | None = None
    share_max: str | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    basis: Basis = Basis.EQUITY

    def holding(self, index: int) -> Holding:
        where = f"holdings[{index}]"
        try:
            if self.share is not None:
                if self.share_min is not None or self.share_max is not None:
                    raise InputError(
                        "give share, or share_min and share_max, not both", field=f"{where}.share"
                    )
                share = Share.exact(self.share)
            elif self.share_min is not None or self.share_max is not None:
                if self.share_min is None or self.share_max is None:
                    raise InputError(
                        "give both share_min and share_max", field=f"{where}.share_min"
                    )
                share = Share.between(
                    self.share_min,
                    self.share_max,
                    low_exclusive=self.min_exclusive,
                    high_exclusive=self.max_exclusive,
                )
            else:
                share = Share.unknown()
        except ShareSyntaxError as exc:
            raise InputError(str(exc), field=f"{where}.share") from None
        return Holding(self.owner, ORGANISATION_ID, share, self.basis)


class ScreenService:
    def __init__(self, db: Database, deciders: Deciders) -> None:
        self._db = db
        self._deciders = deciders

    def screen(self, subject: Subject, holdings: list[InlineHolding]) -> Decided:
        """The organisation's decision with its evidence; nothing is stored."""
        check_country(subject.country, "country")
        if len(holdings) > MAX_INLINE_HOLDINGS:
            raise InputError(f"more than {MAX_INLINE_HOLDINGS} holdings", field="holdings")
        inline = [h.holding(i) for i, h in enumerate(holdings)]
        with self._db.read() as store:
            pair = active_pair(store)
        decider = self._deciders.get(pair)
        return decide(decider, pair, subject, utcnow().date(), inline)
