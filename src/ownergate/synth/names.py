"""Vectorised names: word indices per naming style, joined by Arrow compute kernels.

Names are built in two steps so that they can be permuted cheaply: the builders return
``PARTS`` word indices per name into one shared vocabulary (0 is "no word"), and
``render`` turns them into strings once, in the final row order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.synth import countries as C
from ownergate.synth import words as W
from ownergate.synth.structure import I16, I32, I64, Bool
from ownergate.synth.styles import STYLES

PARTS = 6  # [form] [prefix] core [industry] [(Country)] [form]
Parts = npt.NDArray[np.uint16]  # shape (n, PARTS): word indices, 0 for none

_vocab: list[str | None] = [None]


class _Lists:
    """One word list per key, appended to the shared vocabulary, sampled by index."""

    def __init__(self, lists: Sequence[Sequence[str | None]]) -> None:
        full = [list(x) if len(x) else [None] for x in lists]
        self.count = np.array([len(x) for x in full], dtype=np.int64)
        self.offset = len(_vocab) + np.cumsum(self.count) - self.count
        for words in full:
            _vocab.extend(words)
        self.count32 = self.count.astype(np.uint32)
        self.offset32 = self.offset.astype(np.uint32)

    def sample(self, rng: np.random.Generator, key: npt.NDArray[np.integer]) -> I32:
        """A uniform word of list ``key[i]`` for each ``i`` (multiply-shift, no floats)."""
        pick = rng.integers(0, 1 << 16, len(key), dtype=np.uint32)
        pick *= self.count32[key]
        pick >>= 16
        pick += self.offset32[key]
        return pick.view(np.int32)


_STYLE_KEYS = tuple(STYLES)
_STYLE_OF_COUNTRY = np.array(
    [_STYLE_KEYS.index(W.STYLE_OF.get(code, "en")) for code in C.CODES], dtype=np.uint8
)
_FORMS = [C.LEGAL_FORMS.get(code, C.DEFAULT_FORMS) for code in C.CODES]


def _style_lists(field: str) -> _Lists:
    return _Lists([getattr(STYLES[k], field) for k in _STYLE_KEYS])


_PREFIX = _style_lists("prefix")
_CORE = _style_lists("core")
_INDUSTRY = _style_lists("industry")
_GIVEN = _style_lists("given")
_FAMILY = _style_lists("family")
_FAMILY_FIRST = np.array([STYLES[k].family_first for k in _STYLE_KEYS])
_FORM_PRE = _Lists([pre for pre, _ in _FORMS])
_FORM_POST = _Lists([post for _, post in _FORMS])
_LABEL = _Lists([[f"({name})"] for name in C.NAMES])
_OFFSHORE = _Lists([W.OFFSHORE_INDUSTRY])
_TRUST_PREFIX = _Lists([W.TRUST_PREFIXES])
_TRUST_SUFFIX = _Lists([W.TRUST_SUFFIXES])
_NOMINEE_SUFFIX = _Lists([W.NOMINEE_SUFFIXES])
_STATE = _Lists([[name] for _, name in C.STATE_NAMES])


def _styles(country: I16) -> npt.NDArray[np.uint8]:
    return _STYLE_OF_COUNTRY[country]


def _stack(n: int, *parts: I32) -> Parts:
    out = np.zeros((n, PARTS), dtype=np.uint16)
    for k, part in enumerate(parts):
        out[:, k] = part
    return out


def company_names(
    rng: np.random.Generator,
    country: I16,
    legal: I16,
    offshore: Bool,
    brand_of: I32 | None = None,
) -> Parts:
    """``[form] [prefix] core [industry] [(Country)] [form]``.

    Words follow the headquarters country, legal forms the country of incorporation;
    offshore vehicles are "... Holdings". With ``brand_of`` (an index per company, -1 for
    none) a subsidiary reuses its group's core name, labelled with its country when that
    differs from the brand owner's ("Huaxin Logistics (Singapore) Pte. Ltd.").
    """
    n = len(country)
    style = _styles(country)
    out = np.zeros((n, PARTS), dtype=np.uint16)
    out[:, 0] = _FORM_PRE.sample(rng, legal)
    out[:, 1] = _PREFIX.sample(rng, style)
    core = _CORE.sample(rng, style)
    out[:, 3] = _INDUSTRY.sample(rng, style)
    holding = np.flatnonzero(offshore)
    out[holding, 3] = _OFFSHORE.sample(rng, np.zeros(len(holding), dtype=np.uint8))
    out[:, 5] = _FORM_POST.sample(rng, legal)
    if brand_of is None:
        out[:, 2] = core
        return out
    branded = np.flatnonzero(brand_of >= 0)
    source = brand_of[branded]
    core[branded] = core[source]
    out[:, 2] = core
    abroad = branded[country[branded] != country[source]]
    out[abroad, 1] = 0
    out[abroad, 4] = _LABEL.offset32[country[abroad]]
    return out


def person_names(rng: np.random.Generator, country: I16) -> Parts:
    style = _styles(country)
    given, family = _GIVEN.sample(rng, style), _FAMILY.sample(rng, style)
    first = _FAMILY_FIRST[style]
    return _stack(len(style), np.where(first, family, given), np.where(first, given, family))


def trust_names(rng: np.random.Generator, country: I16) -> Parts:
    """Family trusts, foundations and funds: "The Wang Family Trust", "Berg Pension Fund"."""
    zero = np.zeros(len(country), dtype=np.uint8)
    family = _FAMILY.sample(rng, _styles(country))
    return _stack(
        len(zero), _TRUST_PREFIX.sample(rng, zero), family, _TRUST_SUFFIX.sample(rng, zero)
    )


def nominee_names(rng: np.random.Generator, country: I16) -> Parts:
    zero = np.zeros(len(country), dtype=np.uint8)
    core = _CORE.sample(rng, _styles(country))
    return _stack(len(zero), core, _NOMINEE_SUFFIX.sample(rng, zero))


def state_names(states: I64) -> Parts:
    """State bodies by their index in ``countries.STATE_NAMES``."""
    return _stack(len(states), _STATE.offset[states].astype(np.int32))


def render(parts: Parts) -> pa.Array:
    """The names as one string array: each row's words joined by single spaces."""
    if len(_vocab) > np.iinfo(np.uint16).max:  # pragma: no cover - a static property
        raise AssertionError("vocabulary too large for uint16 word indices")
    present = ~np.array([w is None for w in _vocab])[parts]
    offsets = np.zeros(len(parts) + 1, dtype=np.int32)
    np.cumsum(np.count_nonzero(present, axis=1), out=offsets[1:], dtype=np.int32)
    flat = parts[present].astype(np.int32)  # row-major: each name's words in order
    words = pc.take(pa.array(_vocab, pa.string()), pa.array(flat), boundscheck=False)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), words), " ")
