"""The static account pool: leasing, pinning, cooldowns and disabled accounts."""

from __future__ import annotations

import json

import pytest

from xget.accounts.factory import account_port_from_env
from xget.accounts.http import HttpAccountService
from xget.accounts.port import AccountNotFound, AccountOutcome, AccountUnavailable
from xget.accounts.static import StaticAccountPool

ACCOUNTS = [{"id": f"a{i}", "auth_token": f"tok{i}", "ct0": f"ct{i}"} for i in range(3)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_each_account_is_leased_to_one_holder_at_a_time():
    pool = StaticAccountPool(ACCOUNTS)
    leases = [await pool.lease("UserTweets") for _ in range(3)]
    assert sorted(lease.account_id for lease in leases) == ["a0", "a1", "a2"]
    with pytest.raises(AccountUnavailable):
        await pool.lease("UserTweets")
    await pool.release(leases[0].lease_id, AccountOutcome.ok())
    assert (await pool.lease("UserTweets")).account_id == leases[0].account_id


async def test_a_pinned_account_is_honoured():
    pool = StaticAccountPool(ACCOUNTS)
    lease = await pool.lease("SearchTimeline", pinned_id="a2")
    assert lease.account_id == "a2"
    assert (lease.credentials.auth_token, lease.credentials.ct0) == ("tok2", "ct2")
    with pytest.raises(AccountUnavailable):
        await pool.lease("SearchTimeline", pinned_id="a2")
    with pytest.raises(AccountNotFound):
        await pool.lease("SearchTimeline", pinned_id="nope")


async def test_rate_limited_accounts_cool_down_per_operation():
    clock = Clock()
    pool = StaticAccountPool(ACCOUNTS[:1], clock=clock)
    lease = await pool.lease("UserTweets")
    await pool.release(lease.lease_id, AccountOutcome.rate_limited(1060.0, "UserTweets"))
    with pytest.raises(AccountUnavailable) as err:
        await pool.lease("UserTweets")
    assert err.value.retry_after == pytest.approx(60.0)
    other = await pool.lease("Followers")  # another operation's window is separate
    await pool.release(other.lease_id, AccountOutcome.ok())
    clock.now = 1061.0
    assert (await pool.lease("UserTweets")).account_id == "a0"


@pytest.mark.parametrize("outcome", [AccountOutcome.banned(), AccountOutcome.locked(),
                                     AccountOutcome.auth_failed()])
async def test_banned_locked_and_refused_accounts_leave_the_pool(outcome):
    pool = StaticAccountPool(ACCOUNTS[:1])
    lease = await pool.lease("UserTweets")
    await pool.release(lease.lease_id, outcome)
    with pytest.raises(AccountUnavailable) as err:
        await pool.lease("UserTweets")
    assert err.value.retry_after is None


async def test_exclusions_are_respected_and_releasing_twice_is_harmless():
    pool = StaticAccountPool(ACCOUNTS)
    lease = await pool.lease("UserTweets", exclude={"a0", "a1"})
    assert lease.account_id == "a2"
    await pool.release(lease.lease_id, AccountOutcome.ok())
    await pool.release(lease.lease_id, AccountOutcome.ok())


def test_credentials_are_not_printed():
    pool = StaticAccountPool(ACCOUNTS)
    assert "tok0" not in repr(pool._accounts["a0"].auth_token and
                              StaticAccountPool(ACCOUNTS)._lease(pool._accounts["a0"]).credentials)


def test_the_factory_reads_the_environment(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": ACCOUNTS}))
    assert isinstance(account_port_from_env({"XGET_ACCOUNTS_FILE": str(path)}), StaticAccountPool)
    assert isinstance(account_port_from_env({"ACCOUNT_SERVICE_URL": "http://127.0.0.1:1",
                                             "XGET_ACCOUNTS_FILE": str(path)}), HttpAccountService)
    with pytest.raises(RuntimeError):
        account_port_from_env({})
