"""Where the CPU goes: core-seconds per component of the stack between two snapshots.

Reads ``/proc/<pid>/stat`` (user + system time) of every process on the machine and groups them
by what they are: XGet's processes by subcommand, PostgreSQL (postmaster and every backend),
Kafka, FerretDB, and this benchmark's own process. A process that exits between the snapshots
is not counted (the stack's processes and pooled database backends live through a run).
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_XGET_PROCESSES = ("api", "relay", "projector", "worker", "sandbox")


def _component(pid: int, args: list[str]) -> str | None:
    if pid == os.getpid():
        return "benchmark client"
    if not args:
        return None
    head = args[0]
    if head.endswith("xget-ferretdb"):
        return "FerretDB"
    if head.startswith("postgres") or "/postgresql/" in head:
        return "PostgreSQL"
    if Path(head).name == "java" and any("kafka" in a for a in args):
        return "Kafka"
    for i, arg in enumerate(args):
        if arg in ("xget.cli.main", "xget") or arg.endswith("/xget"):
            sub = next((a for a in args[i + 1:] if a in _XGET_PROCESSES), None)
            if sub:
                return f"xget {sub}"
    return None


def snapshot() -> dict[int, tuple[str, float]]:
    """(component, CPU seconds so far) of every recognised process, by pid."""
    out: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        name = _component(int(entry.name), [a.decode(errors="replace") for a in args if a])
        if name is None:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / _TICKS)  # utime, stime
    return out


def used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """Core-seconds each component used between two snapshots, largest first."""
    totals: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        totals[name] = totals.get(name, 0.0) + seconds - before.get(pid, (name, 0.0))[1]
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
