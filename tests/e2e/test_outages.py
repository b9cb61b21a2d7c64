"""Processes and services killed mid-run and restarted: no event, result or status is lost or
duplicated. These run last (marker ``outage``): they restart the shared PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.flows import TASKS, results_settled, start, tweets_task, wait_execution
from tests.e2e.stack import Stack

pytestmark = pytest.mark.outage
REPO = Path(__file__).resolve().parents[2]


def kill_service(name: str) -> None:
    """SIGKILL a service started by scripts/services.sh (postgres, kafka or ferretdb)."""
    pid = int((REPO / ".var" / "run" / f"{name}.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)


def services_up() -> None:
    """`scripts/services.sh up`: starts only what is missing, as after a crash."""
    subprocess.run([str(REPO / "scripts" / "services.sh"), "up"], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL, timeout=300)


async def mid_run(api: httpx.AsyncClient, live_stack: Stack) -> dict:
    """A task of 1,000 posts started and five pages in (30 ms a page: several seconds left)."""
    live_stack.sandbox(latency_ms=30)
    task = await start(api, tweets_task(1000))
    await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=5)
    return task


async def completes_exactly(api: httpx.AsyncClient, task: dict, limit: int) -> None:
    done = await wait_execution(api, task["execution_id"], timeout=120)
    assert done["status"] == "COMPLETED" and done["result_count"] == limit, done
    items = await results_settled(api, task["id"], limit, timeout=60)
    ids = [i["id"] for i in items]
    assert len(ids) == limit and len(set(ids)) == limit
    shown = (await api.get(f"{TASKS}/{task['id']}")).json()
    assert shown["status"] == "COMPLETED" and shown["result_count"] == limit


async def test_relay_and_projector_killed_mid_run_lose_nothing(api: httpx.AsyncClient, live_stack: Stack) -> None:
    task = await mid_run(api, live_stack)
    for name in ("relay", "projector"):
        live_stack.restart(name, kill=True)
    await completes_exactly(api, task, 1000)


async def test_the_database_killed_mid_run_and_restarted_loses_nothing(api: httpx.AsyncClient,
                                                                      live_stack: Stack) -> None:
    task = await mid_run(api, live_stack)
    kill_service("postgres")
    await asyncio.sleep(1)
    during = await api.get(f"{TASKS}/{task['id']}")
    assert during.status_code in (200, 503)  # never a 500
    await asyncio.to_thread(services_up)
    await completes_exactly(api, task, 1000)
    assert all(p.proc.poll() is None for p in live_stack.processes if p not in live_stack.retired)


async def test_the_broker_killed_mid_run_and_restarted_loses_nothing(api: httpx.AsyncClient,
                                                                    live_stack: Stack) -> None:
    task = await mid_run(api, live_stack)
    kill_service("kafka")
    started_meanwhile = await start(api, tweets_task(20))  # accepted while the broker is down
    await asyncio.to_thread(services_up)
    await completes_exactly(api, task, 1000)
    await completes_exactly(api, started_meanwhile, 20)  # its start request waited in the outbox
