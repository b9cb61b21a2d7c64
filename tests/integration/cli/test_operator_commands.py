"""The operator commands on the real services: API keys, projection rebuilds, replay to Kafka."""

from __future__ import annotations

import asyncio
import time

import msgspec
from aiokafka import AIOKafkaConsumer
from click.testing import CliRunner

from tests.processes import env_for
from xget.bootstrap import Container, open_container
from xget.cli.main import cli
from xget.events import NewEvent, TaskCreated, TaskUpdated, new_id
from xget.settings import Settings


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner(env=env_for(settings, XGET_LOG_FORMAT="text")).invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_keys_are_created_listed_and_revoked_from_the_command_line(settings: Settings, container: Container) -> None:
    code, out = run(settings, "keys", "create", "--user", "dora", "--role", "admin", "--name", "ops")
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert key.startswith("xget_")
    key_id = key.split("_")[1]
    code, listed = run(settings, "keys", "list")
    assert code == 0 and key_id in listed and "dora" in listed and "admin" in listed and key not in listed
    assert run(settings, "keys", "revoke", key_id)[0] == 0
    code, again = run(settings, "keys", "revoke", key_id)
    assert code == 1 and "no active key" in again


def test_projections_rebuild_and_status_from_the_command_line(settings: Settings, container: Container) -> None:
    code, out = run(settings, "projections", "rebuild", "tasks", "task_executions", "--batch-size", "200")
    assert code == 0, out
    assert "tasks: generation" in out and "task_executions: generation" in out
    code, status = run(settings, "projections", "status")
    assert code == 0 and "event store head" in status and "tasks" in status
    code, bad = run(settings, "projections", "rebuild", "nope")
    assert code == 2 and "unknown projection" in bad


def test_replay_republishes_one_tasks_events_to_kafka(settings: Settings, container: Container) -> None:
    task = new_id()

    async def append() -> None:
        # Its own composition root: the session's pool belongs to the event loop of async tests.
        async with open_container(settings) as own:
            await own.event_store.append(f"task-{task}", 0, [
                NewEvent(event=TaskCreated(task_id=task, task_name="r", task_type="USER_INFO",
                                           parameters={"username": "a"}, user_id="u")),
                NewEvent(event=TaskUpdated(task_id=task, task_name="r2")),
            ])

    asyncio.run(append())
    code, out = run(settings, "replay", "--to-kafka", "--task", task)
    assert code == 0 and "republished 2 events" in out

    async def consume() -> list[dict]:
        consumer = AIOKafkaConsumer(settings.kafka_topic_tasks, bootstrap_servers=settings.kafka_bootstrap_servers,
                                    auto_offset_reset="earliest", group_id=None)
        await consumer.start()
        found: list[dict] = []
        deadline = time.monotonic() + 20
        try:
            while len(found) < 2 and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    found += [v for v in (msgspec.json.decode(r.value) for r in records) if v["data"]["task_id"] == task]
        finally:
            await consumer.stop()
        return found

    found = asyncio.run(consume())
    assert [f["type"] for f in found] == ["TaskCreated", "TaskUpdated"]
    assert found[0]["version"] == 1 and found[1]["metadata"] == {}
