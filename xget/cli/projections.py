"""``xget projections ...`` and ``xget replay``: rebuilding read models and republishing events."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from xget.bootstrap import open_container
from xget.cli.runtime import configure_cli_logging, load_settings, run_once


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]:>8.0f} ev/s"), TimeRemainingColumn())


@click.group()
def projections() -> None:
    """Inspect and rebuild read models."""


@projections.command("status")
def status() -> None:
    """Each projection's checkpoint, generation and lag behind the event store."""
    settings = load_settings()

    async def main() -> None:
        async with open_container(settings) as c:
            head = await c.event_store.head()
            rows = await c.pool.fetch("SELECT name, position, generation, updated_at FROM checkpoints ORDER BY name")
            click.echo(f"event store head: {head}")
            for r in rows:
                click.echo(f"{r['name']:<18} position {r['position']:>10}  lag {head - r['position']:>8}  "
                           f"generation {r['generation']}  updated {r['updated_at']:%Y-%m-%d %H:%M:%S}")

    run_once(main)


@projections.command("rebuild")
@click.argument("names", nargs=-1)
@click.option("--batch-size", default=5000, show_default=True)
def rebuild(names: tuple[str, ...], batch_size: int) -> None:
    """Rebuild NAMES (default: all) from the event store into fresh tables, then switch atomically.
    The old tables keep serving until the switch."""
    import time

    from xget.projections.rebuild import RebuildInProgress
    from xget.projections.rebuild import rebuild as run_rebuild
    from xget.projections.schema import ensure_projection

    settings = load_settings()
    configure_cli_logging(settings)
    known = ("tasks", "task_executions", "results")
    selected = names or known
    unknown = [n for n in selected if n not in known]
    if "alerts" in unknown:
        raise click.BadParameter("alerts is not a read model: it sends webhooks, and a rebuild would send "
                                 "every past alert again (it starts at the head; see docs/webhooks.md)")
    if unknown:
        raise click.BadParameter(f"unknown projection(s) {', '.join(unknown)}; known: {', '.join(known)}")

    async def main() -> None:
        async with open_container(settings) as c:
            available = await c.projections()
            async with c.pool.acquire() as conn:
                for name in selected:
                    await ensure_projection(conn, available[name])
            with _progress() as bar:
                for name in selected:
                    task = bar.add_task(f"rebuilding {name}", total=None, rate=0.0)
                    started = time.monotonic()

                    def progress(position: int, head: int, task: int = task, started: float = started) -> None:
                        rate = position / max(time.monotonic() - started, 1e-6)
                        bar.update(task, completed=position, total=head, rate=rate)

                    try:
                        generation, position = await run_rebuild(c.event_store, available[name], batch_size,
                                                                 progress)
                    except RebuildInProgress as exc:
                        raise click.ClickException(f"{exc}; wait for it to finish") from exc
                    bar.console.print(f"{name}: generation {generation} live at position {position} "
                                      f"({position / max(time.monotonic() - started, 1e-6):,.0f} events/s)")

    run_once(main)


@click.command()
@click.option("--to-kafka", is_flag=True, required=True, help="Republish to the Kafka topics")
@click.option("--from", "from_position", type=int, default=0, show_default=True, help="Start after this position")
@click.option("--task", "task_id", default=None, help="Only this task's events")
def replay(to_kafka: bool, from_position: int, task_id: str | None) -> None:
    """Republish stored events to Kafka (same event ids: subscribers drop what they already have)."""
    from xget.outbox.replay import replay_to_kafka

    settings = load_settings()
    configure_cli_logging(settings)

    async def main() -> None:
        async with open_container(settings) as c:
            head = await c.event_store.head()
            with _progress() as bar:
                task = bar.add_task("replaying", total=head, completed=from_position, rate=0.0)
                sent = await replay_to_kafka(settings, c.event_store, from_position, task_id,
                                             lambda pos, rate: bar.update(task, completed=pos, rate=rate))
            click.echo(f"republished {sent} events")

    run_once(main)
