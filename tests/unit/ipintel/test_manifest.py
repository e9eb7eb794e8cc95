"""``sources.toml``: a sound manifest parses; a bad one names the source, list and key."""

from __future__ import annotations

import datetime as dt

import pytest

from ownergate.errors import InputError
from ownergate.ipintel.manifest import parse_manifest
from tests.ip_data import tiny_manifest


def test_a_sound_manifest_parses() -> None:
    manifest = parse_manifest(tiny_manifest())
    assert [s.name for s in manifest.sources] == ["geo", "lists"]
    assert manifest.sources[0].date == dt.date(2026, 11, 1)
    assert [lst.label for lst in manifest.lists] == [
        "geo/country",
        "geo/asn",
        "lists/tor",
        "lists/hosting_asn",
    ]
    assert manifest.lists[2].flag == "tor_exit"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('name = "geo"', 'name = "Geo Data"', "field 'name'"),
        ('name = "lists"', 'name = "geo"', "named twice"),
        ('date = 2026-11-01\nlicence = "CC0"', 'date = "soon"\nlicence = "CC0"', "'date'"),
        ('licence = "MIT"', 'licence = ""', "field 'licence'"),
        ('format = "asn_list"', 'format = "asn_txt"', "field 'format'"),
        ('flag = "tor_exit"', 'flag = "Tor Exit"', "field 'flag'"),
        ('flag = "tor_exit"', 'flag = "tor_exit"\ncountry = "CN"', "exactly one flag or country"),
        ('files = ["geo/asn.csv"]', 'files = ["../asn.csv"]', "inside the folder"),
        ('files = ["geo/asn.csv"]', 'files = ["/etc/asn.csv"]', "inside the folder"),
        ('files = ["geo/asn.csv"]', "files = []", "field 'files'"),
        ('id = "asn"', 'id = "country"', "share an id"),
        ("[[source]]", "[[source", "malformed TOML"),
    ],
)
def test_a_bad_manifest_names_what_is_wrong(old: str, new: str, where: str) -> None:
    text = tiny_manifest()
    assert old in text
    with pytest.raises(InputError) as caught:
        parse_manifest(text.replace(old, new, 1))
    assert "sources.toml" in str(caught.value)
    assert where in str(caught.value)


def test_a_value_list_takes_no_flag() -> None:
    text = tiny_manifest().replace(
        'format = "asn_ranges_csv"', 'format = "asn_ranges_csv"\nflag = "x"'
    )
    with pytest.raises(InputError, match="takes no flag or country"):
        parse_manifest(text)


def test_a_bad_checksum_entry_is_refused() -> None:
    with pytest.raises(InputError, match="SHA-256"):
        parse_manifest(tiny_manifest(checksums={"geo/asn.csv": "abc"}))
