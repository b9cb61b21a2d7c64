"""Which webhook URLs registration accepts, with and without private targets allowed."""

from __future__ import annotations

import pytest

from xget.alerts.urls import UnsafeTarget, check_webhook_url, literal_ip, resolve_public

PUBLIC = [
    "https://hooks.example.com/xget",
    "http://hooks.example.com:8080/a/b?token=x#frag",
    "https://8.8.8.8/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://bücher.example/hook",
    "HTTPS://Hooks.Example.com/",
]
PRIVATE = [
    "http://localhost:9000/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
    "http://0x7f.0.0.1/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
]
INVALID = [
    ("", "empty"),
    ("ftp://example.com/hook", "http or https"),
    ("javascript:alert(1)", "http or https"),
    ("file:///etc/passwd", "http or https"),
    ("example.com/hook", "http or https"),
    ("https:///hook", "host"),
    ("https://exa mple.com/", "whitespace"),
    ("https://example.com/\nX-Injected: 1", "whitespace"),
    ("https://example.com/\x00", "control"),
    ("https://example.com/\u202e", "control"),
    ("https://example.com:99999/", "valid URL"),
    ("https://example.com:0/", "port"),
    ("https://[::1/", "valid URL"),
    ("https://a..b.com/", "domain"),
    ("https://" + "a" * 64 + ".com/", "domain"),
    ("https://example.com/" + "a" * 2000, "2000"),
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_http_urls_are_accepted(url: str) -> None:
    assert check_webhook_url(url, allow_private=False) is None


@pytest.mark.parametrize("url", PRIVATE)
def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    problem = check_webhook_url(url, allow_private=False)
    assert problem is not None and ("localhost" in problem or "private" in problem), problem
    assert check_webhook_url(url, allow_private=True) is None


@pytest.mark.parametrize(("url", "reason"), INVALID)
def test_malformed_urls_are_refused_whatever_the_setting(url: str, reason: str) -> None:
    for allow in (False, True):
        problem = check_webhook_url(url, allow_private=allow)
        assert problem is not None and reason in problem, (url, problem)


def test_literal_ips_in_every_spelling_resolvers_accept() -> None:
    assert str(literal_ip("2130706433")) == "127.0.0.1"
    assert str(literal_ip("0x7f000001")) == "127.0.0.1"
    assert str(literal_ip("[::ffff:10.0.0.1]")) == "10.0.0.1"
    assert literal_ip("example.com") is None


async def test_the_send_time_check_resolves_names() -> None:
    with pytest.raises(UnsafeTarget):
        await resolve_public("localhost", 80)
    with pytest.raises(UnsafeTarget):
        await resolve_public("127.0.0.1", 80)
    with pytest.raises(UnsafeTarget):
        await resolve_public("2130706433", 80)
    await resolve_public("8.8.8.8", 443)  # a literal: no lookup


@pytest.mark.parametrize("host", ["[::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::a9fe:a9fe]",
                                  "[2002:a9fe:a9fe::]", "[::127.0.0.1]", "[::ffff:10.0.0.1]"])
def test_ipv6_addresses_carrying_a_private_ipv4_address_are_refused(host: str) -> None:
    assert "private" in (check_webhook_url(f"http://{host}/hook", allow_private=False) or "")


def test_ipv6_addresses_carrying_a_public_ipv4_address_are_accepted() -> None:
    assert check_webhook_url("http://[64:ff9b::808:808]/hook", allow_private=False) is None
