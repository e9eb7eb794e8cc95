"""Which address the gate judges: the peer, unless the peer is a trusted proxy, and then
the nearest forwarded address that is not one. A header from anyone else changes nothing."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ownergate.errors import ConfigError
from ownergate.gate import client_ip, parse_networks

TRUSTED = parse_networks(["10.0.0.0/8", "127.0.0.1", "2001:db8::/32"])


def scope(peer: str | None, *forwarded: str) -> dict[str, object]:
    return {
        "client": None if peer is None else (peer, 5000),
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_ip(scope("8.8.8.8", "77.88.8.8"), TRUSTED) == "8.8.8.8"
    assert client_ip(scope("8.8.8.8", "77.88.8.8"), ()) == "8.8.8.8"


def test_a_trusted_proxy_passes_on_the_address_it_saw() -> None:
    assert client_ip(scope("10.1.2.3", "77.88.8.8"), TRUSTED) == "77.88.8.8"


def test_addresses_a_client_wrote_itself_are_never_reached() -> None:
    # The client sent "X-Forwarded-For: 8.8.8.8"; the proxy appended the address it saw.
    assert client_ip(scope("10.0.0.1", "8.8.8.8, 77.88.8.8"), TRUSTED) == "77.88.8.8"
    assert client_ip(scope("10.0.0.1", "8.8.8.8", "77.88.8.8, 10.9.9.9"), TRUSTED) == "77.88.8.8"


def test_a_chain_of_trusted_proxies_falls_back_to_the_peer() -> None:
    assert client_ip(scope("10.0.0.1", "10.0.0.2, 127.0.0.1"), TRUSTED) == "10.0.0.1"
    assert client_ip(scope("10.0.0.1"), TRUSTED) == "10.0.0.1"


def test_ipv6_and_mapped_ipv4_peers() -> None:
    assert client_ip(scope("2001:db8::1", "2a00:1450::1"), TRUSTED) == "2a00:1450::1"
    assert client_ip(scope("::ffff:10.0.0.1", "77.88.8.8"), TRUSTED) == "77.88.8.8"


def test_no_peer_means_no_address() -> None:
    assert client_ip(scope(None, "77.88.8.8"), TRUSTED) is None


def test_a_bad_trusted_proxy_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="10.0.0.300"):
        parse_networks(["10.0.0.300"])


def trusted(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed.version == n.version and parsed in n for n in TRUSTED)


hops = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(network="10.0.0.0/8").map(str),
    st.ip_addresses(v=6).map(str),
    st.sampled_from(["127.0.0.1", "not-an-ip", ""]),
)
peers = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(network="10.0.0.0/8").map(str))


@given(peer=peers, forwarded=st.lists(hops, max_size=5), spoofed=st.lists(hops, max_size=3))
def test_what_a_client_prepends_never_changes_the_answer(
    peer: str, forwarded: list[str], spoofed: list[str]
) -> None:
    found = client_ip(scope(peer, ", ".join(forwarded)), TRUSTED)
    if not trusted(peer):
        assert found == peer
        return
    # Only the peer itself may be a trusted address; anything else came from the header.
    assert found == peer or (found in forwarded and not trusted(found))
    if found != peer:
        # Entries a client wrote sit left of what the proxies appended: they are not read.
        spoofed_header = ", ".join([*spoofed, *forwarded])
        assert client_ip(scope(peer, spoofed_header), TRUSTED) == found
