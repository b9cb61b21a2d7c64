"""The sandbox account and proxy services honour docs/accounts-and-proxies.md, driven through the
engine's real HTTP adapters."""

from __future__ import annotations

import asyncio
import time

import pytest

from xget.accounts.http import HttpAccountService
from xget.accounts.port import AccountNotFound, AccountOutcome, AccountServiceError, AccountUnavailable
from xget.proxies.http import HttpProxyService
from xget.proxies.port import ProxyNotFound, ProxyServiceError, ProxyUnavailable
from xget.sandbox.accounts import AccountService
from xget.sandbox.config import SandboxConfig
from xget.sandbox.proxies import ProxyPool, ProxyService
from xget.sandbox.serve import running
from xget.sandbox.xapp import SandboxX


def config(**knobs) -> SandboxConfig:
    return SandboxConfig().updated(knobs)


async def test_leased_credentials_are_accepted_by_the_sandbox_x():
    cfg = config()
    async with running(AccountService(cfg)) as acs, running(SandboxX(cfg)) as xs:
        from xget.x.client import XClient
        from xget.x.operations import load_operations

        accounts = HttpAccountService(acs.url)
        lease = await accounts.lease("UserByScreenName")
        assert lease.account_id == "acc-1" and lease.expires_at.endswith("Z")
        client = XClient(load_operations(), base_url=f"{xs.url}/i/api/graphql", max_retries=0)
        result = await client.call("UserByScreenName", {"screen_name": "elonmusk"}, lease.credentials)
        assert result.page.items[0].screen_name == "elonmusk"
        await client.aclose()
        await accounts.aclose()


async def test_an_account_has_one_holder_and_503_says_when_one_is_free():
    async with running(AccountService(config(accounts=3))) as acs:
        accounts = HttpAccountService(acs.url, lease_ttl=30)
        leases = [await accounts.lease("UserTweets") for _ in range(3)]
        assert len({lease.account_id for lease in leases}) == 3
        with pytest.raises(AccountUnavailable) as exc:
            await accounts.lease("UserTweets")
        assert 25 < exc.value.retry_after <= 30
        await accounts.release(leases[1].lease_id, AccountOutcome.ok())
        assert (await accounts.lease("UserTweets")).account_id == leases[1].account_id
        # releasing twice, or an unknown lease, is fine
        await accounts.release(leases[1].lease_id, AccountOutcome.ok())
        await accounts.release("nope", AccountOutcome.ok())
        await accounts.aclose()


async def test_rate_limited_keeps_an_account_away_from_that_operation_only():
    async with running(AccountService(config(accounts=1))) as acs:
        accounts = HttpAccountService(acs.url)
        lease = await accounts.lease("SearchTimeline")
        until = time.time() + 120
        await accounts.release(lease.lease_id, AccountOutcome.rate_limited(until, "SearchTimeline"))
        with pytest.raises(AccountUnavailable) as exc:
            await accounts.lease("SearchTimeline")
        assert 110 < exc.value.retry_after <= 121
        other = await accounts.lease("UserTweets")
        assert other.account_id == lease.account_id
        await accounts.aclose()


@pytest.mark.parametrize("outcome", [AccountOutcome.banned("suspended"), AccountOutcome.locked("locked"),
                                     AccountOutcome.auth_failed("401")])
async def test_banned_locked_and_refused_accounts_are_disabled(outcome):
    async with running(AccountService(config(accounts=2))) as acs:
        accounts = HttpAccountService(acs.url)
        lease = await accounts.lease("UserTweets")
        await accounts.release(lease.lease_id, outcome)
        for _ in range(3):
            again = await accounts.lease("UserTweets")
            assert again.account_id != lease.account_id
            await accounts.release(again.lease_id, AccountOutcome.ok())
        with pytest.raises(AccountUnavailable) as exc:
            await accounts.lease("UserTweets", lease.account_id)
        assert exc.value.retry_after is None
        await accounts.aclose()


