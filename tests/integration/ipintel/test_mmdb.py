"""MaxMind databases through the real ``maxminddb`` reader, on small ``.mmdb`` files written
here with ``mmdb-writer``: the operator's database answers first, and where it disagrees
with the bundled data both answers stay visible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from ownergate.errors import ConfigError
from ownergate.ipintel import Flag, IpIntel
from ownergate.ipintel.maxmind import MaxMindDatabases
from ownergate.settings import Settings
from tests.integration.ipintel.conftest import TODAY


def write_mmdb(
    path: Path, kind: str, networks: dict[str, dict[str, Any]], version: int = 6
) -> Path:
    writer = MMDBWriter(ip_version=version, database_type=kind, ipv4_compatible=version == 6)
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def mmdbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mmdb")
    # Fresh dicts each: mmdb-writer mixes up records that share a nested dict.
    return {
        "country": write_mmdb(
            folder / "country.mmdb",
            "GeoLite2-Country",
            {
                "1.1.1.0/24": {"country": {"iso_code": "US"}},
                "2001:4860::/32": {"country": {"iso_code": "US"}},
                "8.8.8.0/24": {"registered_country": {"iso_code": "US"}},
            },
        ),
        "asn": write_mmdb(
            folder / "asn.mmdb",
            "GeoLite2-ASN",
            {
                "1.1.1.0/24": {
                    "autonomous_system_number": 13335,
                    "autonomous_system_organization": "CLOUDFLARENET",
                }
            },
            version=4,
        ),
        "anonymous": write_mmdb(
            folder / "anonymous.mmdb",
            "GeoIP2-Anonymous-IP",
            {
                "185.220.101.0/24": {"is_anonymous": True, "is_tor_exit_node": True},
                "5.6.7.0/24": {"is_anonymous_vpn": True, "is_hosting_provider": True},
            },
        ),
    }


@pytest.fixture(scope="module")
def with_mmdb(bundled_index: Path, mmdbs: dict[str, Path]) -> IpIntel:
    databases = MaxMindDatabases.open(dict(mmdbs), today=TODAY, max_age_days=180)
    return IpIntel.load(bundled_index, mmdb=databases, today=TODAY)


def test_the_configured_database_answers_first_and_disagreement_stays_visible(
    with_mmdb: IpIntel,
) -> None:
    info = with_mmdb.lookup("1.1.1.1")
    assert (info.country, info.country_source) == ("US", "maxmind/GeoLite2-Country")
    assert [(a.source, a.country) for a in info.country_sources] == [
        ("maxmind/GeoLite2-Country", "US"),
        ("ip_location_db/country", "AU"),
    ]
    assert info.disputed and info.to_json()["disputed"] is True
    assert (info.asn, info.as_org, info.asn_source) == (
        13335,
        "CLOUDFLARENET",
        "maxmind/GeoLite2-ASN",
    )
    names = [s.name for s in info.sources]
    assert names[:2] == ["maxmind/GeoLite2-Country", "maxmind/GeoLite2-ASN"]
    assert "ip_location_db" in names


def test_registered_country_is_the_fallback(with_mmdb: IpIntel) -> None:
    info = with_mmdb.lookup("8.8.8.8")
    assert info.country == "US" and info.country_source == "maxmind/GeoLite2-Country"
    assert not info.disputed


def test_anonymous_ip_flags_join_the_bundled_ones(with_mmdb: IpIntel) -> None:
    tor = with_mmdb.lookup("185.220.101.1")
    assert Flag("tor_exit", "maxmind/GeoIP2-Anonymous-IP") in tor.flags
    assert Flag("tor_exit", "tor_exit_nodes/exits") in tor.flags
    vpn = with_mmdb.lookup("5.6.7.8")
    assert {f.name for f in vpn.flags if f.source.startswith("maxmind")} == {"vpn", "hosting"}


def test_ipv6_asked_of_an_ipv4_database_is_no_answer(with_mmdb: IpIntel) -> None:
    info = with_mmdb.lookup("2001:4860:4860::8888")
    assert info.country_source == "maxmind/GeoLite2-Country"
    assert info.asn_source == "ip_location_db/asn"


def test_reserved_space_is_not_asked(with_mmdb: IpIntel) -> None:
    info = with_mmdb.lookup("10.0.0.1")
    assert (info.country, info.flag_names, info.sources) == (None, ("reserved",), ())


def test_database_dates_are_sources(with_mmdb: IpIntel) -> None:
    dated = {s.name: s for s in with_mmdb.sources if s.name.startswith("maxmind/")}
    assert set(dated) == {
        "maxmind/GeoLite2-Country",
        "maxmind/GeoLite2-ASN",
        "maxmind/GeoIP2-Anonymous-IP",
    }
    assert all(s.date and abs((s.date - dt.date.today()).days) <= 1 for s in dated.values())


def test_open_reads_the_settings(bundled_root: Path, mmdbs: dict[str, Path]) -> None:
    settings = Settings(
        ip_data_dir=bundled_root, ip_mmdb_country=mmdbs["country"], ip_max_age_days=10_000
    )
    with IpIntel.open(settings, today=TODAY) as intel:
        assert intel.lookup("1.1.1.1").country == "US"
        assert intel.stale_sources() == ()


def test_a_wrong_or_broken_database_is_a_config_error(
    tmp_path: Path, mmdbs: dict[str, Path]
) -> None:
    with pytest.raises(ConfigError, match="OWNERGATE_IP_MMDB_COUNTRY.*'GeoLite2-ASN'"):
        MaxMindDatabases.open({"country": mmdbs["asn"]}, today=TODAY, max_age_days=1)
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"\0" * 4096)
    with pytest.raises(ConfigError, match="OWNERGATE_IP_MMDB_ASN.*not a MaxMind DB"):
        MaxMindDatabases.open({"asn": junk}, today=TODAY, max_age_days=1)
    with pytest.raises(ConfigError, match="does not exist"):
        MaxMindDatabases.open({"anonymous": tmp_path / "none.mmdb"}, today=TODAY, max_age_days=1)
    assert MaxMindDatabases.open({"country": None}, today=TODAY, max_age_days=1) is None
