"""Ingest benchmark: collection tasks against the sandbox X (rate limits off) through the whole
product - API, event store, relay, Kafka, one Faust worker process, projections, MongoDB-wire
results view - measured from the first start request until every item is readable through the
results endpoint. Also: the worker's peak RSS and stop latency (p50, p99).

    .venv/bin/python bench/ingest.py [--tasks 6] [--limit 10000] [--page-size 100] [--stops 20]

Baseline in the same run: the collection loop alone (``collect()`` over the same sandbox with
the same accounts and proxies, no event store, Kafka or MongoDB), i.e. what the pipeline costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cpu  # noqa: E402
from bench.common import bench_settings, percentile, report  # noqa: E402
from tests.e2e.flows import TASKS, execution, start, wait_execution  # noqa: E402
from tests.e2e.stack import Stack  # noqa: E402
from tests.processes import env_for  # noqa: E402

PORT_BASE = 18600


def followers_task(limit: int) -> dict:
    return {"task_name": "ingest bench", "task_type": "USER_FOLLOWERS", "user_id": "bench",
            "parameters": {"username": "elonmusk", "limit": limit}}


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def read_all(api: httpx.AsyncClient, task_id: str) -> int:
    """Page once through a task's results (1,000 a page); returns how many came back."""
    seen, cursor = 0, None
    while True:
        params = {"limit": 1000, "fields": "id"} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"{TASKS}/{task_id}/results", params=params)).json()
        seen += page["count"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def results_caught_up(settings) -> None:  # type: ignore[no-untyped-def]
    """Wait until the results view applied every stored event (its checkpoint reached the head)."""
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        while await conn.fetchval("SELECT (SELECT position FROM event_head) - position FROM checkpoints "
                                  "WHERE name = 'results'") > 0:
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def ingest(stack: Stack, tasks: int, limit: int) -> tuple[int, float, float, float, list]:
    """Returns (items, seconds to all COMPLETED, to the results view caught up, to read back, and
    CPU snapshots at the start, when the view caught up and at the end)."""
    async with httpx.AsyncClient(base_url=stack.api, timeout=300) as api:
        snapshots = [cpu.snapshot()]
        started = time.perf_counter()
        running = [await start(api, followers_task(limit)) for _ in range(tasks)]
        done = [await wait_execution(api, t["execution_id"], timeout=900) for t in running]
        assert all(d["status"] == "COMPLETED" for d in done), done
        collected_at = time.perf_counter() - started
        await results_caught_up(stack.settings)
        projected_at = time.perf_counter() - started
        snapshots.append(cpu.snapshot())
        counts = await asyncio.gather(*(read_all(api, t["id"]) for t in running))
        assert list(counts) == [d["result_count"] for d in done], (counts, done)
        readable_at = time.perf_counter() - started
        snapshots.append(cpu.snapshot())
        return sum(counts), collected_at, projected_at, readable_at, snapshots


async def stop_latencies(stack: Stack, samples: int) -> list[float]:
    stack.sandbox(latency_ms=50)
    latencies = []
    async with httpx.AsyncClient(base_url=stack.api, timeout=60) as api:
        for _ in range(samples):
            task = await start(api, followers_task(10000))
            await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=2)
            asked = time.perf_counter()
            await api.post(f"{TASKS}/{task['id']}/stop")
            while (await execution(api, task["execution_id"]))["status"] != "STOPPED":
                await asyncio.sleep(0.01)
            latencies.append(time.perf_counter() - asked)
    stack.sandbox(latency_ms=0)
    return latencies


async def collect_only(stack: Stack, settings, tasks: int, limit: int) -> tuple[int, float]:
    """The baseline: the engine's collection loop alone, same sandbox, same concurrency."""
    from xget.x.collect import collect
    from xget.x.runtime import XRuntime

    runtime = XRuntime.from_env(env_for(settings, **stack.env))

    async def one() -> int:
        session = runtime.session()
        count = 0
        try:
            async for page in collect("USER_FOLLOWERS", {"username": "elonmusk", "limit": limit}, session):
                count += len(page.items)
        finally:
            await session.aclose()
        return count

    started = time.perf_counter()
    counts = await asyncio.gather(*(one() for _ in range(tasks)))
    elapsed = time.perf_counter() - started
    await runtime.aclose()
    return sum(counts), elapsed


async def main(args: argparse.Namespace) -> None:
    settings = await bench_settings()
    stack = Stack(settings, PORT_BASE, XGET_SANDBOX_PAGE_SIZE=str(args.page_size),
                  XGET_WORKER_CONCURRENCY=str(max(8, args.tasks)))
    await asyncio.to_thread(stack.start)
    try:
        worker_pid = stack.workers[0].proc.pid
        items, collected_s, projected_s, readable_s, snapshots = await ingest(stack, args.tasks, args.limit)
        peak = rss_peak_mb(worker_pid)
        latencies = await stop_latencies(stack, args.stops)
        base_items, base_s = await collect_only(stack, settings, args.tasks, args.limit)
    finally:
        await asyncio.to_thread(stack.stop)
    rate = items / readable_s
    report(f"ingest: {args.tasks} USER_FOLLOWERS tasks x {args.limit} items, sandbox pages of {args.page_size}, "
           "rate limits off, one worker process", [
               ("items collected and readable", f"{items:,}"),
               ("items/s, start -> all read back through the results endpoint", f"{rate:,.0f}  (target >= 5,000)"),
               ("items/s, start -> all COMPLETED (collected, in PostgreSQL)", f"{items / collected_s:,.0f}"),
               ("items/s, start -> results view caught up (MongoDB-wire)", f"{items / projected_s:,.0f}"),
               ("reading them all back once", f"{readable_s - projected_s:.1f}s"),
               ("baseline: collect() alone, items/s", f"{base_items / base_s:,.0f}  (no event store, Kafka or "
                                                      "MongoDB)"),
               ("pipeline vs collect() alone", f"{rate / (base_items / base_s):.2f}x"),
               ("worker peak RSS", f"{peak:,.0f} MB"),
               (f"stop latency p50 / p99 ({len(latencies)} stops)",
                f"{percentile(latencies, 50) * 1000:.0f} ms / {percentile(latencies, 99) * 1000:.0f} ms "
                "(target p99 < 2 s)"),
           ])
    cores = os.cpu_count() or 1
    phases = [("collect + view", snapshots[0], snapshots[1], projected_s),
              ("read back", snapshots[1], snapshots[2], readable_s - projected_s)]
    for phase, before, after, wall in phases:
        spent = cpu.used(before, after)
        rows = [(name, f"{seconds:5.1f} core-s  {seconds / wall * 100:4.0f}% of a core")
                for name, seconds in spent.items() if seconds >= 0.05]
        rows.append(("all of these / available", f"{sum(spent.values()):5.1f} / {wall * cores:.1f} core-s "
                                                  f"({cores} cores x {wall:.1f}s)"))
        report(f"CPU, {phase} phase ({wall:.1f}s wall)", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--limit", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--stops", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
