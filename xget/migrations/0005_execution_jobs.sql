-- Executions as durable jobs with leases. The worker's Faust agent records a job when it sees
-- TaskStarted (so its Kafka offset only moves once the job is safe here); an execution runs
-- under a lease its worker renews; a lease that is not renewed (crashed worker) lets any
-- worker claim the job and resume it from the execution's last checkpointed page.
CREATE TABLE execution_jobs (
    execution_id  text        PRIMARY KEY,
    task_id       text        NOT NULL,
    started_position bigint   NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    owner         text,
    heartbeat_at  timestamptz,
    lease_until   timestamptz,
    claims        integer     NOT NULL DEFAULT 0,
    finished_at   timestamptz
);
CREATE INDEX execution_jobs_open_idx ON execution_jobs (created_at) WHERE finished_at IS NULL;

-- Appends of TaskStopped also notify 'xget_stop' with the task id: the fast stop signal a
-- running execution checks between pages (its own Kafka message may queue behind it).
CREATE OR REPLACE FUNCTION xget_append(
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
    PERFORM pg_notify('xget_events', v_head::text);
    IF 'TaskStopped' = ANY (p_types) THEN
        PERFORM pg_notify('xget_stop', p_routing_keys[1]);
    END IF;
    RETURN v_head;
END;
$$;
