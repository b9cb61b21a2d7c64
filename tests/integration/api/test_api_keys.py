"""XGET_AUTH_MODE=api_key: keys map to a user and a role; users see only their own tasks."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.api.helpers import task_body
from tests.integration.conftest import app_client
from xget.auth import ApiKeys
from xget.bootstrap import open_container
from xget.settings import Settings, SettingsError

TASKS = "/api/v1/tasks"


@pytest.fixture(scope="module")
async def keyed(settings: Settings, projector: None) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client of the API in api_key mode, and keys for alice, bob and an admin."""
    async with open_container(dataclasses.replace(settings, auth_mode="api_key")) as container:
        keys = ApiKeys(container.pool)
        suffix = uuid.uuid4().hex[:6]
        made = {
            "alice": (await keys.create(f"alice-{suffix}"))[1],
            "bob": (await keys.create(f"bob-{suffix}"))[1],
            "admin": (await keys.create(f"root-{suffix}", role="admin"))[1],
        }
        made["alice_id"] = f"alice-{suffix}"
        async with await app_client(container) as client:
            yield client, made


def as_(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_requests_without_a_valid_key_get_401(keyed: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, _ = keyed
    for headers in ({}, {"X-API-Key": "xget_nope_nope"}, {"Authorization": "Bearer wrong"}):
        response = await client.get(TASKS, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_user_sees_and_changes_only_their_own_tasks(keyed: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, keys = keyed
    created = await client.post(TASKS, json=task_body(user=None) | {"user_id": None}, headers=as_(keys["alice"]))
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["user_id"] == keys["alice_id"]
    url = f"{TASKS}/{task['id']}"
    assert (await client.get(url, headers=as_(keys["alice"]))).status_code == 200
    for method, path in (("GET", url), ("PUT", url), ("DELETE", url), ("POST", f"{url}/start"),
                         ("GET", f"/api/v1/task-executions/task/{task['id']}")):
        response = await client.request(method, path, headers=as_(keys["bob"]), json={} if method == "PUT" else None)
        assert response.status_code == 404, (method, path)
    bobs_list = (await client.get(TASKS, headers=as_(keys["bob"]))).json()
    assert task["id"] not in {t["id"] for t in bobs_list["items"]}
    assert (await client.get(TASKS, params={"user_id": keys["alice_id"]}, headers=as_(keys["bob"]))).status_code == 403


async def test_a_user_cannot_create_tasks_for_someone_else_but_an_admin_can(
    keyed: tuple[httpx.AsyncClient, dict[str, str]]
) -> None:
    client, keys = keyed
    body = task_body(user="somebody-else")
    assert (await client.post(TASKS, json=body, headers=as_(keys["bob"]))).status_code == 403
    made = await client.post(TASKS, json=body, headers=as_(keys["admin"]))
    assert made.status_code == 201 and made.json()["user_id"] == "somebody-else"


async def test_an_admin_sees_every_users_tasks(keyed: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, keys = keyed
    task = (await client.post(TASKS, json=task_body() | {"user_id": None}, headers=as_(keys["alice"]))).json()
    assert (await client.get(f"{TASKS}/{task['id']}", headers=as_(keys["admin"]))).status_code == 200
    listed = (await client.get(TASKS, params={"user_id": keys["alice_id"]}, headers=as_(keys["admin"]))).json()
    assert task["id"] in {t["id"] for t in listed["items"]}
    assert (await client.post(f"{TASKS}/{task['id']}/start", headers=as_(keys["admin"]))).status_code == 202


async def test_a_revoked_key_stops_working(settings: Settings, keyed: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, _ = keyed
    async with open_container(settings) as container:
        keys = ApiKeys(container.pool)
        key_id, key = await keys.create("carol")
        stored = {k.id: k for k in await keys.list()}
        assert stored[key_id].user_id == "carol" and key not in repr(stored[key_id])
        assert await keys.revoke(key_id)
        assert not await keys.revoke(key_id)
    # The API caches verified keys for 30 s; a fresh key is checked at once.
    assert (await client.get(TASKS, headers=as_(key))).status_code == 401


def test_the_api_refuses_to_listen_openly_without_auth() -> None:
    with pytest.raises(SettingsError, match="XGET_API_HOST"):
        Settings.from_env({"XGET_API_HOST": "0.0.0.0"}).check_api_bind()
    Settings.from_env({"XGET_API_HOST": "0.0.0.0", "XGET_AUTH_MODE": "api_key"}).check_api_bind()
    Settings.from_env({"XGET_API_HOST": "0.0.0.0", "XGET_ALLOW_INSECURE_BIND": "true"}).check_api_bind()
    Settings.from_env({"XGET_API_HOST": "::1"}).check_api_bind()
