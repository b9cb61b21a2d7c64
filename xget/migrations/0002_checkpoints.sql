-- Checkpoints of the event store's consumers (relay, projections). A Postgres projection moves
-- its checkpoint in the same transaction as its writes; the relay after Kafka acknowledged.

CREATE TABLE checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL DEFAULT 0,
    generation integer     NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
