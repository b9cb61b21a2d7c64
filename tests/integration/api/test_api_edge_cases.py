"""Edge cases of the REST API found in review: each answers a 4xx problem+json naming what is
wrong (never a 500), and the HTTP details (ETags, HEAD, Retry-After, metrics) follow the RFCs."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.api.helpers import fields_of, task_body
from tests.integration.api.sse import FakeWorker
from xget.bootstrap import Container

TASKS = "/api/v1/tasks"
JSON = {"content-type": "application/json"}


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    if slug is not None:
        assert body["type"].endswith("/" + slug), body
    return body


async def created(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json=task_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_body_that_is_not_utf8_is_a_malformed_body_everywhere(client: httpx.AsyncClient) -> None:
    task = await created(client)
    bad = b'{"task_name": "\xff\xfe", "task_type": "USER_INFO"}'
    for method, path in (("POST", TASKS), ("PUT", f"{TASKS}/{task['id']}"), ("POST", f"{TASKS}/batch"),
                         ("POST", "/api/v1/webhooks")):
        body = assert_problem(await client.request(method, path, content=bad, headers=JSON), 400, "malformed-body")
        assert "not valid UTF-8" in body["detail"], (path, body)


async def test_deeply_nested_json_is_a_malformed_body(client: httpx.AsyncClient) -> None:
    deep = b'{"task_name": "x", "task_type": "USER_INFO", "user_id": "u", "parameters": {"username": ' \
           + b"[" * 5000 + b"]" * 5000 + b"}}"
    body = assert_problem(await client.post(TASKS, content=deep, headers=JSON), 400, "malformed-body")
    assert "nested too deeply" in body["detail"]
    # Brackets inside strings are text, not nesting.
    fine = task_body(describe="[" * 1500)
    assert (await client.post(TASKS, json=fine)).status_code == 201


async def test_an_empty_body_says_the_body_is_required(client: httpx.AsyncClient) -> None:
    task = await created(client)
    for method, path in (("POST", TASKS), ("PUT", f"{TASKS}/{task['id']}"), ("POST", f"{TASKS}/batch")):
        body = assert_problem(await client.request(method, path, content=b"", headers=JSON), 422, "validation")
        assert body["detail"] == "request body is required" and fields_of(body) == {"body"}


async def test_other_forms_of_a_uuid_name_the_same_task_and_bad_ids_are_not_echoed(client: httpx.AsyncClient) -> None:
    task = await created(client)
    for form in (task["id"].upper(), task["id"].replace("-", ""), "{" + task["id"] + "}"):
        shown = await client.get(f"{TASKS}/{form}")
        assert shown.status_code == 200 and shown.json()["id"] == task["id"], (form, shown.text)
    history = await client.get(f"/api/v1/task-executions/task/{task['id'].upper()}")
    assert history.status_code == 200
    long_id = "z" * 5000
    for method, path in (("GET", f"{TASKS}/{long_id}"), ("DELETE", f"{TASKS}/{long_id}"),
                         ("GET", f"{TASKS}/{long_id}/results"), ("GET", f"/api/v1/task-executions/{long_id}"),
                         ("GET", f"/api/v1/webhooks/{long_id}")):
        body = assert_problem(await client.request(method, path), 404, "not-found")
        assert len(body["detail"]) < 200 and "5000 characters" in body["detail"], body


async def test_if_match_compares_strongly_and_accepts_lists_and_star(client: httpx.AsyncClient) -> None:
    task = await created(client)
    url = f"{TASKS}/{task['id']}"
    weak = await client.put(url, json={"task_name": "weak"}, headers={"If-Match": 'W/"1"'})
    assert_problem(weak, 412, "version-conflict")
    listed = await client.put(url, json={"task_name": "listed"}, headers={"If-Match": '"7", "1"'})
    assert listed.status_code == 200 and listed.headers["etag"] == '"2"', listed.text
    stale_list = await client.put(url, json={"task_name": "stale"}, headers={"If-Match": '"1", "5"'})
    assert_problem(stale_list, 412, "version-conflict")
    star = await client.put(url, json={"task_name": "star"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.json()["task_name"] == "star"
    assert_problem(await client.put(url, json={"task_name": "x"}, headers={"If-Match": '"1", soon'}), 400)
    missing = f"{TASKS}/{uuid.uuid4()}"
    assert_problem(await client.put(missing, json={"task_name": "x"}, headers={"If-Match": '"1", "2"'}), 404)


async def test_an_idempotency_key_with_another_body_is_refused(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    user = f"idem-{uuid.uuid4().hex[:6]}"
    first = await client.post(TASKS, json=task_body(user), headers=key)
    assert first.status_code == 201
    again = await client.post(TASKS, json=task_body(user), headers=key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = await client.post(TASKS, json=task_body(user, task_name="another"), headers=key)
    body = assert_problem(other, 422, "idempotency-key-reused")
    assert "Idempotency-Key reused with a different request body" in body["detail"]
    # A change made since (PUT) does not make the original body a different request.
    await client.put(f"{TASKS}/{first.json()['id']}", json={"task_name": "renamed"})
    assert (await client.post(TASKS, json=task_body(user), headers=key)).status_code == 200


async def test_a_batch_with_an_idempotency_key_is_created_once(client: httpx.AsyncClient) -> None:
    user = f"idem-batch-{uuid.uuid4().hex[:6]}"
    key = {"Idempotency-Key": f"b-{uuid.uuid4()}"}
    body = {"tasks": [task_body(user, task_name=f"t{i}") for i in range(3)]}
    first = await client.post(f"{TASKS}/batch", json=body, headers=key)
    assert first.status_code == 201, first.text
    again = await client.post(f"{TASKS}/batch", json=body, headers=key)
    assert again.status_code == 200, again.text
    assert [i["task"]["id"] for i in again.json()["items"]] == [i["task"]["id"] for i in first.json()["items"]]
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 3
    for changed in ({"tasks": body["tasks"][:2]}, {"tasks": [*body["tasks"], task_body(user)]},
                    {"tasks": body["tasks"], "mode": "partial"}):
        assert_problem(await client.post(f"{TASKS}/batch", json=changed, headers=key), 422, "idempotency-key-reused")
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 3

    partial = {"mode": "partial", "tasks": [task_body(user), task_body(user, parameters={"username": "a b"})]}
    key2 = {"Idempotency-Key": f"p-{uuid.uuid4()}"}
    first = await client.post(f"{TASKS}/batch", json=partial, headers=key2)
    again = await client.post(f"{TASKS}/batch", json=partial, headers=key2)
    assert first.status_code == again.status_code == 207
    assert again.json()["items"][1]["errors"] == first.json()["items"][1]["errors"]
    assert (await client.get(TASKS, params={"user_id": user})).json()["total"] == 4


async def test_two_users_choosing_the_same_batch_key_each_get_their_own_batch(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": f"shared-{uuid.uuid4()}"}
    for user in (f"ann-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"):
        made = await client.post(f"{TASKS}/batch", json={"tasks": [task_body(user)]}, headers=key)
        assert made.status_code == 201, made.text
        assert made.json()["items"][0]["task"]["user_id"] == user


async def test_a_rejected_batch_is_a_problem_with_each_items_outcome(client: httpx.AsyncClient) -> None:
    body = {"tasks": [task_body(), task_body(parameters={"username": "a b"}),
                      task_body(parameters={"username": "jack", "x": 1})]}
    problem = assert_problem(await client.post(f"{TASKS}/batch", json=body), 422, "validation")
    assert fields_of(problem) == {"tasks[1].parameters.username", "tasks[2].parameters.x"}
    assert [i["status"] for i in problem["items"]] == [424, 422, 422]
    assert problem["items"][0]["errors"][0]["field"] == "tasks[0]"
    assert problem["created"] == 0 and problem["failed"] == 3


async def test_a_change_while_the_execution_is_stopping_says_when_to_retry(client: httpx.AsyncClient,
                                                                         container: Container) -> None:
    task = await created(client, task_type="USER_TWEETS", parameters={"username": "elonmusk", "limit": 100})
    started = (await client.post(f"{TASKS}/{task['id']}/start")).json()
    await FakeWorker(container, task["id"], started["execution_id"]).start()
    assert (await client.post(f"{TASKS}/{task['id']}/stop")).status_code == 202
    for method, path in (("POST", f"{TASKS}/{task['id']}/start"), ("DELETE", f"{TASKS}/{task['id']}")):
        refused = assert_problem(await client.request(method, path), 409, "invalid-state")
        assert "still stopping" in refused["detail"]
        assert (await client.request(method, path)).headers["retry-after"] == "1"


async def test_health_and_ready_answer_head(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready"):
        response = await client.head(path)
        assert response.status_code == (await client.get(path)).status_code, path
        assert response.content == b""


async def test_metrics_have_one_charset_and_count_unmatched_routes(client: httpx.AsyncClient) -> None:
    await client.get("/no/such/route")
    await client.patch("/health")
    response = await client.get("/metrics")
    assert response.headers["content-type"].count("charset") == 1, response.headers["content-type"]
    lines = response.text.splitlines()
    assert any(line.startswith('xget_http_requests_total{method="GET",route="<unmatched>",status="404"}')
               for line in lines), [line for line in lines if "unmatched" in line]
    assert any('route="<unmatched>",status="405"' in line for line in lines)


async def test_created_after_and_before_take_a_date_or_a_date_time(client: httpx.AsyncClient) -> None:
    user = f"dates-{uuid.uuid4().hex[:6]}"
    await created(client, user=user)
    for params, total in (({"created_after": "2000-01-01"}, 1), ({"created_after": "2000-01-01T00:00:00Z"}, 1),
                          ({"created_before": "2000-01-01"}, 0), ({"created_after": "2999-01-01T00:00:00+02:00"}, 0)):
        response = await client.get(TASKS, params={"user_id": user, **params})
        assert response.status_code == 200 and response.json()["total"] == total, (params, response.text)
    for bad in ("yesterday", "2026-13-01", "9999-12-31T23:59:59-05:00"):
        body = assert_problem(await client.get(TASKS, params={"created_after": bad}), 422, "validation")
        assert fields_of(body) == {"query.created_after"}


async def test_integer_query_parameters_have_maxima(client: httpx.AsyncClient) -> None:
    huge = "9223372036854775808"
    task = await created(client)
    for path, name in ((TASKS, "page"), (TASKS, "size"), ("/api/v1/task-executions", "page"),
                       (f"{TASKS}/{task['id']}/results", "limit"),
                       (f"{TASKS}/search/results?user_id=u", "limit"), (f"{TASKS}/search/results?user_id=u", "min_likes")):
        body = assert_problem(await client.get(path, params={name: huge}), 422, "validation")
        assert f"query.{name}" in fields_of(body), (path, body)


async def test_a_query_parameter_given_twice_is_refused_not_resolved_to_its_last_value(
        client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get(TASKS, params=[("status", "PENDING"), ("status", "RUNNING")]),
                          422, "validation")
    assert "'status' given more than once" in body["detail"]
    assert body["errors"] == [{"field": "query.status", "message": "given more than once"}]
    assert (await client.get(TASKS, params={"status": "PENDING"})).status_code == 200


async def test_a_compressed_body_is_unsupported_media_not_malformed_json(client: httpx.AsyncClient) -> None:
    import gzip
    import json

    raw = gzip.compress(json.dumps(task_body()).encode())
    body = assert_problem(await client.post(TASKS, content=raw, headers={**JSON, "content-encoding": "gzip"}),
                          415, "unsupported-encoding")
    assert "uncompressed" in body["detail"]


async def test_a_web_page_of_another_site_cannot_change_anything(client: httpx.AsyncClient) -> None:
    task = await created(client)
    evil = {"origin": "https://evil.example"}
    assert_problem(await client.post(TASKS, json=task_body(), headers=evil), 403, "cross-site-request")
    assert_problem(await client.post(f"{TASKS}/{task['id']}/start", headers=evil), 403, "cross-site-request")
    assert_problem(await client.post(f"{TASKS}/{task['id']}/start", headers={"sec-fetch-site": "cross-site"}),
                   403, "cross-site-request")
    assert_problem(await client.delete(f"{TASKS}/{task['id']}", headers={"origin": "null"}), 403)
    # what a no-cors fetch or a form can send: text/plain, refused before anything is decoded
    plain = await client.post(TASKS, content=str(task_body()).encode(), headers={"content-type": "text/plain"})
    assert_problem(plain, 415, "unsupported-media-type")
    # the dashboard, same origin, is served
    same = {"origin": "http://127.0.0.1:8003", "sec-fetch-site": "same-origin"}
    assert (await client.post(TASKS, json=task_body(), headers=same)).status_code == 201
    assert (await client.get(f"{TASKS}/{task['id']}", headers=evil)).status_code == 200  # reads need CORS


async def test_a_host_name_rebound_to_this_machine_is_not_answered_without_authentication(
        client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get(TASKS, headers={"host": "attacker.example:8003"}), 421,
                          "host-not-allowed")
    assert "attacker.example" in body["detail"]
    for host in ("localhost:8003", "127.0.0.1", "[::1]:8003"):
        assert (await client.get("/health", headers={"host": host})).status_code == 200, host
