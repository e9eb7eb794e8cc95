"""Name normalisation for matching: one comparable Latin form per name, in any script.

Legal forms are dropped rather than compared, because accounts and registries disagree on
them far more often than two different companies share every other word. The tables are
small and kept here, not taken from rigour: rigour needs normality, which needs PyICU,
which has no wheels and would tie the install to a system ICU.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Forms written in CJK scripts, removed before transliteration: once romanised they are
# runs of common syllables ("you xian gong si") that would be hard to tell from a name.
_NATIVE_FORMS: tuple[str, ...] = tuple(
    sorted(
        (
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "有限責任公司",
            "股份公司",
            "公司",
            "株式会社",
            "有限会社",
            "合同会社",
            "주식회사",
            "유한회사",
            "(주)",
            "（주）",
        ),
        key=len,
        reverse=True,
    )
)

# Latin-script legal forms, as token sequences once punctuation is gone and dotted initials
# are joined. Cyrillic forms arrive romanised ("ООО" -> "ooo").
_LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(
    tuple(form.split())
    for form in (
        "co ltd",
        "co limited",
        "company limited",
        "company ltd",
        "ltd",
        "limited",
        "co",
        "company",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "llc",
        "llp",
        "lp",
        "plc",
        "public limited company",
        "pty ltd",
        "pty",
        "pte ltd",
        "pte",
        "pvt ltd",
        "private limited",
        "pvt",
        "gmbh",
        "gmbh co kg",
        "co kg",
        "kg",
        "ag",
        "se",
        "ug",
        "mbh",
        "sa",
        "sas",
        "sarl",
        "sasu",
        "sl",
        "srl",
        "spa",
        "sro",
        "spol sro",
        "spol s ro",
        "s ro",
        "as",
        "asa",
        "aps",
        "ab",
        "oy",
        "oyj",
        "bv",
        "nv",
        "kk",
        "kabushiki kaisha",
        "kabushiki gaisha",
        "sp z oo",
        "spzoo",
        "kft",
        "zrt",
        "nyrt",
        "ooo",
        "oao",
        "zao",
        "pao",
        "ao",
        "tov",
        "pt",
        "tbk",
        "bhd",
        "sdn bhd",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "joint stock company",
        "closed joint stock company",
        "open joint stock company",
        "public joint stock company",
        "limited liability company",
        "aktiengesellschaft",
        "societe anonyme",
    )
)
_MAX_FORM = max(len(form) for form in _LEGAL_FORMS)

_WORD = re.compile(r"[a-z0-9]+")
# Dotted initials ("s.a.", "l.l.c.", "a. s.") become one token, so they meet "sa", "llc".
_INITIALS = re.compile(r"\b(?:[a-z]\.\s?){2,}")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A name reduced for comparison: ``key`` is ``tokens`` joined by single spaces."""

    key: str
    tokens: tuple[str, ...]


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
    )


def transliterate(text: str) -> str:
    """Latin letters for any script; CJK characters become one syllable each."""
    if text.isascii():
        return text
    # One token per CJK character: the scripts do not mark word boundaries, and
    # anyascii would otherwise glue a whole name into a single token.
    spaced = "".join(f" {char} " if _is_cjk(char) else char for char in text)
    return anyascii(spaced)


def _strip_native_forms(text: str) -> str:
    for form in _NATIVE_FORMS:
        if form in text:
            text = text.replace(form, " ")
    return text


def _drop_legal_forms(tokens: list[str]) -> list[str]:
    """Remove legal forms at either end, repeatedly ("Co., Ltd.", "ООО ... ")."""
    changed = True
    while changed and tokens:
        changed = False
        for size in range(min(_MAX_FORM, len(tokens) - 1), 0, -1):
            if tuple(tokens[-size:]) in _LEGAL_FORMS:
                tokens = tokens[:-size]
                changed = True
                break
            if tuple(tokens[:size]) in _LEGAL_FORMS:
                tokens = tokens[size:]
                changed = True
                break
    return tokens


@lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> NormalName:
    """The comparable form of ``name``: no legal form, Latin script, lower case.

    A name that is nothing but a legal form keeps it, so it still has a key.
    """
    text = unicodedata.normalize("NFKC", name)
    text = _strip_native_forms(text)
    text = transliterate(text).lower().replace("&", " and ")
    text = _INITIALS.sub(lambda m: " " + re.sub(r"[.\s]", "", m.group(0)) + " ", text)
    words = _WORD.findall(text.replace("'", ""))
    kept = _drop_legal_forms(words) or words
    return NormalName(" ".join(kept), tuple(kept))
