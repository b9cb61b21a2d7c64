"""Each injected fault reaches the engine as the right error, and the session retries or rotates."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sbx_stack import sandbox_stack

from xget.accounts.port import Credentials
from xget.sandbox.limits import credentials
from xget.sandbox.proxies import ProxyLeaseRequest
from xget.x.collect import collect
from xget.x.errors import (
    AccountLocked,
    AccountSuspended,
    AuthFailed,
    BadRequest,
    OperationOutdated,
    Transient,
)
from xget.x.runtime import XRuntime


def creds(account: str = "acc-1", **override: str) -> Credentials:
    token, ct0 = credentials("xget", account)
    return Credentials(**{"auth_token": token, "ct0": ct0, **override})


async def collect_all(session, task_type="USER_TWEETS", params=None):
    params = params or {"username": "sbx_small", "include_replies": True}
    return [i async for p in collect(task_type, params, session) for i in p.items]


async def test_5xx_answers_are_transient_and_retried_until_the_page_comes():
    async with sandbox_stack(error_rate=0.3) as stack:
        rt = stack.runtime(backoff_base=0.001, max_retries=6)
        session = rt.session()
        items = await collect_all(session)
        await session.aclose()
        assert len(items) == 57 == len({i.id for i in items})
        await rt.aclose()


async def test_persistent_5xx_fails_over_proxies_then_raises_transient():
    async with sandbox_stack(error_rate=1.0) as stack:
        rt = stack.runtime(backoff_base=0.001, max_retries=1)
        with pytest.raises(Transient) as exc:
            await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds())
        assert exc.value.status in (500, 503)
        session = rt.session()
        with pytest.raises(Transient):
            await collect_all(session)
        await session.aclose()
        benched = [p for p in stack.proxies.pool.ids if p in stack.proxies.pool.benched]
        assert len(benched) == 4  # the session's four proxy attempts, each released as failed
        await rt.aclose()


async def test_a_timeout_is_transient():
    async with sandbox_stack(timeout_rate=1.0, timeout_seconds=2.0) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        rt.client._timeout = httpx.Timeout(0.3)
        started = time.monotonic()
        with pytest.raises(Transient, match="Timeout"):
            await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds())
        assert time.monotonic() - started < 1.5
        await rt.aclose()


async def test_slow_answers_arrive_late_but_whole():
    async with sandbox_stack(slow_rate=1.0, slow_seconds=0.3) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        started = time.monotonic()
        result = await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds())
        assert time.monotonic() - started >= 0.3 and result.page.items[0].screen_name == "elonmusk"
        await rt.aclose()


@pytest.mark.parametrize("bad", [
    {"auth_token": "0" * 40},                 # unknown account: 401 code 32
    {"ct0": "f" * 32},                        # csrf cookie that is not the account's
    {"bearer_token": "AAAA-not-the-web-client"},
])
async def test_refused_credentials_are_auth_failures(bad):
    async with sandbox_stack() as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        with pytest.raises(AuthFailed):
            await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds(**bad))
        await rt.aclose()


async def test_a_csrf_header_that_differs_from_the_cookie_is_refused():
    async with sandbox_stack() as stack:
        token, ct0 = credentials("xget", "acc-1")
        async with httpx.AsyncClient() as http:
            resp = await http.get(f"{stack.x_url}/i/api/graphql/Gb-d6r0vxPOADdG62OEBpQ/UserByScreenName",
                                  params={"variables": json.dumps({"screen_name": "elonmusk"})},
                                  headers={"authorization": f"Bearer {stack.x.registry.bearer_token}",
                                           "cookie": f"auth_token={token}; ct0={ct0}",
                                           "x-csrf-token": "other"})
        assert resp.status_code == 403 and resp.json()["errors"][0]["code"] == 353


@pytest.mark.parametrize(("state", "error", "outcome"), [
    ("suspended_accounts", AccountSuspended, "banned"),
    ("locked_accounts", AccountLocked, "locked"),
    ("logged_out_accounts", AuthFailed, "auth_failed"),
])
async def test_account_states_raise_their_errors_and_the_session_rotates_past_them(state, error, outcome):
    bad = [f"acc-{i}" for i in range(1, 6)]
    async with sandbox_stack(**{state: bad}) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        with pytest.raises(error):
            await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds("acc-1"))
        session = rt.session()
        assert len(await collect_all(session)) == 57
        await session.aclose()
        disabled = {a.id: a.disabled for a in stack.accounts.pool.accounts.values() if a.disabled}
        assert disabled == dict.fromkeys(bad, outcome)
        pinned = rt.session(pinned_account_id="acc-6")
        assert len(await collect_all(pinned)) == 57
        await pinned.aclose()
        await rt.aclose()


async def test_a_pinned_suspended_account_fails_the_task():
    async with sandbox_stack(suspended_accounts=["acc-2"]) as stack:
        rt = stack.runtime(proxies=False)
        session = rt.session(pinned_account_id="acc-2")
        with pytest.raises(AccountSuspended):
            await collect_all(session)
        await session.aclose()
        await rt.aclose()


async def test_an_unknown_query_id_is_an_outdated_operation(tmp_path):
    override = tmp_path / "ops.json"
    override.write_text(json.dumps({"operations": {"UserTweets": {"query_id": "NEWIDxxxxxxxxxxxxxxxxx"}}}))
    async with sandbox_stack() as stack:
        rt = XRuntime.from_env(stack.env(XGET_X_OPERATIONS_FILE=str(override)))
        session = rt.session()
        with pytest.raises(OperationOutdated, match="UserTweets"):
            await collect_all(session, params={"username": "sbx_small"})
        await session.aclose()
        await rt.aclose()


@pytest.mark.parametrize("query", ["x" * 600, "denylisted words"])
async def test_refused_search_queries_are_bad_requests(query):
    async with sandbox_stack() as stack:
        rt = stack.runtime(proxies=False)
        session = rt.session()
        with pytest.raises(BadRequest):
            await collect_all(session, "KEYWORD_SEARCH", {"query": query})
        await session.aclose()
        await rt.aclose()


async def test_a_failing_proxy_is_benched_and_the_call_moves_to_another():
    async with sandbox_stack(proxies=2, proxy_fail={"px-1": 1.0}) as stack:
        # px-2 already has a holder, so the session's first lease is px-1, which always fails
        stack.proxies.pool.lease(ProxyLeaseRequest(proxy_id="px-2"))
        rt = stack.runtime(backoff_base=0.001, max_retries=1)
        session = rt.session()
        assert len(await collect_all(session)) == 57
        await session.aclose()
        assert "px-1" in stack.proxies.pool.benched and "px-2" not in stack.proxies.pool.benched
        assert stack.forward.relayed >= 4
        await rt.aclose()
