"""The three sandbox processes as ``make up`` runs them: started, used by the engine through its
embedded sandbox default (only the ports are configured), and stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from xget.x.collect import collect
from xget.x.runtime import XRuntime

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sandbox_env(tmp_path, request) -> Iterator[dict[str, str]]:
    """Ports for this test only, so a running ``make up`` is never disturbed; an indirect
    parameter adds knobs."""
    env = {"XGET_SANDBOX_X_PORT": str(free_port()), "XGET_SANDBOX_ACCOUNTS_PORT": str(free_port()),
           "XGET_SANDBOX_PROXIES_PORT": str(free_port()), "XGET_SANDBOX_FORWARD_PORT": str(free_port()),
           "XGET_SANDBOX_RATE_LIMIT": "UserTweets=20", **getattr(request, "param", {})}
    procs = []
    base = {k: v for k, v in os.environ.items()
            if k not in ("XGET_X_BASE_URL", "ACCOUNT_SERVICE_URL", "PROXY_SERVICE_URL",
                         "XGET_ACCOUNTS_FILE", "XGET_PROXIES_FILE")}
    for name in ("x", "accounts", "proxies"):
        log = open(tmp_path / f"{name}.log", "wb")
        procs.append((name, subprocess.Popen([sys.executable, "-m", "xget.cli.main", "sandbox", name],
                                             env={**base, **env}, stdout=log, stderr=subprocess.STDOUT,
                                             cwd=REPO), log))
    try:
        for port in ("XGET_SANDBOX_X_PORT", "XGET_SANDBOX_ACCOUNTS_PORT", "XGET_SANDBOX_PROXIES_PORT"):
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{env[port]}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"sandbox on {env[port]} did not start"
                time.sleep(0.1)
        yield {**base, **env}
    finally:
        codes = {}
        for name, proc, log in procs:
            proc.send_signal(signal.SIGTERM)
        for name, proc, log in procs:
            try:
                codes[name] = proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait(5)
            log.close()
        assert codes == {"x": 0, "accounts": 0, "proxies": 0}


async def test_the_engine_collects_from_the_sandbox_processes_by_default(sandbox_env):
    rt = XRuntime.from_env(sandbox_env)
    assert rt.client.base_url.endswith(f":{sandbox_env['XGET_SANDBOX_X_PORT']}/i/api/graphql")
    session = rt.session()
    params = {"username": "elonmusk", "limit": 50, "include_replies": False, "include_retweets": False}
    items = [i async for p in collect("USER_TWEETS", params, session) for i in p.items]
    assert len(items) == 50 == len({i.id for i in items})
    everything = [i async for p in collect("USER_TWEETS", {"username": "elonmusk"}, session)
                  for i in p.items]
    await session.aclose()
    # 50+ pages at 20 requests a window: the session had to rotate accounts
    assert len(everything) >= 1000 and len({i.id for i in everything}) == len(everything)
    async with httpx.AsyncClient() as http:
        accounts = (await http.get(f"http://127.0.0.1:{sandbox_env['XGET_SANDBOX_ACCOUNTS_PORT']}"
                                   "/v1/accounts")).json()["accounts"]
    assert sum(1 for a in accounts if "UserTweets" in a["rate_limited"]) >= 2
    await rt.aclose()


REALISM = {"XGET_SANDBOX_VISIBILITY_RATE": "0.2", "XGET_SANDBOX_VIEWS_HIDDEN_RATE": "0.2",
           "XGET_SANDBOX_ESCAPE_RATE": "0.2", "XGET_SANDBOX_TOMBSTONE_RATE": "0.1",
           "XGET_SANDBOX_UNAVAILABLE_RATE": "0.1", "XGET_SANDBOX_PROMOTED_RATE": "0.1"}


@pytest.mark.parametrize("sandbox_env", [REALISM], indirect=True)
async def test_realism_knobs_from_the_environment_and_at_run_time(sandbox_env):
    """Odd items are skipped and counted, the collection is still exact; knobs change live."""
    x_url = f"http://127.0.0.1:{sandbox_env['XGET_SANDBOX_X_PORT']}"
    async with httpx.AsyncClient() as http:
        knobs = (await http.get(f"{x_url}/_sandbox/config")).json()
    assert knobs["tombstone_rate"] == 0.1 and knobs["promoted_rate"] == 0.1
    rt = XRuntime.from_env(sandbox_env)
    session = rt.session()
    params = {"username": "elonmusk", "limit": 130}
    pages = [p async for p in collect("USER_TWEETS", params, session)]
    items = [i for p in pages for i in p.items]
    skipped = {k for p in pages for k in p.skipped}
    assert len(items) == 130 == len({i.id for i in items})
    assert {"tombstone", "promoted"} <= skipped and skipped & {"unavailable", "empty"}
    assert any(i.view_count is None for i in items)
    async with httpx.AsyncClient() as http:
        off = {k.removeprefix("XGET_SANDBOX_").lower(): 0 for k in REALISM}
        assert (await http.post(f"{x_url}/_sandbox/config", json=off)).status_code == 200
    pages = [p async for p in collect("USER_TWEETS", params, session)]
    assert [i.id for p in pages for i in p.items] == [i.id for i in items]
    assert not {k for p in pages for k in p.skipped} & {"tombstone", "promoted", "unavailable", "empty"}
    assert all(i.view_count is not None for p in pages for i in p.items)
    await session.aclose()
    await rt.aclose()
