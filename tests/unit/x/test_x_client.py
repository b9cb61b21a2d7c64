"""The GraphQL client against an in-process X (httpx MockTransport serving recorded bodies)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from xget.accounts.port import Credentials
from xget.x import errors as e
from xget.x.client import XClient, parse_rate_limit_headers
from xget.x.operations import load_operations

CREDS = Credentials(auth_token="AUTH", ct0="CT0")
LIMITS = {"x-rate-limit-limit": "50", "x-rate-limit-remaining": "49",
          "x-rate-limit-reset": "1785542400"}


class FakeX:
    """Answers with queued (status, body, headers) and records requests and proxies."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.proxies: list[str | None] = []

    def transport(self, proxy_url):
        self.proxies.append(proxy_url)

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            status, body, headers = answer
            return httpx.Response(status, content=body, headers=headers)

        return httpx.MockTransport(handler)


async def no_sleep(_seconds):
    return None


def make(fake: FakeX, **kw) -> XClient:
    return XClient(load_operations(env={}), base_url="http://sandbox.test/graphql",
                   transport_factory=fake.transport, sleep=no_sleep, **kw)


async def test_a_call_sends_the_web_client_request_and_parses_the_page(raw):
    fake = FakeX((200, raw("twscrape/raw_user_tweets.json"), LIMITS))
    client = make(fake)
    result = await client.call("UserTweets", {"userId": "2244994945", "cursor": None}, CREDS)
    assert len(result.page.items) == 21
    assert result.rate_limit.remaining == 49 and result.rate_limit.reset_at == 1785542400.0
    (req,) = fake.requests
    assert req.method == "GET"
    assert req.url.path == "/graphql/eoJ5zbv51Z_KVl81v9PmLQ/UserTweets"
    q = parse_qs(urlsplit(str(req.url)).query)
    variables = json.loads(q["variables"][0])
    assert variables["userId"] == "2244994945" and variables["count"] == 20
    assert "cursor" not in variables
    assert json.loads(q["features"][0])["longform_notetweets_consumption_enabled"] is True
    assert json.loads(q["fieldToggles"][0]) == {"withArticlePlainText": False}
    h = req.headers
    assert h["authorization"].startswith("Bearer AAAAAAAA")
    assert h["x-csrf-token"] == "CT0"
    assert h["cookie"] == "auth_token=AUTH; ct0=CT0"
    assert h["x-twitter-auth-type"] == "OAuth2Session" and h["x-twitter-active-user"] == "yes"
    assert "x-client-transaction-id" not in h
    await client.aclose()


async def test_one_pooled_client_per_proxy_and_no_cookie_kept(raw):
    body = raw("twscrape/raw_user_by_login.json")
    fake = FakeX(*[(200, body, {"set-cookie": "ct0=LEAK; Domain=sandbox.test; Path=/"})] * 3)
    client = make(fake)
    await client.call("UserByScreenName", {"screen_name": "x"}, CREDS, proxy_url="http://p1")
    other = Credentials(auth_token="A2", ct0="C2", bearer_token="B2", user_agent="UA2")
    await client.call("UserByScreenName", {"screen_name": "x"}, other, proxy_url="http://p1")
    await client.call("UserByScreenName", {"screen_name": "x"}, CREDS, proxy_url="http://p2")
    assert fake.proxies == ["http://p1", "http://p2"]
    h = fake.requests[1].headers
    assert h["cookie"] == "auth_token=A2; ct0=C2"
    assert (h["authorization"], h["user-agent"]) == ("Bearer B2", "UA2")
    await client.aclose()


