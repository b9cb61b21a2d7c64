"""The sender connects to the address its SSRF check approved, not to whatever the name resolves
to a moment later (DNS rebinding): the request goes to that IP, with the original Host header and
TLS server name."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import socket
import ssl
import subprocess
from typing import Any

import httpx
import pytest

from xget.alerts.sender import WebhookSender, pinned


class FakePool:
    """Records the outcome statements instead of running them."""

    def __init__(self) -> None:
        self.executed: list[tuple[Any, ...]] = []

    async def execute(self, *args: Any) -> str:
        self.executed.append(args)
        return "UPDATE 1"


def delivery(url: str) -> dict[str, Any]:
    return {"id": "d-1", "webhook_id": "w-1", "event": "task.failed", "body": '{"a": 1}', "attempts": 1,
            "url": url, "secret": "s" * 20, "active": True}


@pytest.fixture
async def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """hooks.example.com answers a public address first and loopback on every later lookup."""
    lookups: list[str] = []

    async def getaddrinfo(host: str, port: int, **_kwargs: Any) -> list[tuple[Any, ...]]:
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    return lookups


async def send(url: str) -> tuple[list[httpx.Request], FakePool]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    pool = FakePool()
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        sender = WebhookSender(pool, allow_private=False)  # type: ignore[arg-type]
        await sender._attempt(client, delivery(url))  # noqa: SLF001
    return seen, pool


async def test_the_request_goes_to_the_checked_address_with_the_original_host(rebinding_dns: list[str]) -> None:
    seen, pool = await send("https://hooks.example.com:8443/in/xget?token=abc")
    assert rebinding_dns == ["hooks.example.com"]  # one lookup: the check's, never a second one
    [request] = seen
    assert request.url.host == "93.184.216.34"
    assert request.url.port == 8443
    assert request.url.raw_path == b"/in/xget?token=abc"
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"  # TLS name and certificate check
    assert request.headers["x-xget-delivery"] == "d-1"
    assert pool.executed[0][3] == "delivered"


async def test_plain_http_is_pinned_too_and_default_ports_stay_out_of_the_host_header(
    rebinding_dns: list[str],
) -> None:
    seen, _ = await send("http://Hooks.Example.com/in")
    [request] = seen
    assert str(request.url) == "http://93.184.216.34/in"
    assert request.headers["host"] == "hooks.example.com"
    assert "sni_hostname" not in request.extensions


async def test_a_name_that_resolves_to_a_private_address_is_refused_without_a_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def getaddrinfo(host: str, port: int, **_kwargs: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    seen, pool = await send("https://hooks.example.com/in")
    assert seen == []
    assert pool.executed[0][3] == "pending" and pool.executed[0][5].startswith("refused:")


def test_pinned_brackets_ipv6_and_keeps_idna_names_for_tls() -> None:
    url = httpx.URL("https://bücher.example/hook")
    target, headers, extensions = pinned(url, ipaddress.ip_address("2606:4700:4700::1111"))
    assert str(target) == "https://[2606:4700:4700::1111]/hook"
    assert headers["Host"] == "xn--bcher-kva.example"
    assert extensions == {"sni_hostname": "xn--bcher-kva.example"}
    assert headers["Connection"] == "close"  # pooled by address: never reused for another name


def self_signed(tmp_path: Any, name: str) -> tuple[str, str]:
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_a_pinned_https_request_verifies_the_certificate_for_the_name(tmp_path: Any) -> None:
    cert, key = self_signed(tmp_path, "hooks.example.com")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_ctx.sni_callback = lambda _sock, name, _ctx: names.append(name)
    hosts: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        hosts.extend(line[6:] for line in head.split(b"\r\n") if line.lower().startswith(b"host: "))
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    loopback = ipaddress.ip_address("127.0.0.1")  # stands for the checked public address
    try:
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=cert)) as client:
            target, headers, extensions = pinned(httpx.URL(f"https://hooks.example.com:{port}/in"), loopback)
            response = await client.post(target, content=b"{}", headers=headers, extensions=extensions)
            assert response.status_code == 204
            assert names == ["hooks.example.com"] and hosts == [f"hooks.example.com:{port}".encode()]

            # A name the certificate does not cover fails verification, address or not.
            target, headers, extensions = pinned(httpx.URL(f"https://other.example.com:{port}/in"), loopback)
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED|match"):
                await client.post(target, content=b"{}", headers=headers, extensions=extensions)
    finally:
        server.close()
        await server.wait_closed()
