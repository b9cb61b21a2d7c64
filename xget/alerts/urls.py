"""Which URLs a webhook may point at.

At registration (:func:`check_webhook_url`): http or https, a host, no whitespace or control
characters, at most 2,000 characters, a valid port; and, unless private targets are allowed
(``XGET_WEBHOOKS_ALLOW_PRIVATE``), not ``localhost`` nor a literal IP address that is loopback,
private, link-local, shared, reserved, multicast or unspecified. "Literal" includes the legacy
IPv4 spellings resolvers still accept (``2130706433``, ``127.1``, ``0x7f.0.0.1``) and IPv4-mapped
IPv6 (``[::ffff:127.0.0.1]``).

A host name can still resolve to a private address, so the sender checks the resolved addresses
before each attempt too (:func:`resolve_public`), connects to a checked address rather than
resolving the name again (which could answer differently: DNS rebinding), and never follows
redirects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import unicodedata
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The webhook's host is, or resolves to, an address that is not public."""


def literal_ip(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, in any form a resolver accepts; None for a name."""
    host = host.strip("[]")
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        try:
            # inet_aton accepts what getaddrinfo does: "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1"
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64, Teredo), which
    is where a packet to it may end up."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _IPV4_COMPATIBLE or any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Globally routable unicast (not loopback, private, link-local, shared, reserved, multicast),
    and so is any IPv4 address it embeds (``[64:ff9b::a9fe:a9fe]`` is 169.254.169.254 via NAT64)."""
    inner = embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return ip.is_global and not ip.is_multicast


def is_local_name(host: str) -> bool:
    """``localhost`` and names under it (RFC 6761), which resolvers answer with loopback."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_webhook_url(url: str, allow_private: bool) -> str | None:
    """Why ``url`` cannot be a webhook target, or None when it can."""
    if not url:
        return "must not be empty"
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in url):
        return "must not contain whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must use http or https"
    host = parts.hostname
    if not host:
        return "must name a host"
    if port == 0:
        return "port must be between 1 and 65535"
    ip = literal_ip(host)
    if ip is None:
        try:
            host.rstrip(".").encode("idna")
        except UnicodeError:
            return f"host {host!r} is not a valid domain name"
    if allow_private:
        return None
    if is_local_name(host):
        return "must not point at localhost"
    if ip is not None and not is_public(ip):
        return f"must not point at a private, loopback, link-local or reserved address ({ip})"
    return None


async def resolve_public(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` is or resolves to, in the resolver's order; raise
    :class:`UnsafeTarget` when any is not public (the check before each delivery attempt when
    private targets are not allowed). Connect to one of these, not to ``host`` again."""
    if is_local_name(host):
        raise UnsafeTarget(f"{host} is localhost")
    ip = literal_ip(host)
    if ip is not None:
        if not is_public(ip):
            raise UnsafeTarget(f"{host} is not a public address")
        return [ip]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = literal_ip(str(info[4][0]))
        if address is None or not is_public(address):
            raise UnsafeTarget(f"{host} resolves to {info[4][0]}, which is not a public address")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeTarget(f"{host} resolves to no address")
    return addresses
