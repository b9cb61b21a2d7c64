"""Running XGet's own processes (``xget relay``, ``xget worker``...) from tests, as subprocesses
configured for the test databases and topics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

from xget.settings import Settings

REPO = Path(__file__).resolve().parents[1]
LOGS = REPO / ".var" / "log" / "tests"


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process use ``settings``."""
    env = dict(os.environ)
    for f in fields(Settings):
        value = getattr(settings, f.name)
        env[f.metadata["var"]] = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    env.update(extra)
    return env


class XgetProcess:
    """One ``xget <command>`` child process with its own log file."""

    def __init__(self, settings: Settings, *args: str, name: str | None = None, **extra_env: str) -> None:
        self.args = args
        self.name = name or args[0]
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{self.name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "xget.cli.main", *args],
            env=env_for(settings, **extra_env), stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup, as in a crash."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM and wait; SIGKILL if it does not exit in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode

    def output(self) -> str:
        """What the process logged so far."""
        return self.log_path.read_text(errors="replace")
