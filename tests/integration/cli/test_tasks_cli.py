"""``xget tasks ...`` as a user runs it: a subprocess talking HTTP to the API app (served in this
event loop), with the API's answers as tables or JSON and exit codes scripts can trust."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.sse import FakeWorker, serve
from tests.processes import REPO
from xget.api.live import StreamSettings
from xget.auth import ApiKeys
from xget.bootstrap import Container, open_container
from xget.settings import Settings


@dataclasses.dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(scope="module")
async def base(container: Container, projector: None) -> AsyncIterator[str]:
    """Base URL of the API, served on a local socket."""
    async with serve(container, StreamSettings(heartbeat=0.5, min_interval=0.02)) as url:
        yield url


def command(base: str, *args: str, **env: str) -> tuple[list[str], dict[str, str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("XGET_API")}
    environ.update({"XGET_API_URL": base, "COLUMNS": "200", **env})
    return [sys.executable, "-m", "xget.cli.main", "tasks", *args], environ


async def xget(base: str, *args: str, **env: str) -> Run:
    """Run ``xget tasks ARGS`` to completion."""
    argv, environ = command(base, *args, **env)
    proc = await asyncio.create_subprocess_exec(*argv, env=environ, cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    return Run(proc.returncode or 0, stdout.decode(), stderr.decode())


async def created(base: str, *extra: str, limit: int = 100) -> dict[str, Any]:
    run = await xget(base, "create", "--name", f"cli {uuid.uuid4().hex[:6]}", "--type", "user_tweets",
                     "-p", "username=elonmusk", "-p", f"limit={limit}", "-p", "include_replies=false",
                     "--user-id", f"cli-{uuid.uuid4().hex[:6]}", "--json", *extra)
    assert run.code == 0, run.stderr
    return run.json  # type: ignore[no-any-return]


async def test_create_converts_parameters_to_their_types_and_list_and_show_find_the_task(base: str) -> None:
    task = await created(base, "--describe", "from the CLI")
    assert task["status"] == "PENDING" and task["task_type"] == "USER_TWEETS"
    assert task["parameters"]["limit"] == 100 and task["parameters"]["include_replies"] is False
    listed = await xget(base, "list", "--user-id", task["user_id"], "--json")
    assert [t["id"] for t in listed.json["items"]] == [task["id"]]
    shown = await xget(base, "show", task["id"], "--json")
    assert shown.json["describe"] == "from the CLI" and shown.json["executions"] == []


async def test_create_takes_a_request_body_file_and_options_override_it(base: str, tmp_path: Path) -> None:
    body = {"task_name": "from a file", "task_type": "USER_INFO", "parameters": {"username": "jack"},
            "user_id": "file-user"}
    (tmp_path / "body.json").write_text(json.dumps(body))
    run = await xget(base, "create", "--file", str(tmp_path / "body.json"), "--name", "renamed", "--json")
    assert run.code == 0, run.stderr
    assert (run.json["task_name"], run.json["task_type"], run.json["user_id"]) == ("renamed", "USER_INFO", "file-user")


async def test_human_output_is_tables_with_every_id_in_full(base: str) -> None:
    task = await created(base)
    listed = await xget(base, "list", "--user-id", task["user_id"])
    assert listed.code == 0
    assert task["id"] in listed.stdout and "USER_TWEETS" in listed.stdout and "PENDING" in listed.stdout
    shown = await xget(base, "show", task["id"])
    assert "\"username\": \"elonmusk\"" in shown.stdout and task["task_name"] in shown.stdout


async def test_start_follow_shows_progress_until_the_task_ends(base: str, container: Container) -> None:
    task = await created(base)
    argv, environ = command(base, "start", task["id"], "--follow", "--json")
    proc = await asyncio.create_subprocess_exec(*argv, env=environ, cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None

    async def line() -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(proc.stdout.readline(), 20))  # type: ignore[union-attr]

    snapshot = await line()
    assert snapshot["event"] == "snapshot" and snapshot["data"]["status"] == "RUNNING"
    worker = FakeWorker(container, task["id"], snapshot["data"]["execution_id"])
    await worker.start()
    assert (await line())["data"]["execution_status"] == "RUNNING"
    await worker.page(20)
    progress = await line()
    assert (progress["event"], progress["data"]["result_count"], progress["data"]["target"]) == ("progress", 20, 100)
    await worker.complete()
    rest = [await line(), await line()]
    assert [e["event"] for e in rest] == ["status", "end"]
    assert await asyncio.wait_for(proc.wait(), 20) == 0


async def test_watch_draws_a_bar_and_exits_1_when_the_task_fails(base: str, container: Container) -> None:
    task = await created(base, "--start")
    assert task["status"] == "RUNNING"
    worker = FakeWorker(container, task["id"], task["execution_id"])
    await worker.start()
    await worker.page(40)
    watching = asyncio.create_task(xget(base, "watch", task["id"]))
    await asyncio.sleep(1.0)
    await worker.fail("AccountSuspended", "every account is suspended")
    run = await watching
    assert run.code == 1
    assert "FAILED" in run.stdout and "AccountSuspended: every account is suspended" in run.stdout
    assert "40/100" in run.stderr  # the bar, on stderr so stdout stays clean


async def test_watch_of_an_ended_task_prints_its_final_state(base: str, container: Container) -> None:
    task = await created(base, "--start")
    worker = FakeWorker(container, task["id"], task["execution_id"])
    await worker.start()
    await worker.page(3)
    await worker.complete()
    run = await xget(base, "watch", task["id"])
    assert run.code == 0, run.stderr
    assert "COMPLETED: 3 items in 1 pages" in run.stdout


async def test_stop_and_results_and_export_of_a_task(base: str, container: Container, tmp_path: Path) -> None:
    task = await created(base, "--start")
    stopped = await xget(base, "stop", task["id"], "--json")
    assert stopped.code == 0 and stopped.json["status"] == "STOPPED"
    page = await xget(base, "results", task["id"], "--limit", "5", "--json")
    assert page.code == 0 and page.json["items"] == []
    target = tmp_path / "out.csv"
    exported = await xget(base, "export", task["id"], "--format", "csv", "-o", str(target))
    assert exported.code == 0, exported.stderr
    assert target.read_text(encoding="utf-8-sig").startswith("id,url,created_at")  # BOM for Excel
    assert f"bytes to {target}" in exported.stdout
    assert not list(tmp_path.glob("*.part"))


async def test_refusals_print_the_problem_detail_and_exit_non_zero(base: str) -> None:
    missing = await xget(base, "show", str(uuid.uuid4()))
    assert missing.code == 1 and "404" in missing.stderr and "not found" in missing.stderr
    invalid = await xget(base, "create", "--name", "x", "--type", "USER_TWEETS", "-p", "limit=0",
                         "-p", "username=elonmusk", "--user-id", "u")
    assert invalid.code == 1 and "parameters.limit" in invalid.stderr and ">= 1" in invalid.stderr
    as_json = await xget(base, "create", "--name", "x", "--type", "USER_TWEETS", "-p", "nope=1", "--user-id", "u",
                         "--json")
    problem = json.loads(as_json.stderr)
    assert as_json.code == 1 and problem["status"] == 422
    assert "parameters.nope" in {e["field"] for e in problem["errors"]}
    conflict = await xget(base, "stop", (await created(base))["id"])
    assert conflict.code == 1 and "409" in conflict.stderr
    usage = await xget(base, "create", "--type", "USER_INFO")
    assert usage.code == 2 and "--name is required" in usage.stderr


async def test_an_unreachable_api_is_exit_3_with_the_url_named(base: str) -> None:
    run = await xget("http://127.0.0.1:9", "list")
    assert run.code == 3 and "http://127.0.0.1:9" in run.stderr and "XGET_API_URL" in run.stderr


async def test_the_api_key_comes_from_the_option_or_the_environment(settings: Settings, projector: None) -> None:
    async with open_container(dataclasses.replace(settings, auth_mode="api_key")) as keyed:
        key = (await ApiKeys(keyed.pool).create(f"cli-{uuid.uuid4().hex[:6]}"))[1]
        async with serve(keyed, StreamSettings()) as url:
            assert (await xget(url, "list")).code == 1
            assert (await xget(url, "list", "--json", XGET_API_KEY=key)).code == 0
            run = await xget(url, "create", "--name", "mine", "--type", "USER_INFO", "-p", "username=jack",
                             "--api-key", key, "--json")
            assert run.code == 0, run.stderr
            assert run.json["user_id"].startswith("cli-")
