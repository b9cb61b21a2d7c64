"""``xget sandbox ...``: the sandbox X and the sandbox account and proxy services (docs/sandbox.md)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import click

from xget.cli.runtime import configure_logging, load_settings, run_process
from xget.sandbox import defaults as d


def _config() -> Any:
    from xget.sandbox.config import ConfigError, config_from_env

    try:
        return config_from_env(os.environ)
    except ConfigError as exc:
        raise click.ClickException(f"invalid sandbox configuration: {exc}") from exc


def _host(host: str | None) -> str:
    return host or os.environ.get(d.ENV_HOST) or d.DEFAULT_HOST


def _port(port: int | None, env: str, default: int) -> int:
    return port if port is not None else int(os.environ.get(env) or default)


def _log() -> None:
    configure_logging(load_settings(), "sandbox")  # quiets httpx: the forward proxy relays through it


def _x_app(config: Any) -> Any:
    from xget.sandbox.xapp import SandboxX

    return SandboxX(config)


def _proxy_apps(config: Any, host: str, port: int, forward_port: int) -> tuple[Any, Any]:
    from xget.sandbox.proxies import ForwardProxy, ProxyPool, ProxyService

    # The URL handed out must be reachable by the workers: a wildcard bind address is not, so
    # XGET_SANDBOX_PROXY_PUBLIC_HOST (e.g. the container's service name) says what to advertise.
    public = os.environ.get("XGET_SANDBOX_PROXY_PUBLIC_HOST") or ("127.0.0.1" if host in ("0.0.0.0", "::") else host)
    pool = ProxyPool(config, f"http://{public}:{forward_port}")
    return ProxyService(pool, token=os.environ.get("PROXY_SERVICE_TOKEN") or None), ForwardProxy(config)


@click.group()
def sandbox() -> None:
    """Run the sandbox X and the sandbox account and proxy services."""


@sandbox.command("x")
@click.option("--host", default=None, help="Listen address (default XGET_SANDBOX_HOST, 127.0.0.1)")
@click.option("--port", type=int, default=None, help="Listen port (default XGET_SANDBOX_X_PORT, 8010)")
def x_command(host: str | None, port: int | None) -> None:
    """Serve X's web GraphQL API from the synthetic world."""
    from xget.sandbox.serve import serve

    config = _config()
    _log()
    app = _x_app(config)
    listen = [(app, _host(host), _port(port, d.ENV_X_PORT, d.DEFAULT_X_PORT))]

    async def main(stop: asyncio.Event) -> None:
        # the search geometry is CPU work: a thread keeps the loop answering meanwhile
        warm = asyncio.get_running_loop().run_in_executor(None, app.pages.searcher.warm)
        await serve(listen, stop)
        await warm

    run_process(main)


@sandbox.command("accounts")
@click.option("--host", default=None, help="Listen address (default XGET_SANDBOX_HOST)")
@click.option("--port", type=int, default=None, help="Listen port (default XGET_SANDBOX_ACCOUNTS_PORT, 8011)")
def accounts_command(host: str | None, port: int | None) -> None:
    """Serve the account service (docs/accounts-and-proxies.md) with the sandbox's accounts."""
    from xget.sandbox.accounts import AccountService
    from xget.sandbox.serve import serve

    config = _config()
    _log()
    app = AccountService(config, token=os.environ.get("ACCOUNT_SERVICE_TOKEN") or None)
    listen = [(app, _host(host), _port(port, d.ENV_ACCOUNTS_PORT, d.DEFAULT_ACCOUNTS_PORT))]
    run_process(lambda stop: serve(listen, stop))


@sandbox.command("proxies")
@click.option("--host", default=None, help="Listen address (default XGET_SANDBOX_HOST)")
@click.option("--port", type=int, default=None, help="Lease API port (default XGET_SANDBOX_PROXIES_PORT, 8012)")
@click.option("--forward-port", type=int, default=None,
              help="Forward proxy port (default XGET_SANDBOX_FORWARD_PORT, 8013)")
def proxies_command(host: str | None, port: int | None, forward_port: int | None) -> None:
    """Serve the proxy service and the forward proxy its leases point at."""
    from xget.sandbox.serve import serve

    config = _config()
    _log()
    h = _host(host)
    fport = _port(forward_port, d.ENV_FORWARD_PORT, d.DEFAULT_FORWARD_PORT)
    service, forward = _proxy_apps(config, h, _port(port, d.ENV_PROXIES_PORT, d.DEFAULT_PROXIES_PORT), fport)

    async def main(stop: asyncio.Event) -> None:
        try:
            await serve([(service, h, _port(port, d.ENV_PROXIES_PORT, d.DEFAULT_PROXIES_PORT)),
                         (forward, h, fport)], stop)
        finally:
            await forward.aclose()

    run_process(main)


@sandbox.command("accounts-file")
@click.option("--count", type=int, default=None, help="Accounts (default XGET_SANDBOX_ACCOUNTS, 20), plus the seed example's your-account-id")
def accounts_file(count: int | None) -> None:
    """Print an XGET_ACCOUNTS_FILE with the sandbox accounts (a static pool, no service)."""
    from xget.sandbox.limits import account_ids, credentials

    config = _config()
    accounts = [{"id": acc, "auth_token": token, "ct0": ct0}
                for acc in account_ids(count or config.accounts)
                for token, ct0 in [credentials(config.seed, acc)]]
    json.dump({"accounts": accounts}, sys.stdout, indent=2)
    sys.stdout.write("\n")


@sandbox.command("bench")
@click.option("--url", default=None, help="Sandbox X base URL (default: the sandbox default)")
@click.option("--pages", type=int, default=2000, show_default=True, help="Pages to fetch")
@click.option("--concurrency", type=int, default=8, show_default=True, help="Requests in flight")
@click.option("--count", type=int, default=20, show_default=True, help="Tweets per page requested")
def bench_command(url: str | None, pages: int, concurrency: int, count: int) -> None:
    """Measure pages/s of UserTweets against a running sandbox X (rate limits must be off)."""
    from xget.sandbox.bench import run_bench

    base = url or d.sandbox_urls(os.environ)["XGET_X_BASE_URL"]
    result = asyncio.run(run_bench(base, pages=pages, concurrency=concurrency, count=count))
    click.echo(json.dumps(result))
