"""The task endpoints of the seed, end to end on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

from httpx import AsyncClient as AsyncTestClient

from tests.integration.api.helpers import SEED_TASK, fields_of, task_body

TASKS = "/api/v1/tasks"


async def test_the_seed_create_example_returns_the_task_with_the_seed_fields(client: AsyncTestClient) -> None:
    response = await client.post(TASKS, json=SEED_TASK)
    assert response.status_code == 201, response.text
    task = response.json()
    for field in ("task_name", "describe", "task_type", "account_id", "proxy_id", "user_id"):
        assert task[field] == SEED_TASK[field]
    assert task["status"] == "PENDING"
    assert task["parameters"]["limit"] == 50 and task["parameters"]["include_replies"] is False
    assert task["error_message"] is None and task["execution_id"] is None and task["result_count"] == 0
    assert task["created_at"] and task["updated_at"]
    assert response.headers["location"] == f"{TASKS}/{task['id']}"
    assert response.headers["etag"] == '"1"'


async def test_a_get_right_after_a_command_sees_it(client: AsyncTestClient) -> None:
    for _ in range(20):
        created = (await client.post(TASKS, json=task_body())).json()
        shown = await client.get(f"{TASKS}/{created['id']}")
        assert shown.status_code == 200
        started = (await client.post(f"{TASKS}/{created['id']}/start")).json()
        shown = (await client.get(f"{TASKS}/{created['id']}")).json()
        assert shown["status"] == "RUNNING" and shown["execution_id"] == started["execution_id"]


async def test_lists_page_and_filter_by_user_status_type_name_and_date(client: AsyncTestClient) -> None:
    user = f"lister-{uuid.uuid4().hex[:6]}"
    ids = []
    for i in range(7):
        body = task_body(user, task_name=f"batch {i} {'alpha' if i % 2 else 'beta'}")
        if i == 6:
            body.update(task_type="KEYWORD_SEARCH", parameters={"query": "open source"})
        ids.append((await client.post(TASKS, json=body)).json()["id"])
    await client.post(f"{TASKS}/{ids[0]}/start")

    page = (await client.get(TASKS, params={"user_id": user, "page": 1, "size": 3})).json()
    assert page["total"] == 7 and page["page"] == 1 and page["size"] == 3
    assert [t["id"] for t in page["items"]] == ids[::-1][:3]  # newest first
    last = (await client.get(TASKS, params={"user_id": user, "page": 3, "size": 3})).json()
    assert [t["id"] for t in last["items"]] == [ids[0]]

    running = (await client.get(TASKS, params={"user_id": user, "status": "RUNNING"})).json()
    assert running["total"] == 1 and running["items"][0]["id"] == ids[0]
    searches = (await client.get(TASKS, params={"user_id": user, "task_type": "KEYWORD_SEARCH"})).json()
    assert [t["id"] for t in searches["items"]] == [ids[6]]
    named = (await client.get(TASKS, params={"user_id": user, "q": "ALPHA"})).json()
    assert named["total"] == 3
    middle = (await client.get(f"{TASKS}/{ids[3]}")).json()["created_at"]
    after = (await client.get(TASKS, params={"user_id": user, "created_after": middle})).json()
    assert {t["id"] for t in after["items"]} == set(ids[3:])
    by_name = (await client.get(TASKS, params={"user_id": user, "sort": "task_name"})).json()
    names = [t["task_name"] for t in by_name["items"]]
    assert names == sorted(names)


async def test_list_rejects_bad_paging_and_sorting_naming_the_parameter(client: AsyncTestClient) -> None:
    for params, field in (({"size": 101}, "query.size"), ({"page": 0}, "query.page"), ({"page": "x"}, "query.page"),
                          ({"status": "DONE"}, "query.status"), ({"sort": "password"}, "query.sort"),
                          ({"created_after": "yesterday"}, "query.created_after")):
        response = await client.get(TASKS, params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in fields_of(response.json()), response.json()


async def test_invalid_tasks_get_422_naming_each_field_and_nothing_is_created(client: AsyncTestClient) -> None:
    user = f"invalid-{uuid.uuid4().hex[:6]}"
    cases = [
        (task_body(user, task_type="SCRAPE_EVERYTHING"), "task_type"),
        (task_body(user, task_name=""), "task_name"),
        (task_body(user, parameters={"username": "jack", "limit": 5}), "parameters.limit"),
        (task_body(user, parameters={"username": "jack", "colour": "red"}), "parameters.colour"),
        (task_body(user, parameters={"username": "not a name!"}), "parameters.username"),
        (task_body(user, task_type="KEYWORD_SEARCH", parameters={}), "parameters.query"),
        ({**task_body(user), "surprise": 1}, "surprise"),
        ({k: v for k, v in task_body(user).items() if k != "task_type"}, "task_type"),
        ({**task_body(user), "user_id": None}, "user_id"),
    ]
    for body, field in cases:
        response = await client.post(TASKS, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in fields_of(response.json()), (field, response.json())
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 0


async def test_malformed_and_oversized_bodies_are_client_errors(client: AsyncTestClient) -> None:
    malformed = await client.post(TASKS, content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")
    huge = task_body(describe="x" * (2 * 1024 * 1024))
    oversized = await client.post(TASKS, json=huge)
    assert oversized.status_code == 413
    assert oversized.json()["status"] == 413


async def test_unknown_ids_answer_404_everywhere(client: AsyncTestClient) -> None:
    missing = str(uuid.uuid4())
    for method, path in (("GET", f"{TASKS}/{missing}"), ("PUT", f"{TASKS}/{missing}"),
                         ("DELETE", f"{TASKS}/{missing}"), ("POST", f"{TASKS}/{missing}/start"),
                         ("POST", f"{TASKS}/{missing}/stop"), ("GET", f"/api/v1/task-executions/{missing}"),
                         ("GET", f"/api/v1/task-executions/task/{missing}")):
        response = await client.request(method, path, json={} if method == "PUT" else None)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["type"].endswith("/not-found")


async def test_start_stop_lifecycle_and_state_conflicts(client: AsyncTestClient) -> None:
    task = (await client.post(TASKS, json=task_body())).json()
    url = f"{TASKS}/{task['id']}"
    assert (await client.post(f"{url}/stop")).status_code == 409  # not running
    started = await client.post(f"{url}/start")
    assert started.status_code == 202 and started.json()["status"] == "RUNNING"
    assert (await client.post(f"{url}/start")).status_code == 409
    assert (await client.put(url, json={"task_name": "renamed"})).status_code == 409
    assert (await client.delete(url)).status_code == 409
    history = (await client.get(f"/api/v1/task-executions/task/{task['id']}")).json()
    assert history["total"] == 1 and history["items"][0]["status"] == "PENDING"
    stopped = await client.post(f"{url}/stop")
    assert stopped.status_code == 202 and stopped.json()["status"] == "STOPPED"
    assert (await client.post(f"{url}/stop")).status_code == 409
    history = (await client.get(f"/api/v1/task-executions/task/{task['id']}")).json()
    assert history["items"][0]["status"] == "STOPPED"
    restarted = (await client.post(f"{url}/start")).json()
    assert restarted["execution_id"] != started.json()["execution_id"]
    assert (await client.get(f"/api/v1/task-executions/task/{task['id']}")).json()["total"] == 2


async def test_update_changes_fields_and_validates_parameters_for_the_type(client: AsyncTestClient) -> None:
    task = (await client.post(TASKS, json=task_body())).json()
    url = f"{TASKS}/{task['id']}"
    updated = await client.put(url, json={"task_name": "new name", "describe": "why",
                                          "parameters": {"user_id": "12345"}})
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["task_name"] == "new name" and body["describe"] == "why"
    assert body["parameters"] == {"user_id": "12345", "deadline_seconds": 3600}
    assert (await client.get(url)).json()["task_name"] == "new name"
    bad = await client.put(url, json={"parameters": {"query": "x"}})
    assert bad.status_code == 422 and "parameters.query" in fields_of(bad.json())
    assert (await client.put(url, json={"task_type": "USER_TWEETS"})).status_code == 422


async def test_a_deleted_task_is_gone_from_every_endpoint_but_its_events_stay(client: AsyncTestClient,
                                                                            container) -> None:
    user = f"deleter-{uuid.uuid4().hex[:6]}"
    task = (await client.post(TASKS, json=task_body(user))).json()
    url = f"{TASKS}/{task['id']}"
    await client.post(f"{url}/start")
    await client.post(f"{url}/stop")
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/api/v1/task-executions/task/{task['id']}")).status_code == 404
    assert (await client.get("/api/v1/task-executions", params={"task_id": task["id"]})).json()["total"] == 0
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 0
    assert (await client.post(f"{url}/start")).status_code == 404
    events = await container.event_store.read_stream(f"task-{task['id']}")
    assert [e.type for e in events][-1] == "TaskDeleted" and len(events) == 5


async def test_if_match_makes_a_stale_change_fail_with_412(client: AsyncTestClient) -> None:
    created = await client.post(TASKS, json=task_body())
    url = f"{TASKS}/{created.json()['id']}"
    etag = created.headers["etag"]
    first = await client.put(url, json={"task_name": "a"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.put(url, json={"task_name": "b"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["type"].endswith("/version-conflict")
    assert (await client.put(url, json={"task_name": "b"}, headers={"If-Match": "soon"})).status_code == 400


async def test_of_two_concurrent_starts_exactly_one_wins(client: AsyncTestClient) -> None:
    for _ in range(5):
        task = (await client.post(TASKS, json=task_body())).json()
        responses = await asyncio.gather(*(client.post(f"{TASKS}/{task['id']}/start") for _ in range(2)))
        assert sorted(r.status_code for r in responses) == [202, 409]


async def test_batch_create_is_all_or_nothing_by_default(client: AsyncTestClient) -> None:
    user = f"batch-{uuid.uuid4().hex[:6]}"
    bad = task_body(user, parameters={"username": "jack", "limit": 0})
    response = await client.post(f"{TASKS}/batch", json={"tasks": [task_body(user), bad, task_body(user)]})
    assert response.status_code == 422
    result = response.json()
    assert result["created"] == 0 and [i["status"] for i in result["items"]] == [424, 422, 424]
    assert "tasks[1].parameters.limit" in {e["field"] for e in result["items"][1]["errors"]}
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 0

    partial = await client.post(f"{TASKS}/batch", json={"mode": "partial",
                                                        "tasks": [task_body(user), bad, task_body(user)]})
    assert partial.status_code == 207
    assert [i["status"] for i in partial.json()["items"]] == [201, 422, 201]
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 2

    full = await client.post(f"{TASKS}/batch", json={"tasks": [task_body(user) for _ in range(100)]})
    assert full.status_code == 201 and full.json()["created"] == 100
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 102
    too_many = await client.post(f"{TASKS}/batch", json={"tasks": [task_body(user) for _ in range(101)]})
    assert too_many.status_code == 422 and "tasks" in fields_of(too_many.json())


async def test_an_idempotency_key_makes_a_retried_create_return_the_first_task(client: AsyncTestClient) -> None:
    body = task_body()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await client.post(TASKS, json=body, headers=key)
    again = await client.post(TASKS, json=body, headers=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert (await client.get(TASKS, params={"user_id": body["user_id"]})).json()["total"] == 1


async def test_openapi_documents_every_task_type_and_serves_docs(client: AsyncTestClient) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    for name in ("UserInfoParams", "UserTweetsParams", "KeywordSearchParams", "HashtagSearchParams",
                 "UserFollowersParams", "UserFollowingParams"):
        assert spec["components"]["schemas"][name]["examples"]
    assert "/api/v1/tasks/{task_id}/start" in spec["paths"]
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_health_and_readiness(client: AsyncTestClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"postgres": "ok", "kafka": "ok", "mongodb": "ok"}


async def test_nul_characters_are_refused_everywhere_with_a_4xx(client: AsyncTestClient) -> None:
    assert (await client.get(TASKS, params={"q": "a\x00b"})).status_code == 400
    assert (await client.get(f"{TASKS}/search/results", params={"task_id": "\x00"})).status_code == 400
    assert (await client.get(f"{TASKS}/x%00y")).status_code == 400
    for body in (task_body(task_name="bad\x00name"), task_body(describe="\x00"), task_body(user="u\x00"),
                 task_body(task_type="KEYWORD_SEARCH", parameters={"query": "open\x00source"})):
        response = await client.post(TASKS, json=body)
        assert response.status_code == 422, response.text
