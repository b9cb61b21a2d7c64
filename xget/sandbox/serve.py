"""Serving sandbox apps with uvicorn inside the caller's event loop (one loop per process).

``serve(apps, stop)`` runs several apps, each on its own socket, until ``stop`` is set: that is
how ``xget sandbox proxies`` runs its lease API and its forward proxy in one process.
``running(app)`` is the test helper: an app on an ephemeral port for the length of a block.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from typing import Any

import uvicorn

log = logging.getLogger("xget.sandbox")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (``port`` 0: an ephemeral one)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class Served:
    """One app on one socket, started and stopped without touching signal handlers."""

    def __init__(self, app: Any, sock: socket.socket, log_level: str = "warning") -> None:
        self.sock = sock
        self.host, self.port = sock.getsockname()[:2]
        config = uvicorn.Config(app, lifespan="off", access_log=False, log_level=log_level,
                                server_header=False, date_header=False, http="auto",
                                timeout_keep_alive=30, backlog=2048)
        config.load()
        self.server = uvicorn.Server(config)
        self.server.lifespan = config.lifespan_class(config)

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Accept connections."""
        await self.server.startup(sockets=[self.sock])

    async def stop(self) -> None:
        """Close connections and the socket."""
        self.server.should_exit = True
        await self.server.shutdown(sockets=[self.sock])


async def serve(apps: Sequence[tuple[Any, str, int]], stop: asyncio.Event) -> None:
    """Serve ``(app, host, port)`` triples until ``stop`` is set."""
    served = [Served(app, bind(host, port)) for app, host, port in apps]
    for s in served:
        await s.start()
        log.info("listening on %s", s.url)
    try:
        await stop.wait()
    finally:
        for s in served:
            await s.stop()


@contextlib.asynccontextmanager
async def running(app: Any, host: str = "127.0.0.1") -> AsyncIterator[Served]:
    """Serve ``app`` on an ephemeral port of ``host`` for the length of the block."""
    s = Served(app, bind(host, 0))
    await s.start()
    try:
        yield s
    finally:
        await s.stop()
