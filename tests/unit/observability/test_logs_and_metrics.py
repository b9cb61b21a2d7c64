"""Structured logs carry their context; the metrics registry renders every declared metric."""

from __future__ import annotations

import asyncio
import json
import logging

from prometheus_client import generate_latest

from xget.observability.logs import JsonFormatter, bind, log_context
from xget.observability.metrics import REGISTRY, X_ERRORS


def render(record_msg: str, **extra: object) -> dict:
    record = logging.makeLogRecord({"name": "xget.test", "levelname": "INFO", "levelno": 20, "msg": record_msg,
                                    **extra})
    return json.loads(JsonFormatter("api").format(record))


def test_a_log_line_is_one_json_object_with_its_context() -> None:
    with log_context(correlation_id="c-1", task_id="t-1"):
        line = render("task started", outcome="ok")
    assert line["msg"] == "task started" and line["level"] == "INFO" and line["process"] == "api"
    assert line["correlation_id"] == "c-1" and line["task_id"] == "t-1" and line["outcome"] == "ok"
    assert line["ts"].endswith("Z")
    assert "correlation_id" not in render("outside")


async def test_context_follows_into_tasks_but_not_out_of_them() -> None:
    async def child() -> dict:
        bind(execution_id="e-1")
        return render("inside")

    with log_context(correlation_id="c-2"):
        inside = await asyncio.create_task(child())
        after = render("parent")
    assert inside["correlation_id"] == "c-2" and inside["execution_id"] == "e-1"
    assert "execution_id" not in after


def test_the_registry_renders_counters_without_created_series() -> None:
    X_ERRORS.labels("rate_limited").inc()
    text = generate_latest(REGISTRY).decode()
    assert 'xget_x_errors_total{code="rate_limited"}' in text
    assert "_created" not in text
    for name in ("xget_http_request_duration_seconds", "xget_relay_lag_events", "xget_projection_lag_events",
                 "xget_kafka_consumer_lag", "xget_account_leases_total", "xget_rate_limit_waits_total"):
        assert f"# HELP {name}" in text


def test_each_process_exposes_only_the_metrics_it_moves() -> None:
    from prometheus_client import generate_latest

    from xget.observability.metrics import EXECUTIONS_RUNNING, RELAY_PUBLISHED, registry_for

    EXECUTIONS_RUNNING.set(0)
    RELAY_PUBLISHED.inc(0)
    worker = generate_latest(registry_for("worker")).decode()
    api = generate_latest(registry_for("api")).decode()
    relay = generate_latest(registry_for("relay")).decode()
    assert "xget_executions_running" in worker and "xget_executions_running" not in api + relay
    assert "xget_relay_published_total" in relay and "xget_relay_published_total" not in api + worker
