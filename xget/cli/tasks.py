"""``xget tasks ...``: drive collection tasks through the REST API from a terminal or a script.

Every command takes ``--api`` (``XGET_API_URL``, default http://127.0.0.1:8003), ``--api-key``
(``XGET_API_KEY``, sent as X-API-Key) and ``--json`` (machine-readable output on stdout).
Exit codes: 0 done; 1 the API refused the request (its problem+json detail is printed) or a
followed task FAILED; 2 bad usage; 3 no API answered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from xget.cli import render
from xget.cli.client import Api
from xget.cli.terminal import TASK_TYPES, api_options, emit, emit_json, err, out, parse_params

STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "STOPPED")
EXPORT_FORMATS = ("csv", "json", "ndjson", "xlsx")


@click.group()
def tasks() -> None:
    """Create, list, start, stop and follow collection tasks; read and export their results."""


@tasks.command("create")
@click.option("--name", "task_name", default=None, help="Task name (required unless in --file)")
@click.option("--type", "task_type", type=click.Choice(TASK_TYPES, case_sensitive=False), default=None,
              metavar="TYPE", help=f"Task type, one of {', '.join(TASK_TYPES)} (required unless in --file)")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter, repeatable: -p username=elonmusk -p limit=50")
@click.option("--params", "params_json", default=None, metavar="JSON", help="Parameters as a JSON object")
@click.option("--file", "body_file", type=click.File("r"), default=None,
              help="A JSON request body (as in the API docs; '-' for stdin); options override its fields")
@click.option("--describe", default=None, help="Description")
@click.option("--account-id", default=None)
@click.option("--proxy-id", default=None)
@click.option("--user-id", default=None, help="Owner (required when the API runs without API keys)")
@click.option("--start", "start_now", is_flag=True, help="Start the task right after creating it")
@click.option("--follow", is_flag=True, help="Start it and show its progress until it ends")
@api_options
def create(api: Api, as_json: bool, task_name: str | None, task_type: str | None, params: tuple[str, ...],
           params_json: str | None, body_file: Any, describe: str | None, account_id: str | None,
           proxy_id: str | None, user_id: str | None, start_now: bool, follow: bool) -> None:
    """Create a task (and optionally start and follow it)."""
    body: dict[str, Any] = {}
    if body_file is not None:
        try:
            body = json.load(body_file)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--file") from None
        if not isinstance(body, dict):
            raise click.BadParameter("the body must be a JSON object", param_hint="--file")
    fields = {"task_name": task_name, "task_type": task_type.upper() if task_type else None, "describe": describe,
              "account_id": account_id, "proxy_id": proxy_id, "user_id": user_id}
    body.update({k: v for k, v in fields.items() if v is not None})
    parameters = dict(body.get("parameters") or {})
    if params_json is not None:
        try:
            given = json.loads(params_json)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--params") from None
        if not isinstance(given, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--params")
        parameters.update(given)
    parameters.update(parse_params(str(body.get("task_type", "")), params))
    body["parameters"] = parameters
    for required, option in (("task_name", "--name"), ("task_type", "--type")):
        if not body.get(required):
            raise click.UsageError(f"{option} is required (or give it in --file)")
    task = api.create(body)
    if start_now or follow:
        task = api.start(task["id"])
    if follow:
        if not as_json:
            out().print(f"created and started task [bold]{task['id']}[/]")
        _follow(api, task["id"], as_json)
        return
    if as_json:
        emit_json(task)
    else:
        verb = "created and started" if start_now else "created"
        out().print(f"{verb} task [bold]{task['id']}[/] ({task['task_type']}, ",
                    render.status_text(task["status"]), ")", sep="")


@tasks.command("list")
@click.option("--status", type=click.Choice(STATUSES, case_sensitive=False), default=None, metavar="STATUS",
              help=f"One of {', '.join(STATUSES)}")
@click.option("--type", "task_type", type=click.Choice(TASK_TYPES, case_sensitive=False), default=None,
              metavar="TYPE", help=f"One of {', '.join(TASK_TYPES)}")
@click.option("--user-id", default=None)
@click.option("-q", "--search", "q", default=None, help="Text in the task name")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--size", type=int, default=20, show_default=True)
@click.option("--sort", default="-created_at", show_default=True)
@api_options
def list_tasks(api: Api, as_json: bool, status: str | None, task_type: str | None, user_id: str | None,
               q: str | None, page: int, size: int, sort: str) -> None:
    """List tasks, newest first."""
    result = api.list(status=status and status.upper(), task_type=task_type and task_type.upper(),
                      user_id=user_id, q=q, page=page, size=size, sort=sort)
    emit(as_json, result, render.tasks_table(result))


@tasks.command("show")
@click.argument("task_id")
@api_options
def show(api: Api, as_json: bool, task_id: str) -> None:
    """A task and its executions."""
    task = api.get(task_id)
    executions = api.executions(task_id)
    if as_json:
        emit_json({**task, "executions": executions["items"]})
        return
    out().print(render.task_table(task))
    if executions["items"]:
        out().print(render.executions_table(executions))


@tasks.command("start")
@click.argument("task_id")
@click.option("-f", "--follow", is_flag=True, help="Show its progress until it ends")
@api_options
def start(api: Api, as_json: bool, task_id: str, follow: bool) -> None:
    """Start a task (a new execution); with --follow, watch it until it ends."""
    task = api.start(task_id)
    if not (follow and as_json):  # following with --json prints the events only
        emit(as_json, task, f"started task [bold]{task_id}[/] (execution {task['execution_id']})")
    if follow:
        _follow(api, task_id, as_json)


@tasks.command("watch")
@click.argument("task_id")
@api_options
def watch(api: Api, as_json: bool, task_id: str) -> None:
    """Show a task's live progress until it ends (--json: one event per line)."""
    _follow(api, task_id, as_json)


