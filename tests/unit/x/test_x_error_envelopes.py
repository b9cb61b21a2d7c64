"""Error envelopes map to typed errors with stable codes."""

from __future__ import annotations

import pytest

from xget.x import errors as e
from xget.x.page import detect_operation, parse_page


@pytest.mark.parametrize("name", [
    "FxEmbed/SearchTimeline/blocklisted_query.json",
    "FxEmbed/SearchTimeline/empty_query_error.json",
    "FxEmbed/SearchTimeline/query_too_long_error.json",
])
def test_recorded_search_rejections_are_bad_requests(raw, name):
    with pytest.raises(e.BadRequest) as err:
        parse_page("SearchTimeline", raw(name))
    assert err.value.code == "bad_request"
    assert err.value.x_code == 214
    assert err.value.message.startswith("BadRequest: ")


@pytest.mark.parametrize(("code", "cls", "slug"), [
    (88, e.RateLimited, "rate_limited"),
    (32, e.AuthFailed, "auth_failed"),
    (64, e.AccountSuspended, "account_suspended"),
    (37, e.AccountSuspended, "account_suspended"),
    (326, e.AccountLocked, "account_locked"),
    (50, e.TargetNotFound, "target_not_found"),
    (63, e.TargetSuspended, "target_suspended"),
    (131, e.Transient, "transient"),
    (99999, e.UnexpectedResponse, "unexpected_response"),
])
def test_x_error_codes_map_to_classes(code, cls, slug):
    with pytest.raises(cls) as err:
        parse_page("UserTweets", {"errors": [{"message": "m", "code": code}], "data": {}})
    assert err.value.code == slug


def test_the_error_code_may_sit_in_extensions():
    err = e.error_from_x_errors([{"message": "m", "extensions": {"code": 88}}])
    assert isinstance(err, e.RateLimited)


def test_policy_flags_say_what_follows():
    assert e.RateLimited.retryable and e.RateLimited.blames == "account"
    assert e.Transient.retryable and e.Transient.blames == "proxy"
    assert not e.TargetSuspended.retryable and e.TargetSuspended.blames == "target"
    assert not e.OperationOutdated.retryable
    outdated = e.OperationOutdated("UserTweets", "xget/x/operations.json")
    assert "UserTweets" in str(outdated) and "operations.json" in str(outdated)


@pytest.mark.parametrize("payload", [b"", b"not json", b"[1, 2]", b'"text"', b"{}", b'{"hello": 1}'])
def test_non_x_payloads_are_refused(payload):
    with pytest.raises(e.NotXResponse):
        detect_operation(payload)
