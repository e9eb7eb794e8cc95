"""Parsing addresses: strict, canonical, IPv4-mapped IPv6 as IPv4, and agreeing with the
standard library's ``ipaddress`` on what is an address."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.errors import InputError, IpAddressError
from ownergate.ipintel.addresses import parse_address
from tests.property import examples


@pytest.mark.parametrize(
    ("text", "ip", "version"),
    [
        ("8.8.8.8", "8.8.8.8", 4),
        (" 8.8.8.8\n", "8.8.8.8", 4),
        ("0.0.0.0", "0.0.0.0", 4),
        ("2001:4860:4860:0:0:0:0:8888", "2001:4860:4860::8888", 6),
        ("2001:4860:4860::8888", "2001:4860:4860::8888", 6),
        ("2A00:1450::1", "2a00:1450::1", 6),
        ("::ffff:1.2.3.4", "1.2.3.4", 4),
        ("::FFFF:102:304", "1.2.3.4", 4),
        ("::1", "::1", 6),
    ],
)
def test_addresses_parse_to_canonical_text(text: str, ip: str, version: int) -> None:
    address = parse_address(text)
    assert (address.text, address.version) == (ip, version)
    assert address.value == int(ipaddress.ip_address(ip))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2.3",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4.5",
        "1.2.3.4/24",
        "fe80::1%eth0",
        "1::2::3",
        "gggg::1",
        "example.com",
        "8.8.8.8\x00",
        "١.٢.٣.٤",
        "x" * 500,
    ],
)
def test_malformed_addresses_raise_an_input_error_naming_the_value(text: str) -> None:
    with pytest.raises(IpAddressError) as caught:
        parse_address(text)
    assert isinstance(caught.value, InputError)
    named = repr(text.strip()[:20])[:-1] if text.strip() else "empty"
    assert named in str(caught.value)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


@pytest.mark.parametrize("value", [None, 3232235777, b"1.2.3.4"])
def test_values_that_are_not_text_are_refused(value: object) -> None:
    with pytest.raises(IpAddressError, match="not an IP address"):
        parse_address(value)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("64:ff9b::77.88.8.8", "nat64"),
        ("64:ff9b::4d58:808", "nat64"),
        ("::77.88.8.8", "ipv4-compatible"),
        ("::ffff:0:77.88.8.8", "ipv4-translated"),
        ("2002:4d58:808::1", "6to4"),
        ("2002:4d58:808:1234:5678::9", "6to4"),
        # Teredo: server 65.54.227.120, the client's address inverted in the last 32 bits.
        ("2001:0:4136:e378:8000:63bf:b2a7:f7f7", "teredo"),
    ],
)
def test_ipv6_forms_that_carry_an_ipv4_address_are_read_as_it(text: str, form: str) -> None:
    address = parse_address(text)
    assert (address.text, address.version, address.embedded) == ("77.88.8.8", 4, form)


@pytest.mark.parametrize("text", ["::", "::1", "64:ff9b:1::4d58:808", "2001:db8::1", "2003::1"])
def test_other_ipv6_addresses_are_not_unwrapped(text: str) -> None:
    address = parse_address(text)
    assert address.version == 6 and address.embedded == ""


def _embedded_v4(reference: ipaddress.IPv4Address | ipaddress.IPv6Address) -> object:
    """The IPv4 address an IPv6 address carries, by the standard library's reading."""
    if reference.version == 4:
        return reference
    assert isinstance(reference, ipaddress.IPv6Address)
    value = int(reference)
    if reference.ipv4_mapped is not None:
        return reference.ipv4_mapped
    if reference.teredo is not None:
        return reference.teredo[1]
    if reference.sixtofour is not None:
        return reference.sixtofour
    if value >> 32 in (0, 0xFFFF0000, 0x0064FF9B << 64) and value not in (0, 1):
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return reference


_EMBEDDING = st.sampled_from([0, 0xFFFF0000, 0x0064FF9B << 64]).map(lambda p: p << 32)
_TUNNELS = st.sampled_from([0x2002 << 112, 0x20010000 << 96])


@settings(max_examples=examples(300), deadline=None)
@given(
    st.one_of(
        st.integers(0, (1 << 32) - 1).map(lambda v: str(ipaddress.IPv4Address(v))),
        st.integers(0, (1 << 128) - 1).map(lambda v: str(ipaddress.IPv6Address(v))),
        st.tuples(_EMBEDDING, st.integers(0, (1 << 32) - 1)).map(
            lambda t: str(ipaddress.IPv6Address(t[0] | t[1]))
        ),
        st.tuples(_TUNNELS, st.integers(0, (1 << 96) - 1)).map(
            lambda t: str(ipaddress.IPv6Address(t[0] | t[1]))
        ),
    )
)
def test_every_address_round_trips(text: str) -> None:
    expected = _embedded_v4(ipaddress.ip_address(text))
    assert isinstance(expected, ipaddress.IPv4Address | ipaddress.IPv6Address)
    address = parse_address(text)
    assert (address.version, address.value) == (expected.version, int(expected))
    assert address.text == str(expected)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEF:.", max_size=24))
def test_what_is_an_address_agrees_with_ipaddress(text: str) -> None:
    try:
        expected = ipaddress.ip_address(text)
    except ValueError:
        with pytest.raises(IpAddressError):
            parse_address(text)
        return
    address = parse_address(text)
    mapped = getattr(expected, "ipv4_mapped", None)
    assert address.value == int(mapped or expected)