@pytest.mark.parametrize(("status", "body", "cls"), [
    (429, b"", e.RateLimited),
    (200, b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}', e.RateLimited),
    (401, b"", e.AuthFailed),
    (403, b'{"errors":[{"code":32,"message":"Could not authenticate you."}]}', e.AuthFailed),
    (403, b'{"errors":[{"code":64,"message":"Your account is suspended"}]}', e.AccountSuspended),
    (403, b'{"errors":[{"code":326,"message":"To protect our users from spam..."}]}',
     e.AccountLocked),
    (200, b'{"data":{"user":{"result":{"__typename":"UserUnavailable","reason":"Suspended"}}}}',
     e.TargetSuspended),
    (400, b"bad", e.UnexpectedResponse),
])
async def test_statuses_and_x_codes_become_typed_errors(status, body, cls):
    client = make(FakeX((status, body, LIMITS)))
    with pytest.raises(cls) as err:
        await client.call("UserByScreenName", {"screen_name": "x"}, CREDS)
    assert err.value.rate_limit.remaining == 49
    if cls is e.RateLimited:
        assert err.value.reset_at == 1785542400.0
    await client.aclose()


async def test_transient_failures_are_retried_then_raised():
    req = httpx.Request("GET", "http://sandbox.test")
    fake = FakeX((503, b"", {}), httpx.ConnectTimeout("slow", request=req),
                 httpx.ProxyError("proxy down", request=req))
    client = make(fake, max_retries=2)
    with pytest.raises(e.Transient):
        await client.call("UserByScreenName", {"screen_name": "x"}, CREDS)
    assert len(fake.requests) == 3
    await client.aclose()


async def test_a_transient_failure_then_success(raw):
    fake = FakeX((502, b"", {}), (200, raw("twscrape/raw_user_by_login.json"), {}))
    client = make(fake)
    result = await client.call("UserByScreenName", {"screen_name": "x"}, CREDS)
    assert result.page.items[0].screen_name == "XDevelopers" and result.rate_limit is None
    await client.aclose()


class CountingTxid:
    def __init__(self) -> None:
        self.refreshes = 0

    async def get(self, method, path):
        return f"txid-{self.refreshes}-{method}-{path}"

    async def refresh(self):
        self.refreshes += 1


async def test_404_refreshes_the_transaction_id_once_then_names_the_config(raw):
    txid = CountingTxid()
    fake = FakeX((404, b"", {}), (404, b"", {}))
    client = make(fake, txid=txid)
    with pytest.raises(e.OperationOutdated) as err:
        await client.call("SearchTimeline", {"rawQuery": "x"}, CREDS)
    assert txid.refreshes == 1
    assert "SearchTimeline" in str(err.value) and "operations.json" in str(err.value)
    assert fake.requests[0].headers["x-client-transaction-id"] == \
        "txid-0-GET-/graphql/BGd0T_j7oVwlW5U79tO_0A/SearchTimeline"
    assert fake.requests[1].headers["x-client-transaction-id"].startswith("txid-1-")
    fake = FakeX((404, b"", {}), (200, raw("twscrape/raw_search.json"), {}))
    ok = make(fake, txid=CountingTxid())
    assert len((await ok.call("SearchTimeline", {"rawQuery": "x"}, CREDS)).page.items) == 20
    await client.aclose()
    await ok.aclose()


def test_rate_limit_headers():
    assert parse_rate_limit_headers({}) is None
    info = parse_rate_limit_headers({"x-rate-limit-remaining": "0", "x-rate-limit-reset": "x"})
    assert (info.remaining, info.reset_at, info.limit) == (0, None, None)


def test_operations_override_file(tmp_path):
    path = tmp_path / "ops.json"
    path.write_text(json.dumps({"base_url": "http://sandbox:9000/graphql", "operations": {
        "UserTweets": {"query_id": "NEWID"}}}))
    reg = load_operations(env={"XGET_X_OPERATIONS_FILE": str(path)})
    assert reg.get("UserTweets").path == "/NEWID/UserTweets"
    assert reg.get("UserTweets").variables["withV2Timeline"] is True  # untouched keys kept
    assert reg.base_url == "http://sandbox:9000/graphql"
    assert str(path) in reg.source
    with pytest.raises(KeyError, match="not configured"):
        reg.get("Nope")
