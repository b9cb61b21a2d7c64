"""Running an async entry point as a process: one event loop, logging, clean stop on signals."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import click

from xget.settings import Settings, SettingsError


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or exit 2 naming the bad variable."""
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from exc


def configure_logging(level: str) -> None:
    """Plain line logs to stderr (structured logging comes from xget.observability when present)."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # Libraries that log every request or heartbeat at INFO: keep their warnings only.
    for noisy in ("aiokafka", "httpx", "httpcore", "faust", "mode"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_process(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` on a fresh event loop; SIGINT/SIGTERM set ``stop`` for a graceful exit."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    try:
        import uvloop

        uvloop.run(runner())
    except ImportError:
        asyncio.run(runner())


def run_once(coro_factory: Callable[[], Awaitable[object]]) -> object:
    """Run a short async command to completion on a fresh event loop."""

    async def runner() -> object:
        return await coro_factory()

    return asyncio.run(runner())
