"""End-to-end fixtures: XGet's own processes (API, projector, relay...) running as subprocesses
against the real services and the test database."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.processes import XgetProcess
from xget.bootstrap import Container
from xget.settings import Settings

E2E_API_PORT = 18003


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


def wait_healthy(url: str, process: XgetProcess, timeout: float = 30) -> None:
    """Wait until ``url`` answers 200, or fail with the process's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise AssertionError(f"{process.name} exited with {process.proc.returncode}:\n{process.output()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{process.name} did not become healthy:\n{process.output()}")


@pytest.fixture(scope="session")
def live_api(settings: Settings, container: Container) -> Iterator[str]:
    """Base URL of an API process, with a projector process keeping its read models current.
    Depends on ``container`` so the test database is reset before these processes start."""
    projector = XgetProcess(settings, "projector")
    api = XgetProcess(settings, "api", "--port", str(E2E_API_PORT))
    base = f"http://127.0.0.1:{E2E_API_PORT}"
    try:
        wait_healthy(f"{base}/health", api)
        yield base
    finally:
        api.stop()
        projector.stop()

