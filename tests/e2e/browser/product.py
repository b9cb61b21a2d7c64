"""The whole product for the browser tests, isolated from every other test: its own PostgreSQL
and MongoDB databases, its own Kafka topics, and ports the OS picked, so it can run beside the
session's other stacks (and beside ``make up``) without sharing a checkpoint or a partition."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import uuid

import httpx

from tests.processes import XgetProcess
from tests.conftest import reset_database
from xget.bootstrap import open_container
from xget.settings import Settings



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated(settings: Settings) -> Settings:
    """The session's settings moved to the browser tests' own databases and topics (named after
    the session's, so runs with their own XGET_TEST_POSTGRES_DB stay apart here too)."""
    run = uuid.uuid4().hex[:8]
    database = f"{settings.postgres_db}_browser"
    return dataclasses.replace(
        settings, postgres_db=database, kafka_partitions=2,
        mongodb_url=settings.mongodb_url.replace(f"/{settings.mongodb_database}?", f"/{database}?"),
        kafka_topic_tasks=f"xget-browser-{run}.task-events", kafka_topic_results=f"xget-browser-{run}.results")


async def reset(settings: Settings) -> None:
    """Empty databases, migrated once (before several processes start)."""
    await reset_database(settings)
    async with open_container(settings):
        pass


class Product:
    """Sandbox X, accounts and proxies, relay, projector, worker, and two APIs (auth off, and
    API keys) as subprocesses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ports = {name: free_port() for name in ("api", "keyed", "x", "accounts", "proxies", "forward")}
        self.env = {
            "XGET_SANDBOX_HOST": "127.0.0.1", "XGET_SANDBOX_X_PORT": str(ports["x"]),
            "XGET_SANDBOX_ACCOUNTS_PORT": str(ports["accounts"]), "XGET_SANDBOX_PROXIES_PORT": str(ports["proxies"]),
            "XGET_SANDBOX_FORWARD_PORT": str(ports["forward"]), "XGET_SANDBOX_RATE_LIMITS": "off",
            "XGET_WORKER_LEASE_SECONDS": "3",
        }
        self.api = f"http://127.0.0.1:{ports['api']}"
        self.keyed_api = f"http://127.0.0.1:{ports['keyed']}"
        self.sandbox_x = f"http://127.0.0.1:{ports['x']}"
        self._ports = ports
        self.processes: list[XgetProcess] = []

    def _start(self, *args: str, name: str, **env: str) -> XgetProcess:
        process = XgetProcess(self.settings, *args, name=f"browser-{name}", **self.env, **env)
        self.processes.append(process)
        return process

    async def start(self) -> None:
        """Everything up; waits until the sandbox and both APIs answer and the worker consumes."""
        for kind in ("x", "accounts", "proxies"):
            process = self._start("sandbox", kind, name=f"sandbox-{kind}")
            await self._healthy(f"http://127.0.0.1:{self._ports[kind]}/health", process)
        self._start("relay", name="relay")
        self._start("projector", name="projector")
        worker = self._start("worker", name="worker")
        api = self._start("api", "--port", str(self._ports["api"]), name="api")
        keyed = self._start("api", "--port", str(self._ports["keyed"]), name="api-keyed", XGET_AUTH_MODE="api_key")
        await self._healthy(f"{self.api}/health", api)
        await self._healthy(f"{self.keyed_api}/health", keyed)
        await self._until(lambda: "consuming" in worker.output(), "worker consuming", worker)

    async def sandbox(self, **knobs: object) -> None:
        """Change the sandbox X's knobs at run time (latency_ms...)."""
        async with httpx.AsyncClient() as client:
            (await client.post(f"{self.sandbox_x}/_sandbox/config", json=knobs, timeout=5)).raise_for_status()

    def stop(self) -> None:
        """Stop every process, the APIs first."""
        for process in reversed(self.processes):
            process.stop()

    async def _healthy(self, url: str, process: XgetProcess) -> None:
        async def check() -> bool:
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(url, timeout=1)).status_code == 200
            except httpx.HTTPError:
                return False

        await self._until(check, f"{url} healthy", process)

    @staticmethod
    async def _until(check: object, what: str, process: XgetProcess, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.proc.poll() is not None:
                raise AssertionError(f"{process.name} exited with {process.proc.returncode}:\n{process.output()}")
            result = check()  # type: ignore[operator]
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{what} did not happen within {timeout}s:\n{process.output()[-4000:]}")
