"""Chinese names across scripts: Han characters read as pinyin syllables (pypinyin, which
reads polyphones from its phrase dictionary: 重庆 is "chong qing", 银行 "yin hang"), and
Latin words recognised as pinyin ("Huaxin" is "hua xin").

A hanzi name becomes one token per syllable, because the script marks no word boundaries;
a romanised name has one token per word. ``merge`` rejoins syllables into the words of the
name they are compared with, so "深圳华信" meets "Shenzhen Huaxin" whichever side is which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin_dict
from pypinyin.style import convert

_VOWEL = re.compile(r"[aeiouv]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Letters and endings pinyin has and English words of only pinyin syllables rarely do:
# "Huaxin", "Shenzhen", "Keji", "Huawei", "Dongfeng" but not "Banana", "Mining", "Anna".
_MARKERS = re.compile(r"x|q|zh|j|ua|uo|ao|ai|ei|ui|iu|ang|ong|eng|ian|iao|uan")
MAX_SYLLABLES = 4


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (about 400)."""
    found: set[str] = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            plain = convert(reading, Style.NORMAL, strict=True)
            if _VOWEL.search(plain):
                found.add(plain)
    return frozenset(found)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def han_to_pinyin(text: str) -> str:
    """``text`` with each Han character replaced by its pinyin syllable, space-separated
    (other characters are kept as they are)."""
    if not has_han(text):
        return text
    parts = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars)
    return " ".join(parts)


@lru_cache(maxsize=1 << 16)
def split_syllables(word: str) -> tuple[str, ...] | None:
    """``word`` as a sequence of pinyin syllables ("huaxin" -> ("hua", "xin")), or None
    when it is not one. Longest syllables first, backtracking: "xian" stays one syllable,
    "changan" is "chang an"."""
    table = syllables()
    word = word.lower()

    def walk(at: int) -> tuple[str, ...] | None:
        if at == len(word):
            return ()
        for size in range(min(6, len(word) - at), 0, -1):
            piece = word[at : at + size]
            if piece in table:
                rest = walk(at + size)
                if rest is not None:
                    return (piece, *rest)
        return None

    if not word.isalpha() or not word.isascii():
        return None
    return walk(0)


def looks_pinyin(word: str) -> bool:
    """A Latin word made of two or more pinyin syllables, with a pinyin marker."""
    found = split_syllables(word)
    return found is not None and len(found) >= 2 and _MARKERS.search(word.lower()) is not None


def merge(tokens: Sequence[str], vocabulary: Iterable[str]) -> list[str]:
    """``tokens`` with runs of adjacent tokens joined where the joined word is in
    ``vocabulary`` (longest run first): ["shen", "zhen", "hua", "xin"] against
    {"shenzhen", "huaxin"} gives ["shenzhen", "huaxin"]."""
    words = set(vocabulary)
    out: list[str] = []
    at = 0
    while at < len(tokens):
        for size in range(min(MAX_SYLLABLES, len(tokens) - at), 1, -1):
            joined = "".join(tokens[at : at + size])
            if joined in words:
                out.append(joined)
                at += size
                break
        else:
            out.append(tokens[at])
            at += 1
    return out


def joined_runs(tokens: Sequence[str]) -> set[str]:
    """Every run of 2 to ``MAX_SYLLABLES`` adjacent tokens, joined: the words a syllable
    name may have been written as in Latin script ("shen zhen" -> "shenzhen")."""
    out: set[str] = set()
    for at in range(len(tokens)):
        for size in range(2, MAX_SYLLABLES + 1):
            if at + size <= len(tokens):
                out.add("".join(tokens[at : at + size]))
    return out
