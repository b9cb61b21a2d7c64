"""API benchmark: 64 concurrent connections on a database of 100,000 tasks, against real `xget api`
and `xget projector` processes, driven by wrk.

    .venv/bin/python bench/api.py [--tasks 100000] [--seconds 10] [--rounds 3] [--connections 64] [--workers 1,2]

Scenarios (each after a short warm-up; one API server per uvicorn worker count, all started up
front, the runs of a scenario alternating between them for --rounds rounds; the median is kept):

- **health**: GET /health, no database: the ceiling of the HTTP stack (uvicorn + Litestar + middleware);
- **by id**: GET /api/v1/tasks/{id}, a random one of the seeded tasks per request;
- **list**: GET /api/v1/tasks?...&size=20, a page (1-10) of a filter by user, status, type or
  user + status, rotating over 40 such URLs;
- **create**: POST /api/v1/tasks (201, read-your-writes: the response waits until the projector
  applied the new event to the tasks read model).

Baselines in the same run: /health (HTTP ceiling) and the same SQL as by id and list through a
plain asyncpg pool with 64 concurrent callers in this process (database ceiling), and for create
the raw rate of single-event appends (the event store's ceiling for one-task-per-request writes).

The machine has 2 cores shared by wrk (one thread), the API worker(s), the projector and
PostgreSQL: the CPU each took during every run is measured from /proc and printed.
"""

from __future__ import annotations
import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import asyncpg  # noqa: E402
from bench.common import BENCH_DB, Timer, bench_settings, percentile, report  # noqa: E402
from xget.bootstrap import open_container  # noqa: E402
from xget.events import (  # noqa: E402
    ExecutionCompleted,
    ExecutionStarted,
    Metadata,
    NewEvent,
    TaskCreated,
    TaskStarted,
)
from xget.eventstore.port import NO_STREAM  # noqa: E402
from xget.projections.queries import TASK_COLUMNS  # noqa: E402
from tests.processes import env_for  # noqa: E402
from xget.projections.runner import apply_batch  # noqa: E402
from xget.projections.schema import ensure_projection  # noqa: E402
from xget.settings import Settings  # noqa: E402

USERS = 100
TYPES = {
    "USER_INFO": {"username": "elonmusk"},
    "USER_TWEETS": {"username": "elonmusk", "limit": 200, "include_replies": False},
    "KEYWORD_SEARCH": {"query": "python asyncio", "limit": 500, "product": "Latest"},
    "HASHTAG_SEARCH": {"hashtag": "#python", "limit": 500, "product": "Top"},
    "USER_FOLLOWERS": {"user_id": "44196397", "limit": 1000},
    "USER_FOLLOWING": {"username": "nasa", "limit": 1000},
}
CREATE_BODY = {"task_name": "bench task", "task_type": "USER_TWEETS", "describe": "created by bench/api.py",
               "parameters": {"username": "elonmusk", "limit": 50}, "user_id": "user-bench"}


# ---------------------------------------------------------------------------------------------
# Seeding: events straight into the event store, then the read models caught up in-process.

def task_streams(count: int, rng: random.Random) -> list[tuple[str, int, list[NewEvent]]]:
    """``count`` task streams: 70% PENDING, 20% COMPLETED, 10% RUNNING; created over 30 days."""
    now = datetime.now(timezone.utc)
    streams = []
    for i in range(count):
        task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        user = f"user-{i % USERS:03d}"
        task_type = list(TYPES)[rng.randrange(len(TYPES))]
        at = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
        meta = Metadata(user_id=user, correlation_id=str(uuid.uuid4()))
        events = [NewEvent(event=TaskCreated(task_id=task_id, task_name=f"{task_type.lower()} #{i}",
                                             task_type=task_type, parameters=TYPES[task_type], user_id=user,
                                             describe="seeded by bench/api.py"), metadata=meta, occurred_at=at)]
        roll = rng.random()
        if roll >= 0.7:
            execution = str(uuid.uuid4())
            at = at + timedelta(seconds=5)
            events.append(NewEvent(event=TaskStarted(task_id=task_id, execution_id=execution, task_type=task_type,
                                                     parameters=TYPES[task_type], user_id=user),
                                   metadata=meta, occurred_at=at))
            events.append(NewEvent(event=ExecutionStarted(task_id=task_id, execution_id=execution, account_id="acc-1",
                                                          proxy_id="proxy-1", worker_id="worker-1"),
                                   metadata=meta, occurred_at=at + timedelta(seconds=1)))
            if roll >= 0.8:
                events.append(NewEvent(event=ExecutionCompleted(task_id=task_id, execution_id=execution,
                                                                result_count=200, pages=10, duration=42.0),
                                       metadata=meta, occurred_at=at + timedelta(seconds=43)))
        streams.append((f"task-{task_id}", NO_STREAM, events))
    return streams


