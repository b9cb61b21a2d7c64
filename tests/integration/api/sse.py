"""Helpers of the live-progress tests: a real HTTP server for the app in this event loop (httpx's
ASGI transport buffers whole responses, so streams need a socket), an SSE reader, and a stand-in
worker that appends an execution's events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from xget.api.app import build_services, create_app
from xget.api.live import StreamSettings
from xget.bootstrap import Container
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionWaiting,
    NewEvent,
    ResultsCollected,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # pytest owns the signals
        yield


@contextlib.asynccontextmanager
async def serve(container: Container, streams: StreamSettings) -> AsyncIterator[str]:
    """The API app on a free local port, sharing ``container``; yields its base URL."""
    app = create_app(container=container)
    app.state.services = await build_services(container)
    app.state.services.extras["task_streams"] = streams
    port = free_port()
    server = _QuietServer(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Sse:
    """One received server-sent event (``comment`` for comment lines)."""

    event: str | None = None
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.data)  # type: ignore[no-any-return]


async def read_events(response: httpx.Response) -> AsyncIterator[Sse]:
    """Parse an SSE body as it arrives; comment-only blocks are yielded too (heartbeats)."""
    current = Sse()
    async for line in response.aiter_lines():
        if line == "":
            if current.event or current.data or current.comments or current.id:
                yield current
            current = Sse()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                current.data = f"{current.data}\n{value}" if current.data else value
            elif name in ("event", "id"):
                setattr(current, name, value)


async def next_event(events: AsyncIterator[Sse], timeout: float = 10) -> Sse:
    """The next event that is not a heartbeat."""
    while True:
        sse = await asyncio.wait_for(anext(events), timeout)
        if sse.event:
            return sse


class FakeWorker:
    """Appends what a worker would, for one execution of one task."""

    def __init__(self, container: Container, task_id: str, execution_id: str) -> None:
        self.store = container.event_store
        self.task_id = task_id
        self.execution_id = execution_id
        self.pages = 0
        self.total = 0

    async def _to_task(self, event: Event) -> int:
        stream = f"task-{self.task_id}"
        return await self.store.append(stream, await self.store.stream_version(stream), [NewEvent(event=event)])

    async def start(self) -> int:
        return await self._to_task(ExecutionStarted(task_id=self.task_id, execution_id=self.execution_id,
                                                    account_id="acc-1", proxy_id="px-1", worker_id="test:1"))

    async def page(self, items: int) -> int:
        self.pages += 1
        self.total += items
        page = ResultsCollected(task_id=self.task_id, execution_id=self.execution_id, page=self.pages,
                                item_type="tweet", items=[{"id": f"{self.pages}-{i}", "text": "x" * 200}
                                                          for i in range(items)],
                                cursor=f"c{self.pages}", total=self.total, account_id="acc-1", proxy_id="px-1")
        return await self.store.append(f"execution-{self.execution_id}", self.pages - 1, [NewEvent(event=page)])

    async def wait(self, seconds: float) -> int:
        return await self._to_task(ExecutionWaiting(task_id=self.task_id, execution_id=self.execution_id,
                                                    reason="rate limited: UserTweets", seconds=seconds,
                                                    account_id="acc-1"))

    async def complete(self) -> int:
        return await self._to_task(ExecutionCompleted(task_id=self.task_id, execution_id=self.execution_id,
                                                      result_count=self.total, pages=self.pages, duration=1.5))

    async def fail(self, error_class: str, message: str) -> int:
        return await self._to_task(ExecutionFailed(task_id=self.task_id, execution_id=self.execution_id,
                                                   error_class=error_class, error_message=message,
                                                   result_count=self.total, pages=self.pages, duration=0.5))
