-- The event store: the system of record. Append-only; positions are global, gap-free and
-- committed in order (see xget_append), so a tailing reader can trust "position > last seen".

CREATE TABLE events (
    position       bigint      PRIMARY KEY,
    stream_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version > 0),
    event_id       uuid        NOT NULL UNIQUE,
    type           text        NOT NULL,
    schema_version smallint    NOT NULL,
    routing_key    text        NOT NULL,
    data           json        NOT NULL,
    metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

CREATE INDEX events_routing_key_idx ON events (routing_key, position);

-- One row whose lock serializes appends. It is held from the first append of a transaction until
-- its commit, so position p is only handed out after every position below p has committed or
-- rolled back (a rollback also rolls the head back: no gaps).
CREATE TABLE event_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO event_head (singleton, position) VALUES (true, 0);

-- Append events to one stream, checking its version first (NULL expected = any version).
-- One round trip per append; raises SQLSTATE XG001 with the current version in DETAIL on a
-- version conflict. Returns the position of the last appended event.
CREATE FUNCTION xget_append(
    p_stream          text,
    p_expected        integer,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions smallint[],
    p_routing_keys    text[],
    p_data            json[],
    p_metadata        jsonb[],
    p_occurred_at     timestamptz[]
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_n       integer := cardinality(p_event_ids);
    v_head    bigint;
    v_current integer;
BEGIN
    UPDATE event_head SET position = position + v_n WHERE singleton RETURNING position INTO v_head;
    SELECT coalesce(max(version), 0) INTO v_current FROM events WHERE stream_id = p_stream;
    IF p_expected IS NOT NULL AND v_current <> p_expected THEN
        RAISE EXCEPTION 'stream % is at version %, expected %', p_stream, v_current, p_expected
            USING ERRCODE = 'XG001', DETAIL = v_current::text;
    END IF;
    INSERT INTO events (position, stream_id, version, event_id, type, schema_version, routing_key,
                        data, metadata, occurred_at)
    SELECT v_head - v_n + i, p_stream, v_current + i, p_event_ids[i], p_types[i], p_schema_versions[i],
           p_routing_keys[i], p_data[i], p_metadata[i], p_occurred_at[i]
    FROM generate_series(1, v_n) AS i;
    -- Delivered at commit only; tailing readers wake up instead of polling.
    PERFORM pg_notify('xget_events', v_head::text);
    RETURN v_head;
END;
$$;