async def test_pinned_and_excluded_accounts():
    async with running(AccountService(config(accounts=3))) as acs:
        accounts = HttpAccountService(acs.url)
        with pytest.raises(AccountNotFound):
            await accounts.lease("UserTweets", "acc-99")
        pinned = await accounts.lease("UserTweets", "acc-2")
        assert pinned.account_id == "acc-2"
        with pytest.raises(AccountUnavailable) as exc:
            await accounts.lease("UserTweets", "acc-2")
        assert exc.value.retry_after > 0
        other = await accounts.lease("UserTweets", exclude={"acc-1"})
        assert other.account_id == "acc-3"
        await accounts.aclose()


async def test_an_unreleased_lease_expires_after_its_ttl():
    async with running(AccountService(config(accounts=1))) as acs:
        accounts = HttpAccountService(acs.url, lease_ttl=0.3)
        first = await accounts.lease("UserTweets")
        with pytest.raises(AccountUnavailable):
            await accounts.lease("UserTweets")
        await asyncio.sleep(0.35)
        second = await accounts.lease("UserTweets")
        assert second.account_id == first.account_id and second.lease_id != first.lease_id
        await accounts.release(first.lease_id, AccountOutcome.ok())  # expired: fine
        await accounts.aclose()


async def test_a_service_token_is_required_when_configured():
    async with running(AccountService(config(), token="s3cret")) as acs:
        bad = HttpAccountService(acs.url)
        with pytest.raises(AccountServiceError):
            await bad.lease("UserTweets")
        await bad.aclose()
        good = HttpAccountService(acs.url, token="s3cret")
        assert (await good.lease("UserTweets")).account_id == "acc-1"
        await good.aclose()


async def test_a_bad_lease_request_is_a_400():
    async with running(AccountService(config())) as acs:
        accounts = HttpAccountService(acs.url)
        with pytest.raises(AccountServiceError, match="400"):
            await accounts.lease("NotAnOperation")
        await accounts.aclose()


# ---------------------------------------------------------------- proxies


async def test_proxy_leases_carry_forward_proxy_credentials_or_direct():
    cfg = config(proxies=3)
    async with running(ProxyService(ProxyPool(cfg, "http://127.0.0.1:8013"))) as pxs:
        proxies = HttpProxyService(pxs.url)
        leases = [await proxies.lease() for _ in range(3)]
        assert sorted(lease.proxy_id for lease in leases) == ["px-1", "px-2", "px-3"]
        assert all(lease.url.startswith(f"http://{lease.proxy_id}:") and lease.url.endswith("@127.0.0.1:8013")
                   for lease in leases)
        shared = await proxies.lease()  # several holders may share a proxy
        assert shared.proxy_id in {"px-1", "px-2", "px-3"}
        await proxies.aclose()
    async with running(ProxyService(ProxyPool(config(proxy_mode="direct"), None))) as pxs:
        proxies = HttpProxyService(pxs.url)
        assert (await proxies.lease()).url is None
        await proxies.aclose()


async def test_a_failed_proxy_is_benched_and_503_says_until_when():
    cfg = config(proxies=2, proxy_bench_seconds=60)
    async with running(ProxyService(ProxyPool(cfg, "http://127.0.0.1:1"))) as pxs:
        proxies = HttpProxyService(pxs.url)
        first = await proxies.lease()
        await proxies.release(first.lease_id, "failed", "ConnectTimeout")
        assert (await proxies.lease()).proxy_id != first.proxy_id
        with pytest.raises(ProxyUnavailable) as exc:
            await proxies.lease(first.proxy_id)
        assert 55 < exc.value.retry_after <= 60
        with pytest.raises(ProxyUnavailable) as exc:
            await proxies.lease(exclude={"px-1", "px-2"} - {first.proxy_id})
        assert exc.value.retry_after is not None
        with pytest.raises(ProxyNotFound):
            await proxies.lease("px-9")
        await proxies.release("unknown", "ok")
        await proxies.aclose()


async def test_the_proxy_service_token_is_required_when_configured():
    pool = ProxyPool(config(), None)
    async with running(ProxyService(pool, token="t")) as pxs:
        bad = HttpProxyService(pxs.url)
        with pytest.raises(ProxyServiceError):
            await bad.lease()
        await bad.aclose()
        good = HttpProxyService(pxs.url, token="t")
        assert (await good.lease()).proxy_id == "px-1"
        await good.aclose()
