"""``xget relay`` and ``xget migrate``: the event store's processes and maintenance."""

from __future__ import annotations

import asyncio

import click

from xget.bootstrap import open_container
from xget.cli.runtime import configure_logging, load_settings, run_once, run_process


@click.command()
def relay() -> None:
    """Publish every stored event to Kafka in global order (the transactional outbox relay)."""
    from xget.outbox.relay import Relay

    settings = load_settings()
    configure_logging(settings, "relay", serve_metrics=True)

    async def main(stop: asyncio.Event) -> None:
        async with open_container(settings) as container:
            await Relay(settings, container.event_store).run(stop)

    run_process(main)


@click.command()
def migrate() -> None:
    """Apply pending database migrations and exit."""
    settings = load_settings()
    configure_logging(settings, "migrate")

    async def main() -> None:
        async with open_container(settings):
            pass

    run_once(main)
    click.echo("migrations applied")
