"""Structured logs: one JSON object per line, carrying the context of the work being done.

``correlation_id`` starts at the API request (X-Correlation-ID), is stored in every event's
metadata, travels in Kafka headers, and is put back in context by the worker and the projector,
so ``grep <correlation id>`` (or a ``jq`` filter) reads one task's story across processes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CONTEXT: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("xget_log_context", default={})
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"color_message"}  # uvicorn's ANSI copy of msg


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` (correlation_id, task_id, execution_id, ...) to every log line in this block,
    including those of tasks it starts (contextvars are copied into them)."""
    token = CONTEXT.set({**CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        CONTEXT.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the current context for the rest of this task (no block to end)."""
    CONTEXT.set({**CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", <context>, <extra>, "exc"}`` on one line."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
            "msg": record.getMessage(),
        }
        line.update(CONTEXT.get())
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines for people, with the context appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        context = " ".join(f"{k}={v}" for k, v in CONTEXT.get().items())
        return f"{base} {context}" if context else base


def configure(level: str, fmt: str = "json", process: str = "xget") -> None:
    """Root logging for a process: JSON (default) or text lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(process))
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries that log every request or heartbeat at INFO: keep their warnings only.
    for noisy in ("aiokafka", "httpx", "httpcore", "faust", "mode", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
