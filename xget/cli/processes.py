"""``xget api`` and ``xget projector``: the long-running processes of the read and write side."""

from __future__ import annotations

import asyncio

import click

from xget.bootstrap import open_container
from xget.cli.runtime import configure_logging, load_settings, run_process
from xget.settings import SettingsError


@click.command()
@click.option("--host", default=None, help="Listen address (default XGET_API_HOST, 127.0.0.1)")
@click.option("--port", type=int, default=None, help="Listen port (default XGET_API_PORT, 8003)")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes")
def api(host: str | None, port: int | None, workers: int) -> None:
    """Serve the REST API (Litestar on uvicorn)."""
    import os

    import uvicorn

    overrides = {k: v for k, v in (("XGET_API_HOST", host), ("XGET_API_PORT", port)) if v is not None}
    os.environ.update({k: str(v) for k, v in overrides.items()})
    settings = load_settings()
    try:
        settings.check_api_bind()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    configure_logging(settings, "api")
    uvicorn.run(
        "xget.api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=workers,
        loop="auto",
        http="auto",
        access_log=False,  # our middleware logs each request, with its correlation id
        log_config=None,  # keep XGet's JSON logging instead of uvicorn's own format
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
    )


@click.command()
@click.option("--only", multiple=True, help="Run only these projections (default: all)")
def projector(only: tuple[str, ...]) -> None:
    """Keep the read models up to date from the event store, and send alert webhooks."""
    from xget.alerts.sender import WebhookSender
    from xget.projections.registry import runner_groups
    from xget.projections.runner import ProjectionRunner
    from xget.projections.schema import ensure_projection

    settings = load_settings()
    configure_logging(settings, "projector", serve_metrics=True)
    known = {"tasks", "task_executions", "results", "alerts"}
    unknown = set(only) - known
    if unknown:
        raise click.BadParameter(f"unknown projection(s): {', '.join(sorted(unknown))}; known: "
                                 f"{', '.join(sorted(known))}", param_hint="--only")

    async def main(stop: asyncio.Event) -> None:
        async with open_container(settings) as container:
            projections = {n: p for n, p in (await container.projections()).items() if not only or n in only}
            async with container.pool.acquire() as conn:
                for projection in projections.values():
                    await ensure_projection(conn, projection)
            runners = [ProjectionRunner(container.event_store, *group) for group in runner_groups(projections)]
            loops = [r.run(stop) for r in runners]
            if "alerts" in projections:  # the webhook sender runs beside the alerts consumer
                loops.append(WebhookSender.for_container(container).run(stop))
            await asyncio.gather(*loops)

    run_process(main)
