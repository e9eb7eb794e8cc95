"""Real lookups over the bundled data: restricted-region resolvers and carriers, clouds,
Tor exits, iCloud Private Relay, VPNs, IPv6, reserved space and malformed input."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ownergate.errors import IpAddressError
from ownergate.ipintel import Flag, IpInfo, IpIntel
from tests.ip_data import first_address

GEO = "ip_location_db/country"


@pytest.mark.parametrize(
    ("ip", "country", "asn"),
    [
        ("114.114.114.114", "CN", 21859),
        ("223.5.5.5", "CN", 45102),
        ("77.88.8.8", "RU", 13238),
        ("2.144.0.1", "IR", 44244),
        ("175.45.176.1", "KP", 131279),
        ("8.8.8.8", "US", 15169),
        ("1.1.1.1", "AU", 13335),
        ("2001:4860:4860::8888", "US", 15169),
        ("240e::1", "CN", 4134),
    ],
)
def test_countries_and_networks(intel: IpIntel, ip: str, country: str, asn: int) -> None:
    info = intel.lookup(ip)
    assert (info.country, info.country_source, info.asn) == (country, GEO, asn)
    assert info.country_sources[0].source == GEO
    assert info.as_org and info.asn_source == "ip_location_db/asn"
    assert "ip_location_db" in [s.name for s in info.sources]


def test_mainland_china_networks_add_their_own_answer(intel: IpIntel) -> None:
    cn = intel.lookup("114.114.114.114")
    assert [(a.source, a.country) for a in cn.country_sources] == [
        (GEO, "CN"),
        ("china_operator_ip/mainland", "CN"),
    ]
    assert not cn.disputed
    assert [a.source for a in intel.lookup("8.8.8.8").country_sources] == [GEO]


def test_tor_exits_are_flagged_in_both_versions(intel: IpIntel) -> None:
    for version in (4, 6):
        info = intel.lookup(first_address("tor_exit_nodes/tor-exit-nodes.lst", version))
        assert Flag("tor_exit", "tor_exit_nodes/exits") in info.flags
        tor = next(s for s in info.sources if s.name == "tor_exit_nodes")
        assert (str(tor.date), tor.stale) == ("2024-02-27", True)


def test_cloud_addresses_are_hosting(intel: IpIntel) -> None:
    assert Flag("hosting", "cloud_ip_ranges/amazon") in intel.lookup("52.95.110.1").flags
    v6 = first_address("cloud_ip_ranges/amazon/ipv6_merged.txt", 6)
    assert Flag("hosting", "cloud_ip_ranges/amazon") in intel.lookup(v6).flags
    google = intel.lookup("8.8.8.8")
    assert Flag("hosting", "cloud_ip_ranges/google") in google.flags
    assert google.flag_names == ("hosting",)


def test_hosting_by_asn_list(intel: IpIntel) -> None:
    # AliDNS is announced by Alibaba's AS45102, in X4BNet's list of hosting ASNs.
    info = intel.lookup("223.5.5.5")
    assert Flag("hosting", "x4bnet_vpn_datacenter/datacenter_asn") in info.flags


def test_icloud_private_relay_is_a_relay(intel: IpIntel) -> None:
    for version in (4, 6):
        address = first_address("cloud_ip_ranges/apple-proxy/ipv4_merged.txt", 4)
        if version == 6:
            address = first_address("cloud_ip_ranges/apple-proxy/ipv6_merged.txt", 6)
        assert Flag("relay", "cloud_ip_ranges/apple-proxy") in intel.lookup(address).flags


def test_vpn_providers_are_vpn(intel: IpIntel) -> None:
    address = first_address("x4bnet_vpn_datacenter/vpn_provider_mullvadvpn.txt", 4)
    assert Flag("vpn", "x4bnet_vpn_datacenter/mullvadvpn") in intel.lookup(address).flags


def test_restricted_resolvers_carry_no_anonymiser_flags(intel: IpIntel) -> None:
    for ip in ("77.88.8.8", "2.144.0.1", "175.45.176.1"):
        assert intel.lookup(ip).flags == ()


def test_ipv4_mapped_ipv6_is_looked_up_as_ipv4(intel: IpIntel) -> None:
    mapped, plain = intel.lookup("::ffff:8.8.8.8"), intel.lookup("8.8.8.8")
    assert (mapped.ip, mapped.version, mapped.query) == ("8.8.8.8", 4, "::ffff:8.8.8.8")
    assert (mapped.country, mapped.asn, mapped.flags) == (plain.country, plain.asn, plain.flags)


@pytest.mark.parametrize(
    "ip",
    [
        "10.0.0.1",
        "127.0.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.1.1",
        "224.0.0.1",
        "255.255.255.255",
        "0.0.0.0",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "2001:db8::1",
        "ff02::1",
    ],
)
def test_reserved_space_answers_no_country(intel: IpIntel, ip: str) -> None:
    info = intel.lookup(ip)
    assert (info.country, info.country_sources, info.asn) == (None, (), None)
    assert info.flags == (Flag("reserved", "iana/special-purpose"),)


@pytest.mark.parametrize("bad", ["8.8.8", "8.8.8.256", "not-an-ip", "", "2001:::1", "1.2.3.4/32"])
def test_malformed_addresses_are_input_errors(intel: IpIntel, bad: str) -> None:
    with pytest.raises(IpAddressError):
        intel.lookup(bad)


def test_batches_answer_as_single_lookups(intel: IpIntel) -> None:
    batch = ["8.8.8.8", "240e::1", "::ffff:77.88.8.8", "10.0.0.1", "185.220.101.1", "8.8.8.8"]
    assert intel.lookup_many(batch) == [intel.lookup(ip) for ip in batch]
    assert intel.lookup_many([]) == []
    with pytest.raises(IpAddressError, match="item 3"):
        intel.lookup_many(["8.8.8.8", "::1", "bad"])


def test_answers_are_whole_frozen_ip_infos(intel: IpIntel) -> None:
    info = intel.lookup("8.8.8.8")
    names = {f.name for f in dataclasses.fields(IpInfo)}
    assert set(vars(info)) == names
    assert info == IpInfo(**{name: getattr(info, name) for name in names})
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.country = "RU"  # type: ignore[misc]


def test_json_has_ip_country_flags_and_dated_sources(intel: IpIntel) -> None:
    doc = json.loads(json.dumps(intel.lookup("185.220.101.1").to_json()))
    assert doc["ip"] == "185.220.101.1" and doc["country"] == "DE"
    assert {"name": "tor_exit", "source": "tor_exit_nodes/exits"} in doc["flags"]
    assert {"name": "tor_exit_nodes", "date": "2024-02-27", "stale": True} in doc["sources"]
    assert set(doc) >= {"ip", "country", "flags", "sources", "country_sources", "asn"}


def test_sources_have_dates_licences_and_records(intel: IpIntel) -> None:
    by_name = {s.name: s for s in intel.sources}
    assert set(by_name) == {
        "ip_location_db",
        "china_operator_ip",
        "x4bnet_vpn_datacenter",
        "cloud_ip_ranges",
        "tor_exit_nodes",
    }
    assert by_name["ip_location_db"].licence == "CC BY 4.0"
    assert "db-ip.com" in by_name["ip_location_db"].attribution
    assert by_name["ip_location_db"].records > 1_000_000
    assert {s.name for s in intel.stale_sources()} == {"tor_exit_nodes", "china_operator_ip"}


def test_the_index_is_memory_mapped(bundled_index: Path) -> None:
    assert (bundled_index / "v4.starts.npy").is_file()
    assert (bundled_index.parent / "sources" / "ip_location_db" / "NRO_LICENSE").is_file()
