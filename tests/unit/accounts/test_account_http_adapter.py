"""The HTTP account adapter against an in-process service speaking the documented contract."""

from __future__ import annotations

import json

import httpx
import pytest

from xget.accounts.http import HttpAccountService
from xget.accounts.port import (
    AccountNotFound,
    AccountOutcome,
    AccountServiceError,
    AccountUnavailable,
)


class FakeAccountService:
    """Implements docs/accounts-and-proxies.md for one account, recording requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.leased = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.requests.append((request.method, request.url.path, body))
        if request.headers.get("authorization") != "Bearer s3cret":
            return httpx.Response(401, json={"error": "unauthorized"})
        if request.url.path == "/v1/account-leases":
            if body.get("account_id") not in (None, "acc-1"):
                return httpx.Response(404, json={"error": "account_not_found", "message": "no such"})
            if self.leased:
                return httpx.Response(503, json={"error": "no_account_available", "retry_after": 42})
            self.leased = True
            return httpx.Response(201, json={
                "lease_id": "L1", "account_id": "acc-1", "expires_at": "2026-08-01T00:10:00Z",
                "credentials": {"auth_token": "tok", "ct0": "ct", "user_agent": "UA/1"}})
        if request.url.path == "/v1/account-leases/L1/release":
            self.leased = False
            return httpx.Response(204)
        return httpx.Response(404, json={"error": "lease_not_found"})


@pytest.fixture
def service():
    return FakeAccountService()


@pytest.fixture
async def adapter(service):
    a = HttpAccountService("http://accounts.test/", token="s3cret",
                           transport=httpx.MockTransport(service))
    yield a
    await a.aclose()


async def test_lease_and_release_follow_the_contract(service, adapter):
    lease = await adapter.lease("UserTweets", exclude={"acc-9"})
    assert (lease.lease_id, lease.account_id) == ("L1", "acc-1")
    assert lease.credentials.ct0 == "ct" and lease.credentials.user_agent == "UA/1"
    method, path, body = service.requests[0]
    assert (method, path) == ("POST", "/v1/account-leases")
    assert body["operation"] == "UserTweets" and body["account_id"] is None
    assert body["exclude"] == ["acc-9"] and body["ttl_seconds"] == 600.0 and body["holder"]
    await adapter.release(lease.lease_id, AccountOutcome.rate_limited(1785542400.0, "UserTweets"))
    _, path, body = service.requests[1]
    assert path == "/v1/account-leases/L1/release"
    assert body == {"outcome": "rate_limited", "until": "2026-08-01T00:00:00Z",
                    "operation": "UserTweets", "detail": None}


async def test_no_account_is_unavailable_with_retry_after(adapter):
    await adapter.lease("UserTweets")
    with pytest.raises(AccountUnavailable) as err:
        await adapter.lease("UserTweets")
    assert err.value.retry_after == 42


async def test_an_unknown_pinned_account_is_not_found(adapter):
    with pytest.raises(AccountNotFound):
        await adapter.lease("UserTweets", pinned_id="acc-404")


async def test_releasing_an_unknown_lease_is_harmless(adapter):
    await adapter.release("gone", AccountOutcome.ok())


async def test_service_failures_are_service_errors(service):
    broken = HttpAccountService("http://accounts.test", token="wrong",
                                transport=httpx.MockTransport(service))
    with pytest.raises(AccountServiceError):
        await broken.lease("UserTweets")
    await broken.aclose()

    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    down = HttpAccountService("http://accounts.test", transport=httpx.MockTransport(refuse))
    with pytest.raises(AccountServiceError):
        await down.lease("UserTweets")
    await down.aclose()
