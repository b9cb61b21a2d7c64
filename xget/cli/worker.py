"""``xget worker``: execute collection tasks (a Faust app on the task-event topic)."""

from __future__ import annotations

import asyncio

import click

from xget.bootstrap import open_container
from xget.cli.runtime import configure_logging, load_settings, run_process


@click.command()
@click.option("--concurrency", type=int, default=None, help="Executions at once (default XGET_WORKER_CONCURRENCY, 8)")
def worker(concurrency: int | None) -> None:
    """Execute collection tasks: consume TaskStarted/TaskStopped, run executions under leases."""
    from xget.workers.app import Worker
    from xget.x.runtime import XRuntime

    settings = load_settings()
    configure_logging(settings, "worker", serve_metrics=True)

    async def main(stop: asyncio.Event) -> None:
        async with open_container(settings) as container:
            runtime = XRuntime.from_env(pg_pool=container.pool)
            container.on_close(runtime.aclose)
            await Worker(container, runtime, concurrency=concurrency).run(stop)

    run_process(main)
