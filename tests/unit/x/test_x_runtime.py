"""Wiring the engine from the environment."""

from __future__ import annotations

import json

from xget.accounts.static import StaticAccountPool
from xget.x.ratelimits import MemoryRateLimitStore
from xget.x.runtime import XRuntime


async def test_runtime_from_environment_points_at_the_configured_base_url(tmp_path):
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [{"id": "a", "auth_token": "t", "ct0": "c"}]}))
    rt = XRuntime.from_env({"XGET_X_BASE_URL": "http://127.0.0.1:8100/i/api/graphql",
                            "XGET_ACCOUNTS_FILE": str(accounts)})
    assert rt.client.base_url == "http://127.0.0.1:8100/i/api/graphql"
    assert rt.client.headers(
        (await rt.accounts.lease("UserTweets")).credentials)["origin"] == "http://127.0.0.1:8100"
    assert isinstance(rt.accounts, StaticAccountPool)
    assert isinstance(rt.limits, MemoryRateLimitStore)
    session = rt.session(pinned_account_id="a", deadline=1e12)
    assert session.pinned_account_id == "a"
    await rt.aclose()


async def test_default_base_url_is_x():
    rt = XRuntime.from_env({"ACCOUNT_SERVICE_URL": "http://127.0.0.1:1"})
    assert rt.client.base_url == "https://x.com/i/api/graphql"
    await rt.aclose()