async def seed(container, tasks: int, chunk: int = 2000) -> tuple[int, float, float]:
    """Append ``tasks`` task streams and catch every projection up; returns (events, append s, project s)."""
    rng = random.Random(3)
    store = container.event_store
    with Timer() as appended:
        for start in range(0, tasks, chunk):
            await store.append_many(task_streams(min(chunk, tasks - start), rng))
    head = await store.head()
    projections = await container.projections()
    with Timer() as projected:
        async with container.pool.acquire() as conn:
            for projection in projections.values():
                await ensure_projection(conn, projection)
                while await apply_batch(conn, store, projection, 10_000) is not None:
                    pass
            await conn.execute("VACUUM ANALYZE")
    return head, appended.seconds, projected.seconds


# ---------------------------------------------------------------------------------------------
# Processes under test, wrk, CPU accounting.

class Child:
    """An ``xget`` subprocess logging to a file."""

    def __init__(self, settings: Settings, log_dir: Path, *args: str) -> None:
        self.log_path = log_dir / f"{args[0]}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "xget.cli.main", *args], env=env_for(settings),
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()


def wait_http(url: str, child: Child, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            raise RuntimeError(f"process exited early; see {child.log_path}:\n{child.log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not up after {timeout}s; see {child.log_path}")


def proc_table() -> dict[int, tuple[str, int, int]]:
    """pid -> (comm, ppid, cpu ticks) of every process; PostgreSQL backends of another database
    than the benchmark's are named ``postgres-other``."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        if comm == "postgres":
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    words = f.read().replace(b"\0", b" ").split()
            except OSError:
                words = []
            # "postgres: USER DB HOST(PORT) STATE" for a backend; auxiliary processes stay "postgres".
            if len(words) >= 4 and words[0] == b"postgres:" and b"(" in words[3] and words[2] != BENCH_DB.encode():
                comm = "postgres-other"
        rest = stat[stat.rindex(")") + 2:].split()
        table[int(entry)] = (comm, int(rest[1]), int(rest[11]) + int(rest[12]))
    return table


def total_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used per group of processes between start() and stop(), in cores (1.0 = one core busy)."""

    def __init__(self, groups: dict[str, set[int]]) -> None:
        self.roots = groups

    def _by_group(self, table: dict[int, tuple[str, int, int]]) -> dict[str, int]:
        def group_of(pid: int) -> str:
            seen = 0
            p = pid
            while p in table and seen < 50:
                for name, roots in self.roots.items():
                    if p in roots:
                        return name
                if table[p][0] in ("postgres", "postgres-other"):
                    return "postgres" if table[p][0] == "postgres" else "other"
                p = table[p][1]
                seen += 1
            return "other"

        ticks: dict[str, int] = {}
        for pid, (_, _, t) in table.items():
            g = group_of(pid)
            ticks[g] = ticks.get(g, 0) + t
        return ticks

    def start(self) -> None:
        self._children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._t0 = time.monotonic()
        self._busy0 = total_ticks()
        self._before = proc_table()

    def stop(self) -> dict[str, float]:
        after = proc_table()
        elapsed = time.monotonic() - self._t0
        busy1 = total_ticks()
        hz = os.sysconf("SC_CLK_TCK")
        # Count only processes alive at both ends (a process started mid-run counts from 0).
        before = {pid: v if pid in after else (v[0], v[1], 0) for pid, v in self._before.items()}
        merged = {pid: (v[0], v[1], v[2] - before.get(pid, (None, None, 0))[2]) for pid, v in after.items()}
        ticks = self._by_group(merged)
        cores = {g: t / hz / elapsed for g, t in sorted(ticks.items())}
        # wrk ran as this process's child and exited: its CPU is in RUSAGE_CHILDREN.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cores["wrk"] = (children.ru_utime + children.ru_stime - self._children0.ru_utime
                        - self._children0.ru_stime) / elapsed
        cores.pop("bench", None)
        cores["machine busy"] = (busy1[0] - self._busy0[0]) / (busy1[1] - self._busy0[1]) * os.cpu_count()
        return cores


