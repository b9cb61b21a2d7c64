-- Alerts as webhooks. A user registers a URL and a secret for some alert events; the alerts
-- consumer of the event store (xget/alerts/projection.py) turns an ExecutionFailed, an empty
-- ExecutionCompleted or an account-pool exhaustion into one delivery per matching webhook, in the
-- same transaction as its checkpoint; the sender POSTs due deliveries, signed, with retries.
CREATE TABLE webhooks (
    id         uuid        PRIMARY KEY,
    user_id    text        NOT NULL,
    url        text        NOT NULL,
    secret     text        NOT NULL,
    events     text[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    active     boolean     NOT NULL DEFAULT true
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id, created_at);

-- One row per (webhook, alert): its id is the delivery id receivers deduplicate on. The dedupe key
-- (the execution id) makes a replayed source event, or a second source of the same alert, insert
-- nothing.
CREATE TABLE webhook_deliveries (
    id              uuid        PRIMARY KEY,
    webhook_id      uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           text        NOT NULL,
    dedupe_key      text        NOT NULL,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz DEFAULT now(),
    last_attempt_at timestamptz,
    last_error      text,
    last_status     integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (webhook_id, event, dedupe_key)
);
-- The sender's queue: due pending deliveries.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- A webhook's recent deliveries (the API).
CREATE INDEX webhook_deliveries_recent_idx ON webhook_deliveries (webhook_id, created_at DESC);

-- The alerts consumer starts at the current head: an existing event store must not fire alerts
-- for what happened before webhooks existed. (The projector does the same if the row is missing.)
INSERT INTO checkpoints (name, position) SELECT 'alerts', position FROM event_head
ON CONFLICT (name) DO NOTHING;
