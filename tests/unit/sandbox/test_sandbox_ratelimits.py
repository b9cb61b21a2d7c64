"""Rate-limit windows per account and operation, through the engine's real HTTP client."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sbx_stack import sandbox_stack

from xget.accounts.port import Credentials
from xget.sandbox.limits import credentials
from xget.x.collect import collect
from xget.x.errors import RateLimited


def creds(account: str = "acc-1") -> Credentials:
    token, ct0 = credentials("xget", account)
    return Credentials(auth_token=token, ct0=ct0)


async def test_every_answer_carries_the_window_and_the_call_past_it_gets_429_code_88():
    async with sandbox_stack(rate_limit={"UserByScreenName": 3}, rate_window=60.0) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        seen = []
        for _ in range(3):
            result = await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds())
            seen.append(result.rate_limit)
        assert [r.remaining for r in seen] == [2, 1, 0] and {r.limit for r in seen} == {3}
        assert time.time() + 55 < seen[0].reset_at <= time.time() + 61
        with pytest.raises(RateLimited) as exc:
            await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds())
        assert exc.value.x_code == 88 and exc.value.reset_at == seen[0].reset_at
        # windows are per account and per operation
        await rt.client.call("UserByScreenName", {"screen_name": "elonmusk"}, creds("acc-2"))
        await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        await rt.aclose()


async def test_a_window_resets_after_its_length():
    async with sandbox_stack(rate_limit={"UserByRestId": 1}, rate_window=1.0) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        with pytest.raises(RateLimited) as exc:
            await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        await asyncio.sleep(max(0.0, exc.value.reset_at - time.time()) + 0.05)
        result = await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        assert result.rate_limit.remaining == 0 and result.rate_limit.limit == 1
        await rt.aclose()


async def test_switched_off_limits_refuse_nothing_but_still_send_headers():
    async with sandbox_stack(rate_limits=False, rate_limit={"UserByRestId": 1}) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        for _ in range(5):
            result = await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        assert result.rate_limit.limit == 1_000_000 and result.rate_limit.remaining == 999_995
        await rt.aclose()


async def test_the_session_rotates_accounts_when_windows_run_out():
    async with sandbox_stack(rate_limit={"UserTweets": 2}) as stack:
        rt = stack.runtime()
        session = rt.session()
        items = [i async for p in collect("USER_TWEETS", {"user_id": "44196397", "limit": 200}, session)
                 for i in p.items]
        await session.aclose()
        assert len(items) == 200 == len({i.id for i in items})
        async with httpx.AsyncClient() as http:
            accounts = (await http.get(f"{stack.accounts_url}/v1/accounts")).json()["accounts"]
        limited = [a["id"] for a in accounts if "UserTweets" in a["rate_limited"]]
        assert len(limited) >= 4  # 10 pages at 2 per window
        await rt.aclose()


async def test_a_pinned_account_waits_for_its_window_and_goes_on():
    async with sandbox_stack(rate_limit={"UserTweets": 2}, rate_window=1.5) as stack:
        rt = stack.runtime()
        waits = []

        async def on_wait(info):
            waits.append(info)

        session = rt.session(pinned_account_id="acc-3", on_wait=on_wait, deadline=time.time() + 30)
        session.report_every = 0.2
        items = [i async for p in collect("USER_TWEETS", {"user_id": "44196397", "limit": 60}, session)
                 for i in p.items]
        await session.aclose()
        assert len(items) == 60 and waits and waits[0].reason == "pinned_account_busy"
        await rt.aclose()


async def test_knobs_change_at_run_time_and_reset_forgets_the_windows():
    async with sandbox_stack(rate_limit={"UserByRestId": 1}) as stack:
        rt = stack.runtime(proxies=False, max_retries=0)
        await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        with pytest.raises(RateLimited):
            await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
        async with httpx.AsyncClient(base_url=stack.x_url) as http:
            assert (await http.post("/_sandbox/reset")).status_code == 204
            await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
            resp = await http.post("/_sandbox/config", json={"rate_limit": {"UserByRestId": 5}})
            assert resp.status_code == 200 and resp.json()["rate_limit"] == {"UserByRestId": 5}
            result = await rt.client.call("UserByRestId", {"userId": "44196397"}, creds())
            assert result.rate_limit.limit == 5
            bad = await http.post("/_sandbox/config", json={"error_rate": 2})
            assert bad.status_code == 400 and "error_rate" in bad.json()["message"]
            assert (await http.get("/_sandbox/config")).json()["error_rate"] == 0.0
        await rt.aclose()
