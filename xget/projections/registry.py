"""The table of projections, by name: the one place a read model is registered."""

from __future__ import annotations

from collections.abc import Mapping

from xget.projections.base import Projection
from xget.projections.executions import ExecutionsProjection
from xget.projections.tasks import TasksProjection

POSTGRES_PROJECTIONS: dict[str, Projection] = {
    "tasks": TasksProjection(),
    "task_executions": ExecutionsProjection(),
}

APPLIED_TOGETHER: tuple[frozenset[str], ...] = (frozenset({"tasks", "task_executions"}),)
"""Projections one runner applies in the same transactions, so that a read of one never sees it
ahead of the other: a task and its executions always answer from the same position."""


def runner_groups(projections: Mapping[str, Projection]) -> list[list[Projection]]:
    """Split ``projections`` into the groups a runner each: those of an APPLIED_TOGETHER set that
    are present run together, every other projection alone."""
    groups: list[list[Projection]] = []
    grouped: set[str] = set()
    for together in APPLIED_TOGETHER:
        present = [p for n, p in projections.items() if n in together]
        if present:
            groups.append(present)
            grouped |= together
    groups += [[p] for n, p in projections.items() if n not in grouped]
    return groups
