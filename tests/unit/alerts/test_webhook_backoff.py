"""The retry schedule of webhook deliveries."""

from __future__ import annotations

from xget.alerts.sender import Backoff, redact


def test_the_default_schedule_doubles_from_30s_up_to_an_hour_and_gives_up_after_8_attempts() -> None:
    backoff = Backoff()
    assert [backoff.nominal(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert sum(backoff.nominal(n) for n in range(1, 8)) == 3810  # about an hour of retries
    assert not backoff.gives_up(7) and backoff.gives_up(8)


def test_jitter_stays_within_20_percent() -> None:
    backoff = Backoff()
    assert backoff.delay(3, rand=0.0) == 120 * 0.8
    assert backoff.delay(3, rand=0.5) == 120
    assert abs(backoff.delay(3, rand=0.999999) - 120 * 1.2) < 1e-3
    assert all(96 <= backoff.delay(3) <= 144 for _ in range(1000))


def test_the_cap_holds_for_large_attempt_counts() -> None:
    assert Backoff().nominal(60) == 3600
    assert Backoff(base=0.1, cap=1.0).nominal(10) == 1.0


def test_logged_urls_lose_credentials_query_and_fragment() -> None:
    assert redact("https://user:pw@hooks.example.com:8443/x/y?token=abc#f") == "https://hooks.example.com:8443/x/y"
    assert redact("http://[::1]/hook?k=v") == "http://[::1]/hook"


def test_delivery_log_lines_carry_the_tasks_correlation_id() -> None:
    from xget.alerts.sender import _story

    body = '{"data": {"task_id": "t1"}, "source": {"correlation_id": "c1", "type": "ExecutionFailed"}}'
    assert _story(body) == {"correlation_id": "c1", "task_id": "t1"}
    assert _story("not json") == {} and _story('{"data": {}}') == {}
