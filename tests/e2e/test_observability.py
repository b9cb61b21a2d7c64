"""Operability end to end: metrics that move while a task runs, and one correlation id that
threads a task's story through the API, the worker and the projector's logs."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx

from tests.e2e.flows import TASKS, tweets_task, wait_execution
from tests.e2e.stack import Stack


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)$"
    for line in text.splitlines():
        match = re.match(pattern, line)
        if match:
            return float(match.group(1))
    return 0.0


async def test_metrics_move_while_a_task_runs(api: httpx.AsyncClient, live_stack: Stack) -> None:
    live_stack.sandbox(latency_ms=40)
    created = (await api.post(TASKS, json=tweets_task(800))).json()
    task = (await api.post(f"{TASKS}/{created['id']}/start")).json()
    execution = await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=3)
    worker = live_stack.worker_by_id(execution["worker_id"]).name
    running = live_stack.metrics(worker)
    assert sample(running, "xget_executions_running") >= 1
    during = sample(running, "xget_items_collected_total", item_type="tweet")
    await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=8)
    assert sample(live_stack.metrics(worker), "xget_items_collected_total", item_type="tweet") > during > 0
    await wait_execution(api, task["execution_id"], timeout=60)
    finished = live_stack.metrics(worker)
    assert sample(finished, "xget_executions_finished_total", outcome="completed") >= 1
    assert sample(finished, "xget_account_leases_total", result="granted") >= 1
    api_metrics = live_stack.metrics("api")
    assert sample(api_metrics, "xget_tasks", status="COMPLETED") >= 1
    assert sample(api_metrics, "xget_http_requests_total", method="POST", route="/api/v1/tasks/{task_id}/start",
                  status="202") >= 1
    assert 'xget_http_request_duration_seconds_bucket{le="0.05",method="GET"' in api_metrics
    assert sample(live_stack.metrics("relay"), "xget_relay_published_total") > 0
    deadline = time.monotonic() + 10
    while sample(live_stack.metrics("projector"), "xget_projection_lag_events", projection="tasks") > 0:
        assert time.monotonic() < deadline
    assert "xget_kafka_consumer_lag" in finished


async def test_one_correlation_id_follows_a_task_through_every_process(api: httpx.AsyncClient,
                                                                      live_stack: Stack) -> None:
    correlation = f"trace-{uuid.uuid4().hex[:10]}"
    headers = {"X-Correlation-ID": correlation}
    created = await api.post(TASKS, json=tweets_task(40), headers=headers)
    assert created.headers["x-correlation-id"] == correlation
    task = (await api.post(f"{TASKS}/{created.json()['id']}/start", headers=headers)).json()
    await wait_execution(api, task["execution_id"])
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in live_stack.logs() if correlation in line and line.startswith("{")]
        processes = {line["process"] for line in lines}
        if {"api", "worker", "projector"} <= processes or time.monotonic() > deadline:
            break
    assert {"api", "worker", "projector"} <= processes, processes
    worker_lines = [line for line in lines if line["process"] == "worker"]
    assert all(line.get("task_id") == task["id"] for line in worker_lines)
    applied = {line["event"] for line in lines if line["process"] == "projector"}
    assert {"TaskCreated", "TaskStarted", "ExecutionStarted", "ExecutionCompleted"} <= applied
