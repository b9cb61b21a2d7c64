"""Every Prometheus metric XGet exposes, in one table (process-local registry per process).

The API serves them at ``/metrics``; the worker, relay and projector processes serve them on
``XGET_METRICS_PORT`` (``make up`` gives each its own port; 0 turns the server off).
"""

from __future__ import annotations

import logging

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    start_http_server,
)

log = logging.getLogger(__name__)

disable_created_metrics()  # the *_created series double the output and nobody graphs them
REGISTRY = CollectorRegistry(auto_describe=True)

# HTTP (API)
HTTP_REQUESTS = Counter("xget_http_requests_total", "HTTP requests by route and status",
                        ["method", "route", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram("xget_http_request_duration_seconds", "HTTP request latency by route",
                         ["method", "route"], registry=REGISTRY,
                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SSE_STREAMS = Gauge("xget_task_event_streams", "Task event streams (SSE) open in this API process",
                    registry=REGISTRY)
TASKS = Gauge("xget_tasks", "Tasks by status (read model, at scrape time)", ["status"], registry=REGISTRY)

# Executions (worker)
EXECUTIONS_STARTED = Counter("xget_executions_started_total", "Executions a worker began or resumed",
                             registry=REGISTRY)
EXECUTIONS_FINISHED = Counter("xget_executions_finished_total", "Executions a worker ended, by outcome",
                              ["outcome"], registry=REGISTRY)
EXECUTIONS_RUNNING = Gauge("xget_executions_running", "Executions running in this worker", registry=REGISTRY)
PAGES = Counter("xget_pages_collected_total", "Result pages collected", ["item_type"], registry=REGISTRY)
ITEMS = Counter("xget_items_collected_total", "Items collected", ["item_type"], registry=REGISTRY)
X_ERRORS = Counter("xget_x_errors_total", "Errors answered by X (or on the way to it), by class", ["code"],
                   registry=REGISTRY)
WAITS = Counter("xget_rate_limit_waits_total", "Waits for a rate limit or an account, by reason", ["reason"],
                registry=REGISTRY)
WAIT_SECONDS = Counter("xget_rate_limit_wait_seconds_total", "Seconds announced by those waits", ["reason"],
                       registry=REGISTRY)
ACCOUNT_LEASES = Counter("xget_account_leases_total", "Account lease requests, by result", ["result"],
                         registry=REGISTRY)
ACCOUNT_RELEASES = Counter("xget_account_releases_total", "Account releases, by outcome", ["outcome"],
                           registry=REGISTRY)
PROXY_LEASES = Counter("xget_proxy_leases_total", "Proxy lease requests, by result", ["result"], registry=REGISTRY)
PROXY_RELEASES = Counter("xget_proxy_releases_total", "Proxy releases, by outcome", ["outcome"], registry=REGISTRY)
KAFKA_LAG = Gauge("xget_kafka_consumer_lag", "Messages of the task-event topic the workers' group has not "
                  "committed yet", ["topic"], registry=REGISTRY)

# Event store consumers (relay, projector)
RELAY_PUBLISHED = Counter("xget_relay_published_total", "Events the relay published to Kafka", registry=REGISTRY)
RELAY_LAG = Gauge("xget_relay_lag_events", "Events stored but not yet published (head - relay checkpoint)",
                  registry=REGISTRY)
PROJECTION_LAG = Gauge("xget_projection_lag_events", "Events not yet applied (head - checkpoint)",
                       ["projection"], registry=REGISTRY)
WEBHOOK_ATTEMPTS = Counter("xget_webhook_attempts_total", "Webhook delivery attempts, by alert and outcome "
                           "(delivered, retry, failed)", ["alert", "outcome"], registry=REGISTRY)
PROJECTION_APPLIED = Counter("xget_projection_events_total", "Events applied by each projection", ["projection"],
                             registry=REGISTRY)


# Which process moves which metric: each process exposes only its own, so a scrape of one never
# shows another's counters as a misleading 0. A process not listed exposes everything.
OWNED: dict[str, tuple[object, ...]] = {
    "api": (HTTP_REQUESTS, HTTP_LATENCY, TASKS, PROJECTION_LAG, SSE_STREAMS),
    "worker": (EXECUTIONS_STARTED, EXECUTIONS_FINISHED, EXECUTIONS_RUNNING, PAGES, ITEMS, X_ERRORS, WAITS,
               WAIT_SECONDS, ACCOUNT_LEASES, ACCOUNT_RELEASES, PROXY_LEASES, PROXY_RELEASES, KAFKA_LAG),
    "relay": (RELAY_PUBLISHED, RELAY_LAG),
    "projector": (PROJECTION_LAG, PROJECTION_APPLIED, WEBHOOK_ATTEMPTS),
}
_SUFFIXES = ("", "_total", "_bucket", "_sum", "_count", "_created")


def registry_for(process: str) -> CollectorRegistry:
    """The part of :data:`REGISTRY` that ``process`` (api, worker, relay, projector) moves."""
    metrics = OWNED.get(process)
    if metrics is None:
        return REGISTRY
    names = {family.name + suffix for metric in metrics for family in metric.describe()  # type: ignore[attr-defined]
             for suffix in _SUFFIXES}
    return REGISTRY.restricted_registry(names)  # type: ignore[return-value]


def serve(port: int, host: str = "127.0.0.1", process: str = "") -> None:
    """Serve ``process``'s ``/metrics`` on ``port`` from a background thread (no event loop involved)."""
    if port <= 0:
        return
    try:
        start_http_server(port, addr=host, registry=registry_for(process))
        log.info("metrics on http://%s:%d/metrics", host, port)
    except OSError as exc:
        # A busy port must not stop the process that does the real work.
        log.warning("metrics server not started on port %d: %s", port, exc)
