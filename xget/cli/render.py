"""Human output of ``xget tasks``: rich tables, the live progress bar of a task, byte progress."""

from __future__ import annotations

import json

from typing import Any

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {"PENDING": "yellow", "RUNNING": "cyan", "COMPLETED": "green", "FAILED": "red",
                 "STOPPED": "magenta", "STOPPING": "magenta", "DELETED": "dim"}


def status_text(status: str | None) -> Text:
    """A status word in its colour."""
    return Text(status or "-", style=STATUS_STYLES.get(status or "", ""))


def _time(value: str | None) -> str:
    return value.replace("T", " ")[:19] if value else "-"


def tasks_table(page: dict[str, Any]) -> Table:
    """A page of tasks."""
    table = Table(title=f"tasks (page {page['page']}, {len(page['items'])} of {page['total']})",
                  title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("id", "name", "type", "status", "results", "updated"):
        table.add_column(name, justify="right" if name == "results" else "left", no_wrap=name in ("id", "status"))
    for task in page["items"]:
        table.add_row(task["id"], task["task_name"], task["task_type"], status_text(task["status"]),
                      str(task["result_count"]), _time(task["updated_at"]))
    return table


def task_table(task: dict[str, Any]) -> Table:
    """One task as a two-column table."""
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key in ("id", "task_name", "describe", "task_type", "status", "error_message", "parameters", "user_id",
                "account_id", "proxy_id", "execution_id", "result_count", "created_at", "updated_at", "version"):
        value = task.get(key)
        if value is None or value == "":
            continue
        if key == "status":
            table.add_row(key, status_text(value))
        elif key == "parameters":
            table.add_row(key, json.dumps(value, ensure_ascii=False))
        else:
            table.add_row(key, str(value))
    return table


def executions_table(page: dict[str, Any]) -> Table:
    """A task's executions, newest first."""
    table = Table(title=f"executions ({page['total']})", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("id", "status", "pages", "items", "account", "proxy", "waits", "started", "duration", "error"):
        table.add_column(name, justify="right" if name in ("pages", "items", "waits", "duration") else "left")
    for e in page["items"]:
        duration = f"{e['duration']:.2f}s" if e.get("duration") is not None else "-"
        error = f"{e['error_class']}: {e['error_message']}" if e.get("error_class") else ""
        table.add_row(e["id"], status_text(e["status"]), str(e["pages"]), str(e["result_count"]),
                      e.get("account_id") or "-", e.get("proxy_id") or "-", str(e.get("rate_limit_waits", 0)),
                      _time(e.get("started_at")), duration, error)
    return table


def results_table(page: dict[str, Any]) -> Table:
    """A page of collected items (tweets or users)."""
    items = page["items"]
    users = bool(items) and items[0].get("item_type") == "user"
    table = Table(title=f"results ({page['count']} on this page)", title_justify="left", box=box.SIMPLE_HEAD)
    if users:
        for name in ("id", "screen_name", "name", "followers", "tweets"):
            table.add_column(name, justify="right" if name in ("followers", "tweets") else "left")
        for u in items:
            table.add_row(str(u.get("id")), u.get("screen_name") or "", u.get("name") or "",
                          str(u.get("followers_count", "")), str(u.get("tweet_count", "")))
    else:
        for name in ("id", "created_at", "author", "likes", "text"):
            table.add_column(name, justify="right" if name == "likes" else "left",
                             overflow="ellipsis" if name == "text" else "fold", no_wrap=name == "text",
                             max_width=80 if name == "text" else None)
        for t in items:
            author = (t.get("author") or {}).get("screen_name") or ""
            table.add_row(str(t.get("id")), _time(t.get("created_at")), f"@{author}" if author else "",
                          str(t.get("like_count", "")), (t.get("text") or "").replace("\n", " "))
    return table


def follow_progress(console: Console) -> Progress:
    """The live bar of a running task: items against the task's limit, and what it is doing."""
    return Progress(SpinnerColumn(), TextColumn("{task.fields[status]}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console, transient=False)


def progress_detail(state: dict[str, Any]) -> str:
    """What the bar says beside the count: pages, account and proxy, a wait, an error."""
    parts = [f"{state.get('pages', 0)} pages"]
    lease = "/".join(x for x in (state.get("account_id"), state.get("proxy_id")) if x)
    if lease:
        parts.append(lease)
    waiting = state.get("waiting")
    if waiting:
        parts.append(f"waiting {waiting['seconds']:.0f}s ({waiting['reason']})")
    if state.get("error_message"):
        parts.append(f"{state.get('error_class') or 'error'}: {state['error_message']}")
    return " · ".join(parts)


def status_markup(state: dict[str, Any]) -> str:
    """The task's (or its execution's) status, coloured, for the bar."""
    status = state.get("execution_status") if state.get("execution_status") == "STOPPING" else state.get("status")
    return f"[{STATUS_STYLES.get(status or '', '')}]{status}[/]"


def bytes_progress(console: Console) -> Progress:
    """A byte counter with speed for exports (their size is not known in advance)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), DownloadColumn(), TransferSpeedColumn(),
                    TimeElapsedColumn(), console=console)
