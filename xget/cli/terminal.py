"""Terminal plumbing of ``xget tasks``: consoles, the API session with its exit codes, JSON
output and ``KEY=VALUE`` parameters converted to the types each task type declares."""

from __future__ import annotations

import functools
import json
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import msgspec
from rich.console import Console

from xget.cli.client import DEFAULT_API, Api, ApiError, Unreachable

TASK_TYPES = ("USER_INFO", "USER_TWEETS", "KEYWORD_SEARCH", "HASHTAG_SEARCH", "USER_FOLLOWERS", "USER_FOLLOWING")


def _console(stream: Any) -> Console:
    # Made per use, so captured streams (tests) are honoured; off a terminal the width is
    # generous, so tables in a pipe are not squeezed into 80 columns.
    return Console(file=stream, highlight=False, width=None if stream.isatty() else 160)


def out() -> Console:
    """Human output."""
    return _console(sys.stdout)


def err() -> Console:
    """Errors and progress bars (so stdout stays clean)."""
    return _console(sys.stderr)


def api_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--api, --api-key and --json on a command; passes an open :class:`Api` as ``api``."""

    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables")
    @click.option("--api-key", envvar="XGET_API_KEY", default=None, metavar="KEY",
                  help="API key sent as X-API-Key (env XGET_API_KEY)")
    @click.option("--api", "api_url", envvar="XGET_API_URL", default=DEFAULT_API, show_default=True, metavar="URL",
                  help="Base URL of the XGet API (env XGET_API_URL)")
    @functools.wraps(command)
    def wrapper(api_url: str, api_key: str | None, as_json: bool, **kwargs: Any) -> Any:
        with session(api_url, api_key, as_json) as api:
            return command(api=api, as_json=as_json, **kwargs)

    return wrapper


@contextmanager
def session(api_url: str, api_key: str | None, as_json: bool) -> Iterator[Api]:
    """An API client; refusals and unreachable APIs become a message and an exit code."""
    try:
        with Api(api_url, api_key) as api:
            yield api
    except ApiError as exc:
        if as_json:
            click.echo(json.dumps({"status": exc.status, **exc.problem}), err=True)
        else:
            err().print(f"[red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(1)
    except Unreachable as exc:
        err().print(f"[red]error:[/] {exc}")
        sys.exit(3)


def emit_json(value: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(value, ensure_ascii=False))


def emit(as_json: bool, value: Any, human: Any) -> None:
    """``value`` as JSON for scripts, or ``human`` (text with rich markup, or a table) for people."""
    if as_json:
        emit_json(value)
    else:
        out().print(human)


def parse_params(task_type: str, pairs: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs, each value converted to the type the task type declares for it
    (``limit=50`` an integer, ``include_replies=false`` a boolean). Bounds are left to the API, and
    unknown keys and values that do not convert are sent as given, so the API names what is wrong."""
    from xget.commands.params import PARAMS_BY_TYPE, TaskType

    hints: dict[str, Any] = {}
    if task_type in TASK_TYPES:
        hints = typing.get_type_hints(PARAMS_BY_TYPE[TaskType(task_type)])  # without their bounds
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r}: use KEY=VALUE", param_hint="--param")
        params[key.strip()] = _convert(value, hints.get(key.strip()))
    return params


def _convert(value: str, hint: Any) -> Any:
    if hint is None:
        return value
    try:
        return msgspec.to_builtins(msgspec.convert(value, hint, strict=False))
    except (msgspec.ValidationError, TypeError):
        return value
