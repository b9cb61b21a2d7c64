"""The webhook sender: POSTs due deliveries, signed, and retries failures with backoff.

Each round claims up to ``batch`` due deliveries in one short statement (``FOR UPDATE SKIP
LOCKED``, so any number of senders share the queue) and leases them: ``attempts`` goes up and
``next_attempt_at`` moves ``lease`` seconds ahead. The POSTs then run with no transaction open;
each outcome is recorded only if the delivery is still at the attempt this sender claimed. A
sender that dies mid-POST leaves its deliveries to be claimed again when the lease runs out:
delivery is at least once, and receivers drop duplicates on ``X-XGet-Delivery``.

A 2xx answer is success. Anything else (another status, a timeout, a refused connection, a host
that resolves to a private address when those are not allowed) is retried after
``backoff(attempts)`` until ``max_attempts`` attempts were made; then the delivery is ``failed``.
Redirects are not followed (a 3xx is a failure): a redirect could point anywhere. When private
targets are not allowed, the POST goes to the address that was checked, not to the name again
(see :func:`pinned`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from xget import __version__
from xget.aio import sleep_or_stop, until_first
from xget.alerts.signing import signature_header
from xget.alerts.urls import IPAddress, UnsafeTarget, literal_ip, resolve_public
from xget.observability.metrics import WEBHOOK_ATTEMPTS
from xget.outages import OUTAGES

log = logging.getLogger("xget.alerts")

USER_AGENT = f"XGet-Webhooks/{__version__}"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry number ``n`` (after ``n`` failed attempts): ``base * 2**(n-1)`` seconds,
    at most ``cap``, times a random factor in [1 - jitter, 1 + jitter] so that deliveries failed
    together do not come back together. Defaults: 30 s, 1 min, 2 min, ... 32 min, then 1 h;
    8 attempts span about an hour of receiver downtime."""

    base: float = 30.0
    cap: float = 3600.0
    jitter: float = 0.2
    max_attempts: int = 8

    def nominal(self, attempts: int) -> float:
        """Delay without jitter after ``attempts`` failed attempts (``attempts`` >= 1)."""
        return min(self.cap, self.base * 2 ** max(0, attempts - 1))

    def delay(self, attempts: int, rand: float | None = None) -> float:
        """Delay with jitter; ``rand`` in [0, 1) replaces the random draw (tests)."""
        r = random.random() if rand is None else rand
        return self.nominal(attempts) * (1 - self.jitter + 2 * self.jitter * r)

    def gives_up(self, attempts: int) -> bool:
        """Whether a delivery that failed ``attempts`` times is failed for good."""
        return attempts >= self.max_attempts


_CLAIM = """
WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d
SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $2)
FROM due, webhooks w
WHERE d.id = due.id AND w.id = d.webhook_id
RETURNING d.id::text AS id, d.webhook_id::text AS webhook_id, d.event, d.payload::text AS body, d.attempts,
          w.url, w.secret
"""


def redact(url: str) -> str:
    """``url`` without credentials, query or fragment (for logs: those may carry tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def pinned(url: httpx.URL, address: IPAddress) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The request for ``url`` sent to ``address``, which its host resolved to when checked: the
    URL with the address as host, plus the ``Host`` header and (https) the TLS server name of the
    original host, so the receiver routes and the certificate is verified for the name. Letting
    httpx resolve the name again would let DNS answer differently than for the check (rebinding).

    Pinned https requests ask for ``Connection: close``: the connection pool keys connections by
    the address, and a connection verified for one name must not carry a request for another."""
    target = url.copy_with(host=str(address))
    headers = {"Host": url.netloc.decode("ascii")}
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.raw_host.decode("ascii")
        headers["Connection"] = "close"
    return target, headers, extensions


