-- API keys for XGET_AUTH_MODE=api_key. Only a SHA-256 of each key is stored; the key itself is
-- shown once, when it is created.
CREATE TABLE api_keys (
    id         text        PRIMARY KEY,
    key_hash   bytea       NOT NULL UNIQUE,
    user_id    text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('user', 'admin')),
    name       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
