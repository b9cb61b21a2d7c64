"""Running an async entry point as a process: one event loop, logging, clean stop on signals."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import click

from xget.settings import Settings, SettingsError


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or exit 1 with one line naming the bad variable."""
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from exc


def configure_logging(settings: Settings, process: str = "xget", *, serve_metrics: bool = False) -> None:
    """Structured logs (XGET_LOG_FORMAT, json by default) and, with ``serve_metrics`` (the
    long-running worker, relay and projector; the API serves its own /metrics), the Prometheus
    endpoint on XGET_METRICS_PORT."""
    from xget.observability import logs, metrics

    logs.configure(settings.log_level, settings.log_format, process)
    if serve_metrics:
        metrics.serve(settings.metrics_port, process=process)


def configure_cli_logging(settings: Settings) -> None:
    """For short operator commands: warnings only, as text, no metrics server."""
    import dataclasses

    configure_logging(dataclasses.replace(settings, log_level="WARNING", log_format="text"), "cli")


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
    except ImportError:
        uvloop = None
    try:
        (uvloop.run if uvloop else asyncio.run)(runner())
    except ConnectionError as exc:
        raise click.ClickException(str(exc)) from exc


def run_once(coro_factory: Callable[[], Awaitable[object]]) -> object:
    """Run a short async command to completion on a fresh event loop."""

    async def runner() -> object:
        return await coro_factory()

    try:
        return asyncio.run(runner())
    except ConnectionError as exc:
        # The message already names the service and its variables; a traceback adds nothing.
        raise click.ClickException(str(exc)) from exc
