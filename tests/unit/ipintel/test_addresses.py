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


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.integers(0, (1 << 32) - 1), st.integers(0, (1 << 128) - 1)))
def test_every_address_round_trips(value: int) -> None:
    reference = ipaddress.ip_address(value)
    address = parse_address(str(reference))
    mapped = getattr(reference, "ipv4_mapped", None)
    expected = mapped or reference
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