class WebhookSender:
    """Sends due webhook deliveries until stopped."""

    def __init__(self, pool: asyncpg.Pool, *, allow_private: bool, notifier: Any = None,
                 backoff: Backoff | None = None, batch: int = 20, lease: float = 60.0, timeout: float = 10.0,
                 poll_interval: float = 1.0, client: httpx.AsyncClient | None = None) -> None:
        self._pool = pool
        self._allow_private = allow_private
        self._backoff = backoff or Backoff()
        self._batch = batch
        self._lease = lease
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._client = client
        self._wake = asyncio.Event()
        if notifier is not None:
            from xget.bootstrap import PROJECTIONS_CHANNEL

            # The runner announces every committed alerts batch ("alerts:<position>"): new
            # deliveries may be due. Polling covers the rest (retries, a lost listener).
            notifier.on(PROJECTIONS_CHANNEL, self._on_progress)

    @classmethod
    def for_container(cls, container: Any) -> "WebhookSender":
        """The sender of a process, from its composition root (``xget projector``)."""
        return cls(container.pool, allow_private=container.settings.allow_private_webhooks,
                   notifier=container.notifier)

    def _on_progress(self, payload: str) -> None:
        if payload.startswith("alerts:"):
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send due deliveries until ``stop`` is set; waits out database outages."""
        own = self._client is None
        client = self._client or httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout, connect=min(5.0, self._timeout)), follow_redirects=False,
        )
        log.info("webhook sender running")
        try:
            while not stop.is_set():
                # Cleared before the claim, not after it: a delivery announced while the claim
                # runs keeps the flag set, so the sleep below returns at once.
                self._wake.clear()
                try:
                    sent = await self.send_due(client)
                except OUTAGES as exc:
                    log.warning("webhook sender: %s (%s); retrying in 1s", type(exc).__name__, exc)
                    if await sleep_or_stop(stop, 1.0):
                        return
                    continue
                except Exception:  # noqa: BLE001 - a bug here must not take the projections down with it
                    log.exception("webhook sender failed; retrying in 5s")
                    if await sleep_or_stop(stop, 5.0):
                        return
                    continue
                if sent:
                    continue
                await until_first(stop, sleep_or_stop(self._wake, self._poll_interval))
        finally:
            if own:
                await client.aclose()

    async def send_due(self, client: httpx.AsyncClient) -> int:
        """Claim the due deliveries and attempt each once; returns how many were attempted."""
        rows = await self._pool.fetch(_CLAIM, self._batch, self._lease)
        if rows:
            await asyncio.gather(*(self._attempt(client, row) for row in rows))
        return len(rows)

    async def _attempt(self, client: httpx.AsyncClient, row: asyncpg.Record) -> None:
        delivery_id, attempts, url = row["id"], row["attempts"], row["url"]
        context = {"delivery_id": delivery_id, "webhook_id": row["webhook_id"], "alert": row["event"],
                   "attempt": attempts, "url": redact(url), **_story(row["body"])}
        body = row["body"].encode()
        status: int | None = None
        error: str | None = None
        try:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-XGet-Event": row["event"],
                "X-XGet-Delivery": delivery_id,
                "X-XGet-Signature": signature_header(row["secret"], body),
            }
            target: httpx.URL | str = url
            extensions: dict[str, Any] = {}
            if not self._allow_private:
                parsed = httpx.URL(url)
                host = parsed.raw_host.decode("ascii")
                addresses = await resolve_public(host, parsed.port or (443 if parsed.scheme == "https" else 80))
                if literal_ip(host) is None:  # a name: connect to the address just checked
                    target, pin, extensions = pinned(parsed, addresses[0])
                    headers.update(pin)
            async with client.stream("POST", target, content=body, headers=headers,
                                     extensions=extensions) as response:
                status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except UnsafeTarget as exc:
            error = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable receiver must not stop the sender
            error = f"{type(exc).__name__}: {exc}"[:500] if str(exc) else type(exc).__name__
        delay: float | None = None
        if error is None:
            outcome, stored = "delivered", "delivered"
        elif self._backoff.gives_up(attempts):
            outcome, stored = "failed", "failed"
        else:
            outcome, stored, delay = "retry", "pending", self._backoff.delay(attempts)
        WEBHOOK_ATTEMPTS.labels(row["event"], outcome).inc()
        await self._record(delivery_id, attempts, stored, status, error, delay)
        if outcome == "delivered":
            log.info("webhook delivery %s (%s) attempt %d: delivered (HTTP %s)", delivery_id, row["event"], attempts,
                     status, extra={**context, "http_status": status, "outcome": "delivered"})
        elif outcome == "failed":
            log.warning("webhook delivery %s (%s) attempt %d: %s; giving up", delivery_id, row["event"], attempts,
                        error, extra={**context, "http_status": status, "outcome": "failed", "error": error})
        else:
            log.warning("webhook delivery %s (%s) attempt %d: %s; retrying in %.1fs", delivery_id, row["event"],
                        attempts, error, delay,
                        extra={**context, "http_status": status, "outcome": "retry", "error": error,
                               "retry_in": round(delay, 3)})

    async def _record(self, delivery_id: str, attempts: int, status: str, http_status: int | None,
                      error: str | None, delay: float | None = None) -> None:
        """Store an attempt's outcome, unless another sender claimed the delivery since (its
        lease ran out while this attempt hung): then that sender's outcome counts."""
        await self._pool.execute(
            "UPDATE webhook_deliveries SET status = $3, last_status = $4, last_error = $5, "
            "delivered_at = CASE WHEN $3 = 'delivered' THEN now() END, "
            "next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + make_interval(secs => $6) END "
            "WHERE id = $1::uuid AND attempts = $2",
            delivery_id, attempts, status, http_status, error, delay or 0.0,
        )


def _story(body: str) -> dict[str, Any]:
    """The correlation and task ids of an alert's payload, so a delivery's log lines show up when
    one task's story is filtered by either."""
    try:
        payload = json.loads(body)
    except ValueError:
        return {}
    source, data = payload.get("source") or {}, payload.get("data") or {}
    return {k: v for k, v in (("correlation_id", source.get("correlation_id")),
                              ("task_id", data.get("task_id"))) if v}
