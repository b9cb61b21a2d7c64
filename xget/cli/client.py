"""A small synchronous client of XGet's REST API for the command line (httpx).

Errors come back as :class:`ApiError` carrying the API's problem+json (title, detail, field
errors), or :class:`Unreachable` when no API answers; the commands turn both into a message and a
non-zero exit code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import httpx

DEFAULT_API = "http://127.0.0.1:8003"
TASKS = "/api/v1/tasks"


class Unreachable(Exception):
    """No API answered at the base URL."""


@dataclass
class ApiError(Exception):
    """The API refused a request; ``problem`` is its problem+json body (or a stand-in)."""

    status: int
    problem: dict[str, Any]

    def __str__(self) -> str:
        title = self.problem.get("title") or "error"
        detail = self.problem.get("detail") or ""
        errors = [e for e in self.problem.get("errors") or [] if isinstance(e, dict)]
        # A validation detail is usually the field errors joined: show them once, one a line.
        repeated = bool(errors) and all(str(e.get("message", "")) in detail for e in errors)
        shown = detail if detail and detail != title and not repeated else ""
        lines = [f"{self.status} {title}" + (f": {shown}" if shown else "")]
        lines += [f"  {e.get('field', '?')}: {e.get('message', '')}" for e in errors]
        return "\n".join(lines)


@dataclass
class Event:
    """One server-sent event of a task's stream."""

    name: str
    id: str | None
    data: dict[str, Any] = field(default_factory=dict)


class Api:
    """The REST API at ``base_url``, with ``api_key`` sent as ``X-API-Key`` when given."""

    def __init__(self, base_url: str = DEFAULT_API, api_key: str | None = None, timeout: float = 30.0) -> None:
        headers = {"User-Agent": "xget-cli"}
        if api_key:
            headers["X-API-Key"] = api_key
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; raises ApiError on 4xx/5xx and Unreachable when nothing answers."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"cannot reach the XGet API at {self.base_url} ({exc.__class__.__name__}: {exc}); "
                              "set --api or XGET_API_URL") from exc
        if response.status_code >= 400:
            raise error_of(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request whose answer is JSON."""
        return self.request(method, path, **kwargs).json()

    # Tasks
    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.json("POST", TASKS, json=body)  # type: ignore[no-any-return]

    def list(self, **query: Any) -> dict[str, Any]:
        params = {k: v for k, v in query.items() if v is not None}
        return self.json("GET", TASKS, params=params)  # type: ignore[no-any-return]

    def get(self, task_id: str) -> dict[str, Any]:
        return self.json("GET", f"{TASKS}/{task_id}")  # type: ignore[no-any-return]

    def start(self, task_id: str) -> dict[str, Any]:
        return self.json("POST", f"{TASKS}/{task_id}/start")  # type: ignore[no-any-return]

    def stop(self, task_id: str) -> dict[str, Any]:
        return self.json("POST", f"{TASKS}/{task_id}/stop")  # type: ignore[no-any-return]

    def delete(self, task_id: str) -> None:
        self.request("DELETE", f"{TASKS}/{task_id}")

    def executions(self, task_id: str, size: int = 20) -> dict[str, Any]:
        path = f"/api/v1/task-executions/task/{task_id}"
        return self.json("GET", path, params={"size": size})  # type: ignore[no-any-return]

    def results(self, task_id: str, **query: Any) -> dict[str, Any]:
        params = {k: v for k, v in query.items() if v is not None}
        return self.json("GET", f"{TASKS}/{task_id}/results", params=params)  # type: ignore[no-any-return]

    def export(self, task_id: str, fmt: str, out: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
        """Stream the export of a task's results into ``out``; ``progress(n)`` after each chunk.
        Returns the bytes written."""
        written = 0
        try:
            with self._http.stream("POST", f"{TASKS}/export/{task_id}", params={"format": fmt},
                                   timeout=httpx.Timeout(30.0, read=300.0)) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_of(response)
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    written += len(chunk)
                    if progress is not None:
                        progress(len(chunk))
        except httpx.TransportError as exc:
            raise Unreachable(f"the export of task {task_id} from {self.base_url} failed: {exc}") from exc
        return written

    def events(self, task_id: str, retries: int = 5) -> Iterator[Event]:
        """The task's server-sent events until it ends. When the connection drops, or the server
        closes it before the end, it reconnects with Last-Event-ID (``retries`` times in a row
        at most, with a growing pause)."""
        last_id: str | None = None
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id
            problem: Exception | None = None
            try:
                with self._http.stream("GET", f"{TASKS}/{task_id}/events", headers=headers,
                                       timeout=httpx.Timeout(30.0, read=90.0)) as response:
                    if response.status_code == 204:
                        return  # it ended before this reconnect
                    if response.status_code >= 400:
                        response.read()
                        raise error_of(response)
                    for event in parse_sse(response.iter_lines()):
                        failures = 0
                        last_id = event.id or last_id
                        yield event
                        if event.name == "end":
                            return
            except httpx.TransportError as exc:
                problem = exc
            failures += 1
            if failures > retries:
                raise Unreachable(f"lost the event stream of task {task_id} at {self.base_url}"
                                  + (f": {problem}" if problem else ""))
            time.sleep(min(0.5 * 2 ** failures, 10.0))


def error_of(response: httpx.Response) -> ApiError:
    """An ApiError from a refused response (problem+json when the API sent one)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        body = {"title": response.reason_phrase, "detail": response.text[:500]}
    return ApiError(response.status_code, body)


def parse_sse(lines: Iterator[str]) -> Iterator[Event]:
    """Events of an SSE body, line by line; comments (heartbeats) are skipped."""
    name, event_id, data = "message", None, []
    for line in lines:
        if line == "":
            if data:
                try:
                    parsed = json.loads("\n".join(data))
                except ValueError:
                    parsed = {"raw": "\n".join(data)}
                yield Event(name=name, id=event_id, data=parsed if isinstance(parsed, dict) else {"value": parsed})
            name, data = "message", []
            continue
        if line.startswith(":"):
            continue
        key, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if key == "event":
            name = value
        elif key == "id":
            event_id = value
        elif key == "data":
            data.append(value)
