"""The session: rotation on account errors, shared rate-limit windows, waits, proxies."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from xget.accounts.port import AccountServiceError
from xget.accounts.static import StaticAccountPool
from xget.proxies.static import StaticProxyPool
from xget.x import errors as e
from xget.x.client import XClient
from xget.x.collect import collect
from xget.x.operations import load_operations
from xget.x.ratelimits import MemoryRateLimitStore
from xget.x.session import Stopped, XSession

ACCOUNTS = [{"id": f"a{i}", "auth_token": f"tok{i}", "ct0": f"ct{i}"} for i in range(3)]
PROXIES = [{"id": "p1", "url": "http://127.0.0.1:9001"}, {"id": "p2", "url": "http://127.0.0.1:9002"}]


class FakeX:
    """Answers per account (auth_token) from a script; records (account, proxy) per request."""

    def __init__(self, body: bytes, script=None) -> None:
        self.body = body
        self.script = script or {}
        self.seen: list[tuple[str, str | None]] = []

    def transport(self, proxy_url):
        def handler(request: httpx.Request) -> httpx.Response:
            token = request.headers["cookie"].split(";")[0].split("=")[1]
            self.seen.append((token, proxy_url))
            answers = self.script.get(token) or self.script.get(proxy_url)
            answer = answers.pop(0) if answers else (200, {})
            if isinstance(answer, Exception):
                raise answer
            status, headers = answer
            return httpx.Response(status, content=self.body if status == 200 else b"",
                                  headers=headers)

        return httpx.MockTransport(handler)


async def no_sleep(_s):
    return None


def session(fake: FakeX, *, accounts=ACCOUNTS, proxies=(), **kw) -> tuple[XSession, MemoryRateLimitStore]:
    client = XClient(load_operations(env={}), base_url="http://sandbox.test/graphql",
                     transport_factory=fake.transport, sleep=no_sleep, max_retries=0)
    limits = MemoryRateLimitStore()
    return XSession(client, StaticAccountPool(accounts), StaticProxyPool(list(proxies)), limits,
                    **kw), limits


@pytest.fixture
def body(raw):
    return raw("twscrape/raw_user_by_login.json")


VARS = {"screen_name": "XDevelopers"}


async def test_a_rate_limited_account_is_rotated_and_recorded(body):
    reset = time.time() + 600
    fake = FakeX(body, {"tok0": [(429, {"x-rate-limit-reset": str(int(reset)),
                                        "x-rate-limit-remaining": "0"})]})
    s, limits = session(fake, accounts=ACCOUNTS[:2])
    page = await s.fetch("UserByScreenName", VARS)
    assert page.items[0].screen_name == "XDevelopers"
    assert [t for t, _ in fake.seen] == ["tok0", "tok1"]
    assert await limits.exhausted("UserByScreenName") == {"a0": float(int(reset))}
    assert await limits.exhausted("UserTweets") == {}
    await s.aclose()


async def test_an_account_whose_window_is_spent_is_not_picked_again(body):
    reset = str(int(time.time()) + 600)
    fake = FakeX(body, {"tok0": [(200, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})]})
    s, limits = session(fake, accounts=ACCOUNTS[:2])
    await s.fetch("UserByScreenName", VARS)
    await s.fetch("UserByScreenName", VARS)
    assert [t for t, _ in fake.seen] == ["tok0", "tok1"]
    await s.aclose()


async def test_a_second_worker_skips_accounts_the_shared_store_says_are_spent(body):
    fake = FakeX(body)
    s, limits = session(fake)
    await limits.record("a0", "UserByScreenName", remaining=0, reset_at=time.time() + 600)
    await limits.record("a1", "UserByScreenName", remaining=0, reset_at=time.time() + 600)
    await s.fetch("UserByScreenName", VARS)
    assert [t for t, _ in fake.seen] == ["tok2"]
    await s.aclose()


async def test_when_all_are_exhausted_it_waits_for_the_earliest_reset_and_reports(body):
    fake = FakeX(body)
    waits = []

    async def on_wait(info):
        waits.append(info)

    s, limits = session(fake, accounts=ACCOUNTS[:2], on_wait=on_wait, deadline=time.time() + 60)
    now = time.time()
    await limits.record("a0", "UserByScreenName", remaining=0, reset_at=now + 0.4)
    await limits.record("a1", "UserByScreenName", remaining=0, reset_at=now + 30)
    started = time.monotonic()
    await s.fetch("UserByScreenName", VARS)
    assert 0.2 < time.monotonic() - started < 5
    assert [t for t, _ in fake.seen] == ["tok0"]
    assert waits and waits[0].reason == "accounts_exhausted"
    assert waits[0].operation == "UserByScreenName"
    assert waits[0].until == pytest.approx(now + 0.4)
    await s.aclose()


async def test_a_reset_after_the_deadline_fails_without_waiting(body):
    s, limits = session(FakeX(body), accounts=ACCOUNTS[:1], deadline=time.time() + 5)
    await limits.record("a0", "UserByScreenName", remaining=0, reset_at=time.time() + 600)
    with pytest.raises(e.NoAccountAvailable, match="deadline"):
        await s.fetch("UserByScreenName", VARS)


async def test_the_stop_signal_interrupts_a_wait_at_once(body):
    stop = asyncio.Event()
    s, limits = session(FakeX(body), accounts=ACCOUNTS[:1], stop=stop)
    await limits.record("a0", "UserByScreenName", remaining=0, reset_at=time.time() + 600)
    task = asyncio.create_task(s.fetch("UserByScreenName", VARS))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    stop.set()
    with pytest.raises(Stopped):
        await task
    assert time.monotonic() - started < 0.5


async def test_transient_failures_move_to_another_proxy(body):
    fake = FakeX(body, {"http://127.0.0.1:9001": [(503, {})]})
    s, _ = session(fake, proxies=PROXIES)
    page = await s.fetch("UserByScreenName", VARS)
    assert len(page.items) == 1
    assert [p for _, p in fake.seen] == ["http://127.0.0.1:9001", "http://127.0.0.1:9002"]
    await s.aclose()


async def test_transient_failures_are_bounded(body):
    fake = FakeX(body, {"tok0": [(502, {})] * 10})
    s, _ = session(fake, accounts=ACCOUNTS[:1], max_transient_attempts=3)
    with pytest.raises(e.Transient):
        await s.fetch("UserByScreenName", VARS)
    assert len(fake.seen) == 3


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_suspended_or_locked_accounts_are_released_and_rotated(body, status):
    fake = FakeX(body, {"tok0": [(status, {})]})
    s, _ = session(fake)
    await s.fetch("UserByScreenName", VARS)
    await s.fetch("UserByScreenName", VARS)
    assert [t for t, _ in fake.seen] == ["tok0", "tok1", "tok1"]
    await s.aclose()


async def test_a_pinned_account_is_used_and_its_failure_is_final(body):
    fake = FakeX(body, {"tok2": [(200, {}), (401, {})]})
    s, _ = session(fake, pinned_account_id="a2")
    await s.fetch("UserByScreenName", VARS)
    with pytest.raises(e.AuthFailed):
        await s.fetch("UserByScreenName", VARS)
    assert [t for t, _ in fake.seen] == ["tok2", "tok2"]


async def test_unknown_pinned_account_or_proxy_is_a_bad_request(body):
    s, _ = session(FakeX(body), pinned_account_id="nope")
    with pytest.raises(e.BadRequest):
        await s.fetch("UserByScreenName", VARS)
    s, _ = session(FakeX(body), proxies=PROXIES, pinned_proxy_id="p9")
    with pytest.raises(e.BadRequest):
        await s.fetch("UserByScreenName", VARS)


async def test_target_errors_fail_the_task_without_rotation(raw):
    fake = FakeX(raw("FxEmbed/UserByScreenName/testsuspendeduser.json"))
    s, _ = session(fake)
    with pytest.raises(e.TargetSuspended):
        await s.fetch("UserByScreenName", VARS)
    assert len(fake.seen) == 1


async def test_collect_runs_on_the_session(raw):
    pages = {"UserByScreenName": raw("twscrape/raw_user_by_login.json"),
             "UserTweets": raw("twscrape/raw_user_tweets.json")}

    def transport(proxy_url):
        def handler(request):
            op = request.url.path.rsplit("/", 1)[-1]
            return httpx.Response(200, content=pages[op])
        return httpx.MockTransport(handler)

    client = XClient(load_operations(env={}), base_url="http://sandbox.test/graphql",
                     transport_factory=transport)
    s = XSession(client, StaticAccountPool(ACCOUNTS), StaticProxyPool(), MemoryRateLimitStore())
    got = [p async for p in collect("USER_TWEETS", {"username": "XDevelopers", "limit": 10}, s)]
    assert got[-1].total == 10 and got[-1].stop_reason == "limit"
    await s.aclose()
    await client.aclose()


class FlakyAccounts(StaticAccountPool):
    """A static pool whose service fails: ``lease_errors`` leases, then every release."""

    def __init__(self, accounts, lease_errors: int = 0, release_fails: bool = False) -> None:
        super().__init__(accounts)
        self.lease_errors = lease_errors
        self.release_fails = release_fails

    async def lease(self, operation, pinned_id=None, *, exclude=()):
        if self.lease_errors > 0:
            self.lease_errors -= 1
            raise AccountServiceError("account service answered 503: down")
        return await super().lease(operation, pinned_id, exclude=exclude)

    async def release(self, lease_id, outcome):
        if self.release_fails:
            raise AccountServiceError("account service unreachable")
        return await super().release(lease_id, outcome)


async def test_an_account_service_failure_is_a_retryable_error_not_a_crash(body):
    fake = FakeX(body)
    client = XClient(load_operations(env={}), base_url="http://sandbox.test/graphql",
                     transport_factory=fake.transport, sleep=no_sleep, max_retries=0)
    s = XSession(client, FlakyAccounts(ACCOUNTS, lease_errors=1), StaticProxyPool([]), MemoryRateLimitStore())
    with pytest.raises(e.LeaseServiceUnavailable) as failed:
        await s.acquire("UserByScreenName")
    assert failed.value.retryable and "503" in failed.value.message
    assert (await s.acquire("UserByScreenName"))[0] == "a0"  # the next attempt gets through


async def test_a_failed_account_release_still_releases_the_proxy(body):
    released: list[str] = []

    class Proxies(StaticProxyPool):
        async def release(self, lease_id, outcome, detail=None):
            released.append(outcome)
            return await super().release(lease_id, outcome, detail)

    fake = FakeX(body)
    client = XClient(load_operations(env={}), base_url="http://sandbox.test/graphql",
                     transport_factory=fake.transport, sleep=no_sleep, max_retries=0)
    s = XSession(client, FlakyAccounts(ACCOUNTS, release_fails=True), Proxies(PROXIES), MemoryRateLimitStore())
    await s.acquire("UserByScreenName")
    await s.aclose()  # must not raise: the account lease expires on its own
    assert released == ["ok"] and s.account_id is None


async def test_a_task_pinned_to_a_busy_account_waits_for_it_not_for_the_pool(body):
    waits = []

    async def on_wait(info):
        waits.append(info)

    s, limits = session(FakeX(body), pinned_account_id="a0", on_wait=on_wait, deadline=time.time() + 60)
    await limits.record("a0", "UserByScreenName", remaining=0, reset_at=time.time() + 0.3)
    await s.fetch("UserByScreenName", VARS)
    assert waits and {w.reason for w in waits} == {"pinned_account_busy"}  # no accounts.exhausted alert
    await s.aclose()