LUA_COMMON = r"""
local lines = {}
for line in io.lines("%(file)s") do lines[#lines + 1] = line end
local counter = 0
init = function(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.stderr:write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"status_errors":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"timeout":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"mean":%%f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

LUA_GET = LUA_COMMON + r"""
request = function()
  return wrk.format("GET", "%(prefix)s" .. lines[math.random(#lines)])
end
"""

LUA_POST = LUA_COMMON + r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = lines[1]
"""


def run_wrk(url: str, script: Path, seconds: float, connections: int, threads: int = 1) -> dict:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                          "--timeout", "10s", "-s", str(script), url], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    line = next(x for x in out.stderr.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("status_errors", "connect", "read", "write", "timeout"))
    return result


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk not found: installing it from the Debian packages (apt-get install wrk)", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


# ---------------------------------------------------------------------------------------------
# Database ceilings: the same SQL through a plain pool, and raw appends.

async def raw_queries(settings: Settings, sql: str, args_list: list[tuple], seconds: float,
                      concurrency: int) -> tuple[float, list[float]]:
    pool = await asyncpg.create_pool(settings.postgres_dsn, min_size=10, max_size=10)
    latencies: list[float] = []
    done = 0
    deadline = time.perf_counter() + seconds

    async def caller(seed_: int) -> None:
        nonlocal done
        rng = random.Random(seed_)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await pool.fetch(sql, *args_list[rng.randrange(len(args_list))])
            latencies.append(time.perf_counter() - started)
            done += 1

    try:
        with Timer() as t:
            await asyncio.gather(*(caller(i) for i in range(concurrency)))
    finally:
        await pool.close()
    return done / t.seconds, latencies


async def raw_appends(container, seconds: float, concurrency: int) -> float:
    store = container.event_store
    done = 0
    deadline = time.perf_counter() + seconds

    async def writer() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            task_id = str(uuid.uuid4())
            await store.append(f"task-{task_id}", NO_STREAM, [NewEvent(event=TaskCreated(
                task_id=task_id, task_name="raw", task_type="USER_TWEETS", parameters={"username": "x"},
                user_id="user-raw"))])
            done += 1

    with Timer() as t:
        await asyncio.gather(*(writer() for _ in range(concurrency)))
    return done / t.seconds


# ---------------------------------------------------------------------------------------------

def list_urls(rng: random.Random) -> list[str]:
    urls = []
    statuses = ["PENDING", "COMPLETED", "RUNNING"]
    for i in range(40):
        kind = i % 4
        user = f"user-{rng.randrange(USERS):03d}"
        if kind == 0:
            query = f"user_id={user}"
        elif kind == 1:
            query = f"status={statuses[rng.randrange(3)]}"
        elif kind == 2:
            query = f"task_type={list(TYPES)[rng.randrange(len(TYPES))]}"
        else:
            query = f"user_id={user}&status=PENDING"
        urls.append(f"?{query}&size=20&page={rng.randrange(1, 11)}")
    return urls


def fmt(result: dict) -> str:
    errors = f", {result['errors']} errors" if result["errors"] else ""
    return (f"{result['rps']:>8,.0f} req/s  p50 {result['p50'] / 1000:6.2f} ms  p90 {result['p90'] / 1000:6.2f} ms  "
            f"p99 {result['p99'] / 1000:6.2f} ms{errors}")


def fmt_cpu(cpu: dict[str, float]) -> str:
    order = ["api", "projector", "postgres", "wrk", "bench", "other", "machine busy"]
    return ", ".join(f"{k} {cpu[k]:.2f}" for k in order if k in cpu)


async def main(args: argparse.Namespace) -> None:
    ensure_wrk()
    overrides = {"XGET_POSTGRES_POOL_SIZE": args.pool_size} if args.pool_size else {}
    settings = await bench_settings(XGET_API_PORT=args.port, XGET_LOG_LEVEL="WARNING", **overrides)
    work = Path(tempfile.mkdtemp(prefix="xget-bench-api-"))
    log_dir = REPO / ".var" / "log" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    async with open_container(settings) as container:
        print(f"seeding {args.tasks:,} tasks ...", flush=True)
        events, append_s, project_s = await seed(container, args.tasks)
        print(f"  {events:,} events appended in {append_s:.1f}s ({events / append_s:,.0f}/s), "
              f"projected in {project_s:.1f}s ({events / project_s:,.0f}/s)", flush=True)
        ids = [r["id"] for r in await container.pool.fetch("SELECT id FROM tasks")]
        total = len(ids)
        rng = random.Random(7)
        urls = list_urls(rng)
        # Database ceilings, same SQL as the endpoints (with the page's total from task_counts).
        by_id_sql = f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"
        raw_id_rate, raw_id_lat = await raw_queries(settings, by_id_sql, [(i,) for i in ids], args.raw_seconds,
                                                     args.connections)
        list_sql = (f"SELECT {TASK_COLUMNS} FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC "
                    "LIMIT 20 OFFSET $2")
        raw_list_rate, _ = await raw_queries(
            settings, list_sql, [(f"user-{u:03d}", 20 * p) for u in range(USERS) for p in range(10)],
            args.raw_seconds, args.connections)
        raw_append_rate = await raw_appends(container, args.raw_seconds, args.connections)
        async with container.pool.acquire() as conn:
            while await apply_batch(conn, container.event_store, (await container.projections())["tasks"],
                                    10_000) is not None:
                pass

    (work / "ids.txt").write_text("\n".join(ids) + "\n")
    (work / "lists.txt").write_text("\n".join(urls) + "\n")
    (work / "create.txt").write_text(json.dumps(CREATE_BODY) + "\n")
    (work / "health.txt").write_text("\n")
    scripts = {
        "health": LUA_GET % {"file": work / "health.txt", "prefix": "/health"},
        "by id": LUA_GET % {"file": work / "ids.txt", "prefix": "/api/v1/tasks/"},
        "list": LUA_GET % {"file": work / "lists.txt", "prefix": "/api/v1/tasks"},
        "create": LUA_POST % {"file": work / "create.txt"},
    }
    paths = {}
    for name, text in scripts.items():
        paths[name] = work / f"{name.replace(' ', '_')}.lua"
        paths[name].write_text(text)

    # Every worker count gets its own API server, all started up front; the runs of one scenario
    # alternate between them round after round, so load from outside the benchmark (the machine is
    # shared) falls on all of them alike. The median round is reported.
    ports = {w: args.port + i for i, w in enumerate(args.workers)}
    runs: dict[int, dict[str, list[tuple[dict, dict]]]] = {w: {} for w in args.workers}
    scenarios = [x.strip() for x in args.scenarios.split(",")]
    projector = Child(settings, log_dir, "projector")
    apis: dict[int, Child] = {}
    try:
        for workers, port in ports.items():
            apis[workers] = Child(settings, log_dir, "api", "--port", str(port), "--workers", str(workers))
        for workers, api in apis.items():
            wait_http(f"http://127.0.0.1:{ports[workers]}/health", api)
        time.sleep(1.0)
        for name in scenarios:
            path = "/api/v1/tasks" if name == "create" else "/"
            for workers in args.workers:
                run_wrk(f"http://127.0.0.1:{ports[workers]}{path}", paths[name], args.warmup, args.connections)
            for round_ in range(args.rounds):
                for workers in args.workers:
                    others = {a.proc.pid for w, a in apis.items() if w != workers}
                    meter = CpuMeter({"api": {apis[workers].proc.pid}, "projector": {projector.proc.pid},
                                      "bench": {os.getpid()}, "other": others})
                    meter.start()
                    result = run_wrk(f"http://127.0.0.1:{ports[workers]}{path}", paths[name], args.seconds,
                                     args.connections)
                    cpu = meter.stop()
                    runs[workers].setdefault(name, []).append((result, cpu))
                    print(f"  round {round_ + 1} workers={workers} {name:<7} {fmt(result)}   cpu: {fmt_cpu(cpu)}",
                          flush=True)
    finally:
        for api in apis.values():
            api.stop()
        projector.stop()
        shutil.rmtree(work, ignore_errors=True)

    results: dict[int, dict[str, tuple[dict, dict]]] = {}
    spread: dict[int, dict[str, str]] = {}
    for workers, by_name in runs.items():
        results[workers], spread[workers] = {}, {}
        for name, measured in by_name.items():
            ordered = sorted(measured, key=lambda m: m[0]["rps"])
            results[workers][name] = ordered[len(ordered) // 2]
            spread[workers][name] = " / ".join(f"{m[0]['rps']:,.0f}" for m in measured)

    targets = {"by id": (2000, 50.0), "list": (1000, None), "create": (500, None)}
    raw_rates = {"by id": raw_id_rate, "list": raw_list_rate, "create": raw_append_rate}
    for workers, rows in results.items():
        lines = []
        for name, (result, cpu) in rows.items():
            note = ""
            if name in targets:
                rate, p99 = targets[name]
                ok = result["rps"] >= rate and (p99 is None or result["p99"] / 1000 < p99) and not result["errors"]
                note = f"  target >= {rate:,} req/s" + (f", p99 < {p99:.0f} ms" if p99 else "") + \
                    (": met" if ok else ": NOT met")
            lines.append((name, fmt(result) + note))
            if args.rounds > 1:
                lines.append(("", f"rounds (req/s): {spread[workers][name]}; the median round is shown"))
            per_request = {k: cpu[k] / result["rps"] * 1e6 for k in ("api", "postgres", "projector", "wrk")
                           if cpu.get(k, 0) >= 0.005}
            ceiling = ""
            if "health" in rows and name != "health":
                ceiling = f"; {result['rps'] / rows['health'][0]['rps']:.2f}x the /health rate"
            if name in raw_rates:
                ceiling += f", {result['rps'] / raw_rates[name]:.2f}x the raw database rate"
            lines.append(("", "cpu (cores): " + fmt_cpu(cpu)))
            lines.append(("", "cpu per request: " + ", ".join(f"{k} {v:,.0f} us" for k, v in per_request.items())
                          + ceiling))
        report(f"API, uvicorn workers={workers}, {args.connections} connections, {args.seconds:.0f}s per "
               f"run, {args.rounds} rounds, {total:,} tasks seeded ({events:,} events)", lines)
    report("same-run baselines (database ceilings: plain asyncpg pool of 10 in the bench process, "
           f"{args.connections} concurrent callers, {args.raw_seconds:.0f}s)", [
        ("by id SQL", f"{raw_id_rate:>8,.0f} queries/s  p99 {percentile(raw_id_lat, 99) * 1000:.2f} ms"),
        ("list SQL (page of 20 by user)", f"{raw_list_rate:>8,.0f} queries/s  (the endpoint adds a task_counts "
                                          "query for the total)"),
        ("single-event appends", f"{raw_append_rate:>8,.0f} appends/s  (create = 1 stream read + 1 append + "
                                 "waiting for the projector)"),
    ])
    best = {name: max(results, key=lambda w: results[w][name][0]["rps"])
            for name in ("by id", "list", "create") if all(name in r for r in results.values())}
    report("best worker count per scenario", [(name, f"workers={w}") for name, w in best.items()])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks seeded")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measured wrk run")
    parser.add_argument("--warmup", type=float, default=2.0, help="duration of the warm-up run before each")
    parser.add_argument("--raw-seconds", type=float, default=5.0, help="duration of each database baseline")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2],
                        help="uvicorn worker counts to measure, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each scenario per worker count")
    parser.add_argument("--port", type=int, default=18103, help="first port (one per worker count)")
    parser.add_argument("--pool-size", type=int, default=None,
                        help="XGET_POSTGRES_POOL_SIZE of the API and projector (default: the product's)")
    parser.add_argument("--scenarios", default="health,by id,list,create",
                        help="comma-separated subset of: health, by id, list, create")
    asyncio.run(main(parser.parse_args()))
