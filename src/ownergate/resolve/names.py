"""Name normalisation for matching: one comparable Latin form per name, in any script.

Legal forms are dropped rather than compared, because accounts and registries disagree on
them far more often than two different companies share every other word. The tables are
small and kept here, not taken from rigour: rigour needs normality, which needs PyICU,
which has no wheels and would tie the install to a system ICU.

Han characters are read as pinyin (``resolve.pinyin``), one syllable per character; the
romanised Chinese legal forms ("youxian gongsi", "gufen") are dropped like their English
ones, and the words that name a kind of company ("konggu", 控股: holdings; "jituan", 集团:
group) become their English word, in either script.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from ownergate.resolve.pinyin import han_to_pinyin, has_han

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
            "(香港)",
            "（香港）",
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

# Words naming a kind of company, the same in either script: replaced by one English word
# before Han characters are read, and after tokens are made for romanised ones.
_NATIVE_WORDS: tuple[tuple[str, str], ...] = (
    ("控股", "holdings"),
    ("集团", "group"),
    ("集團", "group"),
    ("科技", "technology"),
    ("贸易", "trading"),
    ("貿易", "trading"),
    ("投资", "investment"),
    ("投資", "investment"),
    ("国际", "international"),
    ("國際", "international"),
    ("实业", "industrial"),
    ("實業", "industrial"),
)
_ROMANISED_WORDS: dict[tuple[str, ...], str] = {
    tuple(form.split()): word
    for forms, word in (
        (("konggu", "kong gu", "holding"), "holdings"),
        (("jituan", "ji tuan"), "group"),
        (("keji", "ke ji"), "technology"),
        (("maoyi", "mao yi"), "trading"),
        (("touzi", "tou zi"), "investment"),
        (("guoji", "guo ji"), "international"),
        (("shiye", "shi ye"), "industrial"),
    )
    for form in forms
}
_MAX_WORD = max(len(key) for key in _ROMANISED_WORDS)
_WORD_STARTS = frozenset(key[0] for key in _ROMANISED_WORDS)
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")

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
        # Romanised Chinese, Korean and Japanese forms.
        "youxian gongsi",
        "you xian gong si",
        "youxian zeren gongsi",
        "you xian ze ren gong si",
        "gufen youxian gongsi",
        "gu fen you xian gong si",
        "gufen gongsi",
        "gu fen gong si",
        "gufen",
        "gongsi",
        "gong si",
        "jusik hoesa",
        "jusikhoesa",
        "chusik hoesa",
        "yuhan hoesa",
        "hoesa",
        "godo kaisha",
        "yugen kaisha",
        "kabushikigaisha",
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
    # True when the name was written in a CJK script: its tokens are syllables, one per
    # character, to be rejoined into the words of a romanised name they are compared with.
    syllabic: bool = False


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
    """Latin letters for any script; CJK characters become one syllable each (Han
    characters their pinyin, read with pypinyin's phrase dictionary)."""
    if text.isascii():
        return text
    text = f" {han_to_pinyin(text)} " if has_han(text) else text
    # One token per CJK character: the scripts do not mark word boundaries, and
    # anyascii would otherwise glue a whole name into a single token.
    spaced = "".join(f" {char} " if _is_cjk(char) else char for char in text)
    return anyascii(spaced)


def _replace_native_words(text: str) -> str:
    for native, word in _NATIVE_WORDS:
        if native in text:
            text = text.replace(native, f" {word} ")
    return text


def _replace_romanised_words(tokens: list[str]) -> list[str]:
    if _WORD_STARTS.isdisjoint(tokens):
        return tokens
    out: list[str] = []
    at = 0
    while at < len(tokens):
        for size in range(min(_MAX_WORD, len(tokens) - at), 0, -1):
            word = _ROMANISED_WORDS.get(tuple(tokens[at : at + size]))
            if word is not None:
                out.append(word)
                at += size
                break
        else:
            out.append(tokens[at])
            at += 1
    return out


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
    syllabic = not text.isascii() and _CJK.search(text) is not None
    text = _replace_native_words(_strip_native_forms(text))
    text = transliterate(text).lower().replace("&", " and ")
    text = _INITIALS.sub(lambda m: " " + re.sub(r"[.\s]", "", m.group(0)) + " ", text)
    words = _replace_romanised_words(_WORD.findall(text.replace("'", "")))
    kept = _drop_legal_forms(words) or words
    return NormalName(" ".join(kept), tuple(kept), syllabic)
