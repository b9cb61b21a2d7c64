"""The table of projections, by name: the one place a read model is registered."""

from __future__ import annotations

from xget.projections.base import Projection
from xget.projections.executions import ExecutionsProjection
from xget.projections.tasks import TasksProjection

POSTGRES_PROJECTIONS: dict[str, Projection] = {
    "tasks": TasksProjection(),
    "task_executions": ExecutionsProjection(),
}
