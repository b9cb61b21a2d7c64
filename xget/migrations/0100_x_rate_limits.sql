-- X rate-limit windows per (account, operation), from the x-rate-limit-* headers, shared by
-- every worker process so that none picks an account whose window is exhausted.
CREATE TABLE IF NOT EXISTS x_rate_limits (
    account_id  text        NOT NULL,
    operation   text        NOT NULL,
    rate_limit  integer,
    remaining   integer,
    reset_at    timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, operation)
);

-- "Which accounts are exhausted for this operation until when": the lookup before every lease.
CREATE INDEX IF NOT EXISTS x_rate_limits_exhausted
    ON x_rate_limits (operation, reset_at) WHERE remaining <= 0;
