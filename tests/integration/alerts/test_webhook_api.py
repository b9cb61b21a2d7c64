"""The webhooks API on the real PostgreSQL: registration, validation (422 naming the field, the
SSRF guard with API keys), secrets shown once, others' webhooks answering 404."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.api.helpers import fields_of
from tests.integration.conftest import app_client
from xget.auth import ApiKeys
from xget.bootstrap import open_container
from xget.settings import Settings

HOOKS = "/api/v1/webhooks"


async def deliveries(client: httpx.AsyncClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"{HOOKS}/{hook['id']}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_registration_answers_the_secret_once_and_defaults_to_every_alert(client: httpx.AsyncClient) -> None:
    user = f"hooked-{uuid.uuid4().hex[:8]}"
    response = await client.post(HOOKS, json={"url": "https://hooks.example.com/xget", "user_id": user})
    assert response.status_code == 201, response.text
    hook = response.json()
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) >= 40
    assert hook["events"] == ["task.failed", "execution.empty", "accounts.exhausted"]
    assert hook["user_id"] == user and hook["active"] is True
    assert response.headers["location"] == f"{HOOKS}/{hook['id']}"
    shown = (await client.get(f"{HOOKS}/{hook['id']}")).json()
    assert "secret" not in shown and shown["url"] == "https://hooks.example.com/xget"
    listed = (await client.get(HOOKS, params={"user_id": user})).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert await deliveries(client, hook) == []
    twice = await client.post(HOOKS, json={"url": "https://hooks.example.com/b", "user_id": user,
                                           "events": ["task.failed", "task.failed"]})
    assert twice.json()["events"] == ["task.failed"]


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://hooks.example.com/x"}, "url"),
    ({"url": "https://exa mple.com/x"}, "url"),
    ({"url": "https://hooks.example.com/" + "a" * 2001}, "url"),
    ({"url": "hooks.example.com/x"}, "url"),
    ({"url": 42}, "url"),
    ({"url": "https://hooks.example.com/x", "secret": "too-short"}, "secret"),
    ({"url": "https://hooks.example.com/x", "events": ["task.exploded"]}, "events[0]"),
    ({"url": "https://hooks.example.com/x", "events": []}, "events"),
    ({"url": "https://hooks.example.com/x", "user_id": None}, "user_id"),
    ({"url": "https://hooks.example.com/x", "colour": "red"}, "colour"),
    ({"user_id": "someone"}, "url"),
])
async def test_bad_registrations_get_422_naming_the_field(client: httpx.AsyncClient, body: dict[str, Any],
                                                          field: str) -> None:
    response = await client.post(HOOKS, json={"user_id": "someone", **body})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in fields_of(response.json()), response.json()


async def test_unknown_webhooks_answer_404(client: httpx.AsyncClient) -> None:
    for path in (f"{HOOKS}/{uuid.uuid4()}", f"{HOOKS}/not-a-uuid", f"{HOOKS}/{uuid.uuid4()}/deliveries"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.delete(f"{HOOKS}/{uuid.uuid4()}")).status_code == 404


@pytest.fixture(scope="module")
async def keyed(settings: Settings, projector: None) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The API in api_key mode (private targets refused by default), with keys for two users."""
    async with open_container(dataclasses.replace(settings, auth_mode="api_key")) as container:
        keys = ApiKeys(container.pool)
        suffix = uuid.uuid4().hex[:6]
        made = {"alice": (await keys.create(f"alice-{suffix}"))[1], "bob": (await keys.create(f"bob-{suffix}"))[1],
                "alice_id": f"alice-{suffix}"}
        async with await app_client(container) as client:
            yield client, made


async def test_with_api_keys_private_targets_are_refused(keyed: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, keys = keyed
    for url in ("http://127.0.0.1:9000/x", "http://localhost/x", "http://169.254.169.254/latest", "http://[::1]/",
                "http://10.0.0.7/x", "http://2130706433/x"):
        response = await client.post(HOOKS, json={"url": url}, headers={"X-API-Key": keys["alice"]})
        assert response.status_code == 422, url
        assert fields_of(response.json()) == {"url"}
        assert "private" in response.json()["detail"] or "localhost" in response.json()["detail"]


async def test_with_api_keys_webhooks_belong_to_the_keys_user_and_others_get_404(
    keyed: tuple[httpx.AsyncClient, dict[str, str]]
) -> None:
    client, keys = keyed
    alice, bob = {"X-API-Key": keys["alice"]}, {"X-API-Key": keys["bob"]}
    assert (await client.post(HOOKS, json={"url": "https://hooks.example.com/x"})).status_code == 401
    made = await client.post(HOOKS, json={"url": "https://hooks.example.com/x"}, headers=alice)
    assert made.status_code == 201, made.text
    hook = made.json()
    assert hook["user_id"] == keys["alice_id"]
    forged = await client.post(HOOKS, json={"url": "https://hooks.example.com/x", "user_id": keys["alice_id"]},
                               headers=bob)
    assert forged.status_code == 403
    for method, path in (("GET", f"{HOOKS}/{hook['id']}"), ("DELETE", f"{HOOKS}/{hook['id']}"),
                         ("GET", f"{HOOKS}/{hook['id']}/deliveries")):
        assert (await client.request(method, path, headers=bob)).status_code == 404, (method, path)
    assert hook["id"] not in {h["id"] for h in (await client.get(HOOKS, headers=bob)).json()["items"]}
    assert (await client.get(HOOKS, params={"user_id": keys["alice_id"]}, headers=bob)).status_code == 403
    assert [h["id"] for h in (await client.get(HOOKS, headers=alice)).json()["items"]] == [hook["id"]]
    assert (await client.delete(f"{HOOKS}/{hook['id']}", headers=alice)).status_code == 204
    assert (await client.get(f"{HOOKS}/{hook['id']}", headers=alice)).status_code == 404
