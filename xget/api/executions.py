"""Task-execution endpoints: list, show, and one task's history."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, FromQuery, QueryParameter

from xget.api.deps import ActorDep, Services, ServicesDep, can_see, owner_filter, task_id_of
from xget.api.problems import ProblemException
from xget.api.schemas import ExecutionOut, ExecutionPage, execution_out
from xget.api.tasks import Page, Size
from xget.commands.errors import TaskNotFound
from xget.commands.params import TaskStatus
from xget.projections.queries import ExecutionFilter

Sort = Annotated[str, QueryParameter(description="requested_at, started_at, completed_at, result_count or duration; "
                                "prefix - for descending")]


class ExecutionNotFound(TaskNotFound):
    """No such execution (or not the caller's)."""

    def __init__(self, execution_id: str) -> None:
        Exception.__init__(self, f"execution {execution_id} not found")
        self.task_id = execution_id


class ExecutionController(Controller):
    """/api/v1/task-executions"""

    path = "/api/v1/task-executions"
    tags = ["task executions"]

    async def _page(self, services: Services, flt: ExecutionFilter, page: int, size: int, sort: str) -> ExecutionPage:
        try:
            rows, total = await services.executions.list(flt, page, size, sort)
        except ValueError as exc:
            raise ProblemException(422, "validation", str(exc), [{"field": "query.sort", "message": str(exc)}]) from None
        return ExecutionPage(items=[execution_out(r) for r in rows], total=total, page=page, size=size)

    @get("/", summary="List executions")
    async def list_executions(
        self, services: ServicesDep, actor: ActorDep, page: Page = 1, size: Size = 20,
        task_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        user_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        status: FromQuery[TaskStatus | None] = None, sort: Sort = "-requested_at",
    ) -> ExecutionPage:
        """Executions, newest first, filtered by task, user or status."""
        if task_id is not None:
            try:
                task_id = task_id_of(task_id)
            except ProblemException:
                pass  # not an id of any task: the filter matches nothing
        flt = ExecutionFilter(user_id=owner_filter(actor, user_id), task_id=task_id,
                              status=status.value if status else None)
        return await self._page(services, flt, page, size, sort)

    @get("/{execution_id:str}", summary="Show an execution")
    async def get_execution(self, execution_id: FromPath[str], services: ServicesDep, actor: ActorDep) -> ExecutionOut:
        """One execution with its live progress (pages, items, account, proxy, rate-limit waits)."""
        execution_id = task_id_of(execution_id, "execution")
        row = await services.executions.get(execution_id)
        if row is None or not can_see(actor, row["user_id"]):
            raise ExecutionNotFound(execution_id)
        return execution_out(row)

    @get("/task/{task_id:str}", summary="A task's execution history")
    async def task_history(self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep, page: Page = 1,
                           size: Size = 20, sort: Sort = "-requested_at") -> ExecutionPage:
        """Every execution of one task, newest first."""
        task_id = task_id_of(task_id)
        task = await services.tasks.get(task_id)
        if task is None or not can_see(actor, task["user_id"]):
            raise TaskNotFound(task_id)
        return await self._page(services, ExecutionFilter(task_id=task_id), page, size, sort)
