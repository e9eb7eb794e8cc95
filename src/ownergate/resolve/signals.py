"""What an account found in no registry entity is decided as (``unverified``).

Such an account is decided on its declared country alone: a declared policy region is
restricted. Otherwise the policy's ``unverified`` setting decides: ``review`` sends every
one to review; ``allow`` allows it unless one of the policy's ``unverified_signals`` fires:

- ``offshore_declaration``: the declared country is an offshore or holding jurisdiction
  (``offshore_countries``), where subsidiaries of groups from anywhere are declared;
- ``region_name``: the name is written in, or romanised from, a policy region's script
  (hanzi or pinyin words for CN, Cyrillic or romanised Russian legal forms for RU, hangul
  for KP unless declared in KR, Arabic script for IR);
- ``parent_in_region``: the customer declared a parent company in a policy region.

Each signal that fired is a flag on the decision, so the analyst sees why it waits (a
declared policy region restricts the account whatever fires).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ownergate.domain.model import Reason, Status
from ownergate.policy.model import Policy, Signal, Unverified
from ownergate.resolve.pinyin import has_han, looks_pinyin

_WORD = re.compile(r"[A-Za-z]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\uac00-\ud7af]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_RUSSIAN_FORMS = frozenset({"ooo", "oao", "zao", "pao", "ojsc", "cjsc", "pjsc"})


@dataclass(frozen=True, slots=True)
class UnverifiedOutcome:
    """The decision on an unverified account; ``signals`` are those that fired and count
    under the policy, ``text`` says why in one sentence."""

    status: Status
    reason: Reason
    signals: tuple[str, ...]
    text: str

    def as_json(self, policy: Policy) -> dict[str, object]:
        return {"mode": policy.unverified.value, "signals": list(self.signals), "text": self.text}


def region_name(name: str, country: str | None, regions: frozenset[str]) -> bool:
    """Whether ``name`` is written in, or romanised from, a script of a policy region."""
    text = unicodedata.normalize("NFKC", name)
    words = [w.lower() for w in _WORD.findall(text)]
    if "CN" in regions and (has_han(text) or any(looks_pinyin(w) for w in words)):
        return True
    if "RU" in regions and (_CYRILLIC.search(text) or _RUSSIAN_FORMS.intersection(words)):
        return True
    if "KP" in regions and country != "KR" and _HANGUL.search(text):
        return True
    return "IR" in regions and _ARABIC.search(text) is not None


def risk_signals(
    policy: Policy, name: str, country: str | None, parent_country: str | None
) -> tuple[str, ...]:
    """The policy's unverified signals that fire for this account, in the policy's order."""
    fired = {
        Signal.OFFSHORE: country is not None and country in policy.offshore_countries,
        Signal.REGION_NAME: region_name(name, country, policy.region_set),
        Signal.PARENT: parent_country is not None and parent_country in policy.region_set,
    }
    return tuple(s.value for s in policy.unverified_signals if fired[s])


def unverified_outcome(
    policy: Policy,
    declared: Status,
    name: str,
    country: str | None,
    parent_country: str | None = None,
) -> UnverifiedOutcome:
    """The decision on an account found in no registry entity, given the ``declared``
    status its declared country alone has under the policy."""
    if declared is not Status.ALLOWED:
        reason = Reason.REGION if declared is Status.RESTRICTED else Reason.UNDETERMINED
        text = f"declared country {country} decides it"
        return UnverifiedOutcome(declared, reason, (), text)
    signals = risk_signals(policy, name, country, parent_country)
    if policy.unverified is Unverified.REVIEW:
        text = "found in no registry: this policy reviews every unverified account"
        return UnverifiedOutcome(Status.REVIEW, Reason.UNDETERMINED, signals, text)
    if signals:
        text = "found in no registry, and risk signals fired: " + ", ".join(signals)
        return UnverifiedOutcome(Status.REVIEW, Reason.UNDETERMINED, signals, text)
    text = "found in no registry; allowed on its declared country, no risk signal fired"
    return UnverifiedOutcome(Status.ALLOWED, Reason.NONE, (), text)
