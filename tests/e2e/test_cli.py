"""``xget tasks`` driving the whole product end to end: create, start, follow live progress to the
end, read results, export, and stop a running task from a second terminal."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.flows import results_settled
from tests.e2e.stack import Stack
from tests.processes import REPO


async def xget(base: str, *args: str) -> tuple[int, str, str]:
    """``xget tasks ARGS`` against ``base``: (exit code, stdout, stderr)."""
    env = {**os.environ, "XGET_API_URL": base, "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "xget.cli.main", "tasks", *args, env=env,
                                                cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(), err.decode()


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_the_cli_creates_follows_reads_and_exports_a_sandbox_task(live_stack: Stack, api: httpx.AsyncClient,
                                                                        tmp_path: Path) -> None:
    code, out, err = await xget(live_stack.api, "create", "--name", "cli e2e", "--type", "USER_TWEETS",
                                "-p", "username=elonmusk", "-p", "limit=120", "-p", "include_retweets=false",
                                "--user-id", "cli-e2e", "--follow", "--json")
    assert code == 0, err
    events = lines(out)
    assert events[0]["event"] == "snapshot" and events[-1]["event"] == "end"
    assert [e for e in events if e["event"] == "progress"], "no page reported while it ran"
    final = events[-1]["data"]
    assert (final["status"], final["result_count"], final["target"]) == ("COMPLETED", 120, 120)
    assert final["account_id"] and final["proxy_id"] and final["pages"] >= 6
    task_id = final["task_id"]

    await results_settled(api, task_id, 120)
    code, out, err = await xget(live_stack.api, "results", task_id, "--limit", "5", "--json")
    page = json.loads(out)
    assert code == 0 and page["count"] == 5 and all(not i["is_retweet"] for i in page["items"])
    target = tmp_path / "tweets.ndjson"
    code, out, err = await xget(live_stack.api, "export", task_id, "--format", "ndjson", "-o", str(target))
    assert code == 0, err
    assert len(target.read_text().splitlines()) == 120
    code, out, err = await xget(live_stack.api, "show", task_id)
    assert code == 0 and "COMPLETED" in out and "120" in out


async def test_a_followed_task_stopped_from_another_terminal_ends_stopped(live_stack: Stack,
                                                                          api: httpx.AsyncClient) -> None:
    live_stack.sandbox(latency_ms=150)  # a page every ~150 ms: long enough to stop mid-run
    code, out, err = await xget(live_stack.api, "create", "--name", "cli stop", "--type", "USER_TWEETS",
                                "-p", "username=elonmusk", "-p", "limit=1000", "--user-id", "cli-e2e", "--json")
    task_id = json.loads(out)["id"]
    following = asyncio.create_task(xget(live_stack.api, "start", task_id, "--follow"))
    for _ in range(100):
        running = (await api.get(f"/api/v1/tasks/{task_id}")).json()
        if running["status"] == "RUNNING" and running["result_count"] > 0:
            break
        await asyncio.sleep(0.1)
    code, out, err = await xget(live_stack.api, "stop", task_id)
    assert code == 0, err
    code, out, err = await following
    assert code == 0, err
    assert "STOPPED" in out and f"task {task_id}" in out
    assert "/1000" in err  # the live bar, on stderr
    stopped = (await api.get(f"/api/v1/tasks/{task_id}")).json()
    assert stopped["status"] == "STOPPED" and 0 < stopped["result_count"] < 1000
