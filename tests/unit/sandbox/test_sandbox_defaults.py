"""The sandbox is the engine's default when no real X is configured; configuration switches."""

from __future__ import annotations

from xget.accounts.http import HttpAccountService
from xget.accounts.static import StaticAccountPool
from xget.proxies.http import HttpProxyService
from xget.sandbox.defaults import engine_env, uses_sandbox
from xget.x.runtime import XRuntime


async def test_with_nothing_configured_the_runtime_points_at_the_sandbox():
    rt = XRuntime.from_env({})
    assert rt.client.base_url == "http://127.0.0.1:8010/i/api/graphql"
    assert isinstance(rt.accounts, HttpAccountService) and rt.accounts._base == "http://127.0.0.1:8011"
    assert isinstance(rt.proxies, HttpProxyService) and rt.proxies._base == "http://127.0.0.1:8012"
    await rt.aclose()


async def test_sandbox_ports_and_host_follow_their_variables():
    env = engine_env({"XGET_SANDBOX_HOST": "10.0.0.2", "XGET_SANDBOX_X_PORT": "9010",
                      "XGET_SANDBOX_ACCOUNTS_PORT": "9011", "XGET_SANDBOX_PROXIES_PORT": "9012"})
    assert env["XGET_X_BASE_URL"] == "http://10.0.0.2:9010/i/api/graphql"
    assert env["ACCOUNT_SERVICE_URL"] == "http://10.0.0.2:9011"
    assert env["PROXY_SERVICE_URL"] == "http://10.0.0.2:9012"


async def test_an_account_service_switches_to_real_x():
    rt = XRuntime.from_env({"ACCOUNT_SERVICE_URL": "https://accounts.example.com"})
    assert rt.client.base_url == "https://x.com/i/api/graphql"
    await rt.aclose()


async def test_an_accounts_file_switches_to_real_x_and_keeps_its_proxies(tmp_path):
    accounts = tmp_path / "accounts.json"
    accounts.write_text('{"accounts": [{"id": "a", "auth_token": "t", "ct0": "c"}]}')
    rt = XRuntime.from_env({"XGET_ACCOUNTS_FILE": str(accounts)})
    assert rt.client.base_url == "https://x.com/i/api/graphql"
    assert isinstance(rt.accounts, StaticAccountPool)
    await rt.aclose()


def test_a_configured_proxy_source_is_kept_with_the_sandbox():
    assert engine_env({"XGET_PROXIES_FILE": "/p.json"}).get("PROXY_SERVICE_URL") is None
    assert engine_env({"PROXY_SERVICE_URL": "http://p:1"})["PROXY_SERVICE_URL"] == "http://p:1"


def test_the_sandbox_default_can_be_switched_off():
    assert not uses_sandbox({"XGET_SANDBOX": "off"})
    assert engine_env({"XGET_SANDBOX": "off"}) == {"XGET_SANDBOX": "off"}
    assert uses_sandbox({"ACCOUNT_SERVICE_URL": ""})
