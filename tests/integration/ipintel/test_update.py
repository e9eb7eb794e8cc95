"""``IpDataStore``: first use compiles the bundle; an update validates a folder, switches
atomically, and leaves the data in use untouched when any file is bad."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from ownergate.errors import ConfigError, InputError
from ownergate.ipintel import IpDataStore, IpIntel
from ownergate.ipintel.index import IpIndex
from tests.ip_data import tiny_folder


@pytest.fixture
def store(tmp_path: Path) -> IpDataStore:
    store = IpDataStore(tmp_path / "ip", bundle=tiny_folder(tmp_path / "bundle"))
    store.ensure()
    return store


def country(index: Path | None, ip: str) -> str | None:
    assert index is not None
    return IpIntel.load(index).lookup(ip).country


def test_first_use_compiles_the_bundle(store: IpDataStore) -> None:
    index = store.current()
    assert index is not None and country(index, "8.8.8.8") == "US"
    info = IpIntel.load(index).lookup("2a00:1450::1")
    assert (info.country, info.flag_names) == ("IE", ("tor_exit",))
    assert IpIntel.load(index).lookup("8.8.8.8").flag_names == ("hosting",)
    assert json.loads((index / "index.json").read_text())["origin"] == "bundled"


def test_a_good_folder_switches_the_data(store: IpDataStore, tmp_path: Path) -> None:
    before = store.current()
    changed = {"geo/country.csv": "8.8.8.0,8.8.8.255,DE\n"}
    after = store.update(tiny_folder(tmp_path / "new", changed))
    assert after != before and store.current() == after
    assert country(after, "8.8.8.8") == "DE"
    assert before is not None and before.is_dir()  # the previous version is kept
    assert store.update(tmp_path / "new") == after  # the same data is the same version


BAD = [
    ("lists/tor.txt", "185.220.101.1\n300.1.1.1\n", "lists/tor.txt, line 2, field 'network'"),
    ("lists/tor.txt", "10.0.0.1/8\n", "lists/tor.txt, line 1, field 'network'"),
    (
        "geo/country.csv",
        "ip_range_start,x,y\n1.0.0.0,1.0.0.255,AUS\n",
        "line 2, field 'country_code'",
    ),
    ("geo/country.csv", "1.0.0.9,1.0.0.1,AU\n", "line 1, field 'ip_range_end'"),
    ("geo/country.csv", "1.0.0.0,::1,AU\n", "line 1, field 'ip_range_end'"),
    ("geo/country.csv", "1.0.0.0,1.0.0.255\n", "line 1: expected 3 columns"),
    ("geo/asn.csv", "8.8.8.0,8.8.8.255,-5,x\n", "field 'autonomous_system_number'"),
    ("lists/hosting_asn.txt", "AS15169\nASX\n", "lists/hosting_asn.txt, line 2, field 'asn'"),
]


@pytest.mark.parametrize(("name", "text", "named"), BAD)
def test_a_bad_file_is_named_and_changes_nothing(
    store: IpDataStore, tmp_path: Path, name: str, text: str, named: str
) -> None:
    before = store.current()
    pointer = (store.root / "CURRENT").read_bytes()
    with pytest.raises(InputError) as caught:
        store.update(tiny_folder(tmp_path / "bad", {name: text}))
    assert named in str(caught.value)
    assert store.current() == before and (store.root / "CURRENT").read_bytes() == pointer
    assert country(before, "8.8.8.8") == "US"
    assert not list(store.versions.glob(".tmp-*"))


def test_a_file_that_fails_its_checksum_changes_nothing(store: IpDataStore, tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path / "new")
    (folder / "geo" / "country.csv").write_text("8.8.8.0,8.8.8.255,DE\n")
    before = store.current()
    with pytest.raises(InputError, match=r"geo/country.csv: does not match its checksum"):
        store.update(folder)
    assert store.current() == before


def test_missing_and_damaged_files_are_named(store: IpDataStore, tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path / "new", {"geo/country.csv": "8.8.8.0,8.8.8.255,DE\n"})
    (folder / "lists" / "tor.txt").unlink()
    with pytest.raises(InputError, match="lists/tor.txt: missing"):
        store.update(folder)
    folder = tiny_folder(tmp_path / "gz", {"geo/country.csv": "8.8.8.0,8.8.8.255,DE\n"})
    text = (folder / "sources.toml").read_text().replace("geo/country.csv", "geo/country.csv.gz")
    (folder / "sources.toml").write_text(text)
    (folder / "geo" / "country.csv.gz").write_bytes(gzip.compress(b"8.8.8.0,8.8.8.255,DE\n")[:-9])
    with pytest.raises(InputError, match=r"geo/country.csv.gz: cannot be read"):
        store.update(folder)
    with pytest.raises(InputError, match="sources.toml: missing"):
        store.update(tmp_path)
    with pytest.raises(InputError, match="is not a folder"):
        store.update(tmp_path / "nowhere")


def test_gzipped_files_and_loose_rows_are_read(store: IpDataStore, tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path / "gz")
    text = (folder / "sources.toml").read_text()
    (folder / "sources.toml").write_text(
        text.split("[checksums]")[0].replace("geo/country.csv", "geo/country.csv.gz")
    )
    rows = b"8.8.8.0, 8.8.8.255 ,DE \n\n2a00:1450::,2a00:1450::ff,IE\n"
    (folder / "geo" / "country.csv.gz").write_bytes(gzip.compress(rows))
    index = store.update(folder)
    assert country(index, "8.8.8.8") == "DE" and country(index, "2a00:1450::1") == "IE"


def test_a_newer_bundle_replaces_bundled_data_but_not_an_update(tmp_path: Path) -> None:
    bundle = tiny_folder(tmp_path / "bundle")
    store = IpDataStore(tmp_path / "ip", bundle=bundle)
    first = store.ensure()
    assert store.ensure() == first
    tiny_folder(bundle, {"geo/country.csv": "8.8.8.0,8.8.8.255,NL\n"})
    second = store.ensure()
    assert second != first and country(second, "8.8.8.8") == "NL"
    updated = store.update(tiny_folder(tmp_path / "mine", {"geo/asn.csv": ""}))
    tiny_folder(bundle, {"geo/country.csv": "8.8.8.0,8.8.8.255,FR\n"})
    assert store.ensure() == updated


def test_old_versions_are_pruned(store: IpDataStore, tmp_path: Path) -> None:
    for code in ("DE", "FR", "NL"):
        store.update(tiny_folder(tmp_path / code, {"geo/country.csv": f"8.8.8.0,8.8.8.8,{code}\n"}))
    assert len([p for p in store.versions.iterdir() if p.is_dir()]) == 2
    assert country(store.current(), "8.8.8.8") == "NL"


def test_no_data_and_no_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ip update"):
        IpDataStore(tmp_path / "ip", bundle=tmp_path / "none").ensure()


def test_a_damaged_index_is_a_config_error(store: IpDataStore) -> None:
    index = store.current()
    assert index is not None
    (index / "v4.facts.npy").write_bytes(b"not numpy")
    with pytest.raises(ConfigError, match="damaged"):
        IpIndex.load(index)


def test_versions_are_named_by_their_content(store: IpDataStore) -> None:
    index = store.current()
    assert index is not None
    sources = index.parent / "sources"
    assert (sources / "sources.toml").is_file() and (sources / "geo" / "asn.csv").is_file()
    digest = hashlib.sha256((sources / "geo" / "asn.csv").read_bytes()).hexdigest()
    assert digest in (sources / "sources.toml").read_text()
