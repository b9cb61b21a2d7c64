"""The whole product as subprocesses for end-to-end tests: sandbox X, accounts and proxies,
relay, projector, workers and the API, on ports of their own, against the test databases."""

from __future__ import annotations

import os
import time

import httpx

from tests.processes import XgetProcess
from xget.settings import Settings

PORT_BASE = int(os.environ.get("XGET_TEST_PORT_BASE", "18000"))
"""Ports of the test stack: base+3 the API, base+10..13 the sandbox (set it to run suites side by side)."""
WORKER_ENV = {"XGET_WORKER_LEASE_SECONDS": "3"}


def sandbox_env(port_base: int) -> dict[str, str]:
    """Where the sandbox processes listen (and where the worker's X runtime finds them)."""
    return {
        "XGET_SANDBOX_HOST": "127.0.0.1",
        "XGET_SANDBOX_X_PORT": str(port_base + 10),
        "XGET_SANDBOX_ACCOUNTS_PORT": str(port_base + 11),
        "XGET_SANDBOX_PROXIES_PORT": str(port_base + 12),
        "XGET_SANDBOX_FORWARD_PORT": str(port_base + 13),
        "XGET_SANDBOX_RATE_LIMITS": "off",  # tests that need rate limits switch them on at run time
    }


def wait_until(check: "callable[[], bool]", what: str, process: XgetProcess | None = None,  # type: ignore[valid-type]
               timeout: float = 60) -> None:
    """Poll ``check`` until it is true; fail naming ``what`` (with the process's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.proc.poll() is not None:
            raise AssertionError(f"{process.name} exited with {process.proc.returncode}:\n{process.output()}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    log = f":\n{process.output()[-4000:]}" if process is not None else ""
    raise AssertionError(f"{what} did not happen within {timeout}s{log}")


def healthy(url: str) -> bool:
    return httpx.get(url, timeout=1).status_code == 200


class Stack:
    """Starts and stops the product's processes; workers can be added and killed."""

    def __init__(self, settings: Settings, port_base: int = PORT_BASE, **extra_env: str) -> None:
        self.settings = settings
        self.sandbox_env = sandbox_env(port_base)
        self.env = {**self.sandbox_env, **WORKER_ENV, **extra_env}
        self.api_port = port_base + 3
        self.metrics_ports = {"relay": port_base + 21, "projector": port_base + 22}
        self._worker_metrics_port = port_base + 23
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.sandbox_x = f"http://127.0.0.1:{self.sandbox_env['XGET_SANDBOX_X_PORT']}"
        self.sandbox_accounts = f"http://127.0.0.1:{self.sandbox_env['XGET_SANDBOX_ACCOUNTS_PORT']}"
        self.processes: list[XgetProcess] = []
        self.retired: list[XgetProcess] = []
        self.workers: list[XgetProcess] = []

    def _start(self, *args: str, name: str, **env: str) -> XgetProcess:
        process = XgetProcess(self.settings, *args, name=name, **{**self.env, **env})
        self.processes.append(process)
        return process

    def start(self) -> None:
        """Everything up, in dependency order, each waited for."""
        for kind, port in (("x", "X"), ("accounts", "ACCOUNTS"), ("proxies", "PROXIES")):
            process = self._start("sandbox", kind, name=f"sandbox-{kind}")
            url = f"http://127.0.0.1:{self.sandbox_env[f'XGET_SANDBOX_{port}_PORT']}/health"
            wait_until(lambda url=url: healthy(url), f"sandbox {kind} healthy", process)
        self._start("relay", name="relay", XGET_METRICS_PORT=str(self.metrics_ports["relay"]))
        self._start("projector", name="projector", XGET_METRICS_PORT=str(self.metrics_ports["projector"]))
        api = self._start("api", "--port", str(self.api_port), name="api")
        wait_until(lambda: healthy(f"{self.api}/health"), "API healthy", api)
        self.add_worker()

    def add_worker(self) -> XgetProcess:
        """Start one more worker and wait until it consumes."""
        # Numbered by every worker started so far, killed ones included: a name (and its metrics
        # port) must never be given to two live workers.
        index = len(self.workers) + len([p for p in self.retired if p.name.startswith("worker")])
        port = self._worker_metrics_port + index
        name = f"worker-{index}"
        worker = self._start("worker", name=name, XGET_METRICS_PORT=str(port))
        self.metrics_ports[name] = port
        self.workers.append(worker)
        wait_until(lambda: "consuming" in worker.output(), "worker consuming", worker)
        return worker

    def restart(self, name: str, kill: bool = False) -> XgetProcess:
        """Stop (or SIGKILL) the process named ``name`` and start a new one with the same command."""
        old = next(p for p in self.processes if p.name == name and p not in self.retired)
        old.kill() if kill else old.stop()
        self.retired.append(old)
        port = self.metrics_ports.get(name)
        return self._start(*old.args, name=name, **({"XGET_METRICS_PORT": str(port)} if port else {}))

    def metrics(self, name: str) -> str:
        """The Prometheus text of a process (``api``, ``relay``, ``projector``, ``worker-0``...)."""
        url = f"{self.api}/metrics" if name == "api" else f"http://127.0.0.1:{self.metrics_ports[name]}/metrics"
        return httpx.get(url, timeout=5).text

    def logs(self) -> list[str]:
        """Every line every process of the stack logged so far."""
        return [line for p in self.processes for line in p.output().splitlines()]

    def kill_worker(self, worker: XgetProcess) -> None:
        """SIGKILL a worker, as a crash would."""
        worker.kill()
        self.workers.remove(worker)
        self.retired.append(worker)

    def worker_by_id(self, worker_id: str) -> XgetProcess:
        """The worker process whose id (host:pid) is ``worker_id``."""
        pid = int(worker_id.rsplit(":", 1)[1])
        return next(w for w in self.workers if w.proc.pid == pid)

    def sandbox(self, **knobs: object) -> None:
        """Change the sandbox X's knobs at run time (latency_ms, rate_limits, rate_limit...)."""
        response = httpx.post(f"{self.sandbox_x}/_sandbox/config", json=knobs, timeout=5)
        response.raise_for_status()

    def reset_sandbox(self) -> None:
        """Defaults of the test stack again: no latency, no rate limits, fresh windows, all accounts on."""
        self.sandbox(latency_ms=0, rate_limits=False, rate_limit={}, suspended_accounts=[])
        httpx.post(f"{self.sandbox_x}/_sandbox/reset", timeout=5)
        accounts = httpx.get(f"{self.sandbox_accounts}/v1/accounts", timeout=5).json()["accounts"]
        for account in accounts:
            httpx.post(f"{self.sandbox_accounts}/v1/accounts/{account['id']}/enable", timeout=5)

    def stop(self) -> None:
        """Stop everything, the API first."""
        for process in reversed(self.processes):
            if process.proc.poll() is None:
                process.stop()
            elif not process._log.closed:  # noqa: SLF001 - a process that died on its own
                process._log.close()  # noqa: SLF001


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


__all__ = ["Stack", "wait_until", "pid_alive"]