@tasks.command("stop")
@click.argument("task_id")
@api_options
def stop(api: Api, as_json: bool, task_id: str) -> None:
    """Ask a running task to stop; it keeps what it collected."""
    task = api.stop(task_id)
    emit(as_json, task, f"stop requested for task [bold]{task_id}[/]; it ends within seconds")


@tasks.command("delete")
@click.argument("task_id")
@api_options
def delete(api: Api, as_json: bool, task_id: str) -> None:
    """Delete a task that is not running."""
    api.delete(task_id)
    emit(as_json, {"deleted": task_id}, f"deleted task [bold]{task_id}[/]")


@tasks.command("results")
@click.argument("task_id")
@click.option("--limit", type=int, default=20, show_default=True, help="Items (at most 1000)")
@click.option("--cursor", default=None, help="next_cursor of the previous page")
@click.option("--sort", default=None, help="collected (default), created_at, -created_at, likes...")
@click.option("--fields", default=None, help="Comma-separated fields, e.g. id,text,author.screen_name")
@api_options
def results(api: Api, as_json: bool, task_id: str, limit: int, cursor: str | None, sort: str | None,
            fields: str | None) -> None:
    """A page of a task's collected items (pass --cursor for the next page)."""
    page = api.results(task_id, limit=limit, cursor=cursor, sort=sort, fields=fields)
    if as_json:
        emit_json(page)
        return
    out().print(render.results_table(page))
    if page.get("next_cursor"):
        out().print(f"next page: --cursor {page['next_cursor']}", style="dim")


@tasks.command("export")
@click.argument("task_id")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default xget-<task>.<format>; '-' for stdout)")
@api_options
def export(api: Api, as_json: bool, task_id: str, fmt: str, output: Path | None) -> None:
    """Download every collected item of a task as CSV, JSON, NDJSON or XLSX."""
    if str(output) == "-":
        api.export(task_id, fmt, sys.stdout.buffer)
        return
    path = output or Path(f"xget-{task_id}.{fmt}")
    if not path.parent.is_dir():
        raise click.BadParameter(f"directory {str(path.parent)!r} does not exist", param_hint="'-o' / '--output'")
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as sink:
            if as_json:
                size = api.export(task_id, fmt, sink)
            else:
                with render.bytes_progress(err()) as bar:
                    job = bar.add_task(f"export {fmt}", total=None)
                    size = api.export(task_id, fmt, sink, lambda n: bar.advance(job, n))
        partial.replace(path)  # never leave a truncated file under the final name
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    emit(as_json, {"task_id": task_id, "format": fmt, "path": str(path), "bytes": size},
         f"wrote {size:,} bytes to {path}")


def _follow(api: Api, task_id: str, as_json: bool) -> None:
    """Follow the task's SSE stream to its end; exit 1 when it FAILED."""
    final: dict[str, Any] | None = None
    if as_json:
        for event in api.events(task_id):
            emit_json({"event": event.name, "id": event.id, "data": event.data})
            final = event.data
    else:
        with render.follow_progress(err()) as bar:
            job = bar.add_task("", total=None, status="", detail="")
            for event in api.events(task_id):
                state = final = event.data
                bar.update(job, total=state.get("target"), completed=state.get("result_count", 0),
                           status=render.status_markup(state), detail=render.progress_detail(state))
    if final is None:  # ended before we connected (204): show where it is
        final = api.get(task_id)
    if not as_json:
        _summary(final)
    if final.get("status") == "FAILED":
        sys.exit(1)


def _summary(state: dict[str, Any]) -> None:
    status = state.get("status")
    line = f"task {state.get('task_id') or state.get('id')} "
    out().print(line, render.status_text(status), f": {state.get('result_count', 0)} items", sep="", end="")
    if state.get("pages") is not None:
        out().print(f" in {state['pages']} pages", end="")
    if state.get("duration") is not None:
        out().print(f", {state['duration']:.2f}s", end="")
    out().print()
    if state.get("error_message"):
        out().print(f"[red]{state.get('error_class') or 'error'}:[/] {state['error_message']}")
