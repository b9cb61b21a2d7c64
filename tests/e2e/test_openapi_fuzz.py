"""A bounded schemathesis run against the live API's own OpenAPI document: no generated input,
however malformed, produces a 5xx. Runs every operation with a fixed example budget.

(schemathesis is used as a library: its pytest plugin does not support pytest 9 yet.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 40


def test_no_generated_request_gets_a_server_error(live_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/schema/openapi.json")
    failures: list[str] = []
    operations = 0
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(checks=[not_a_server_error], timeout=30)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 10 and calls >= operations * 10, (operations, calls)
    assert not failures, "\n\n".join(failures)
