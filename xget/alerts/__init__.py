"""Alerts as webhooks: a failed task, an execution with zero results, an exhausted account pool.

- :mod:`xget.alerts.projection`: the alerts consumer of the event store; it turns source events
  into deliveries in the same transaction as its checkpoint (exactly once per source event);
- :mod:`xget.alerts.sender`: POSTs due deliveries, HMAC-signed, retried with backoff;
- :mod:`xget.alerts.store`: the webhooks and deliveries the API registers and shows;
- :mod:`xget.alerts.signing`, :mod:`xget.alerts.urls`: signatures and URL rules.

See docs/webhooks.md.
"""

from enum import Enum

from xget.alerts.signing import sign, signature_header, verify_signature


class AlertEvent(str, Enum):
    """An alert a webhook can subscribe to."""

    task_failed = "task.failed"
    execution_empty = "execution.empty"
    accounts_exhausted = "accounts.exhausted"


ALERT_EVENTS: tuple[str, ...] = tuple(e.value for e in AlertEvent)
"""Every alert a webhook can subscribe to (all of them when it names none)."""

__all__ = ["ALERT_EVENTS", "AlertEvent", "sign", "signature_header", "verify_signature"]
