"""Address rules, host spellings and allow-list entries, without any network."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from podops.fetch import (
    AllowRule,
    FetchPolicy,
    SchemeNotAllowedError,
    blocked_reason,
    fetch_bytes,
    parse_host_address,
)
from podops.fetch.addresses import is_hostname, is_metadata_address


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.255", "CGNAT"),
        ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.1", "documentation"),
        ("203.0.113.1", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("192.0.0.8", "IETF"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("64:ff9b::7f00:1", "NAT64 form of 127.0.0.1, loopback"),
        ("64:ff9b::a00:1", "NAT64 form of 10.0.0.1, private"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:7f00:1::", "6to4 form of 127.0.0.1, loopback"),
        ("2002:a9fe:a9fe::1", "metadata"),
        ("2002:808:808::1", "6to4 tunnel"),  # even a public one: 6to4 is deprecated
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo form of 127.0.0.1"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("100::1", "discard"),
        ("fc00::1", "unique-local"),
        ("fd00:ec2::254", "metadata"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("4000::1", "outside global unicast"),
    ],
)
def test_blocked_addresses(address: str, reason: str) -> None:
    found = blocked_reason(ip_address(address))
    assert found is not None
    assert reason in found


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",  # just below CGNAT
        "100.128.0.0",  # just above
        "172.32.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",  # NAT64 of a public address: how IPv6-only networks reach IPv4
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ip_address(address)) is None


def test_metadata_detection_sees_through_embeddings() -> None:
    assert is_metadata_address(IPv4Address("169.254.169.254"))
    assert is_metadata_address(IPv6Address("::ffff:169.254.169.254"))
    assert is_metadata_address(IPv6Address("64:ff9b::a9fe:a9fe"))
    assert not is_metadata_address(IPv4Address("169.254.169.253"))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("10.0x10.0x100", "10.16.1.0"),
        ("::1", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
    ],
)
def test_every_spelling_of_an_address_is_read(host: str, address: str) -> None:
    assert parse_host_address(host) == ip_address(address)


@pytest.mark.parametrize(
    "host", ["example.com", "media.example", "localhost", "1.2.3.com", "0x7f.a"]
)
def test_names_are_names(host: str) -> None:
    assert parse_host_address(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "1.2.3.4.5",
        "256.0.0.1",
        "1.256.0.0",
        "08.1",
        "0x1.0xg.1",
        "4294967296",
        "1..1",
        "fe80::1%eth0",
    ],
)
def test_numeric_hosts_that_are_no_address_are_errors(host: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_host_address(host)


def test_host_names() -> None:
    assert is_hostname("media.example")
    assert is_hostname("cdn_1.example.com.")
    assert is_hostname("xn--bcher-kva.example")
    for bad in ["", ".", "-a.example", "a-.example", "a..b", "exa mple.com", "%31", "a" * 64]:
        assert not is_hostname(bad), bad


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        ("media.internal", AllowRule(name="media.internal")),
        ("Media.Internal.", AllowRule(name="media.internal")),
        ("media.internal:8443", AllowRule(name="media.internal", port=8443)),
        ("127.0.0.1", AllowRule(network=ip_network("127.0.0.1/32"))),
        ("127.0.0.1/32", AllowRule(network=ip_network("127.0.0.1/32"))),
        ("127.0.0.1:8080", AllowRule(network=ip_network("127.0.0.1/32"), port=8080)),
        ("10.20.0.0/16", AllowRule(network=ip_network("10.20.0.0/16"))),
        ("::1", AllowRule(network=ip_network("::1/128"))),
        ("fd00::/8", AllowRule(network=ip_network("fd00::/8"))),
        ("[::1]:8080", AllowRule(network=ip_network("::1/128"), port=8080)),
        ("[fd00::/8]:443", AllowRule(network=ip_network("fd00::/8"), port=443)),
    ],
)
def test_allow_entries(entry: str, rule: AllowRule) -> None:
    assert AllowRule.parse(entry) == rule


@pytest.mark.parametrize(
    "entry",
    [
        "",
        "10.0.0.1/8",
        "[::1",
        "[::1]8080",
        "host:99999",
        "host:0",
        "host:http",
        "bad host!",
        "1.2.3",
    ],
)
def test_bad_allow_entries_fail_at_configuration(entry: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        FetchPolicy(allow=(entry,))


def test_allow_rules_match_names_addresses_and_ports() -> None:
    policy = FetchPolicy(allow=("media.internal:8443", "10.0.0.0/8", "127.0.0.1:9000"))

    assert policy.allows_name("media.internal", 8443)
    assert policy.allows_name("media.internal.", 8443)
    assert not policy.allows_name("media.internal", 443)
    assert not policy.allows_name("other.internal", 8443)
    assert policy.allows_address(IPv4Address("10.1.2.3"), 80)
    assert policy.allows_address(IPv6Address("::ffff:10.1.2.3"), 80)
    assert policy.allows_address(IPv4Address("127.0.0.1"), 9000)
    assert not policy.allows_address(IPv4Address("127.0.0.1"), 9001)
    assert not policy.allows_address(IPv4Address("11.0.0.1"), 80)


@pytest.mark.parametrize(
    "settings",
    [
        {"max_bytes": -1},
        {"read_timeout": 0},
        {"total_timeout": -1.0},
        {"max_redirects": -1},
        {"allowed_schemes": frozenset({"http", "ftp"})},
    ],
)
def test_bad_policies_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"."):
        FetchPolicy(**settings)  # type: ignore[arg-type]


def test_https_only_policy(connects: list[object]) -> None:
    with pytest.raises(SchemeNotAllowedError):
        fetch_bytes("http://example.com/", policy=FetchPolicy(allowed_schemes=frozenset({"https"})))
    assert connects == []
