"""The table of projections, by name: the one place a read model is registered."""

from __future__ import annotations

from xget.projections.base import PostgresProjection
from xget.projections.executions import ExecutionsProjection
from xget.projections.tasks import TasksProjection

POSTGRES_PROJECTIONS: dict[str, PostgresProjection] = {
    "tasks": TasksProjection(),
    "task_executions": ExecutionsProjection(),
}
