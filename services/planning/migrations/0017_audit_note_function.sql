-- A request's audit note, as the pool sends it with every COMMIT of a signed-in request
-- (libs/db): inserted into `outbox` when the transaction has written something, at most
-- once per request (the event id is unique), and otherwise not at all. A transaction that
-- only read runs no INSERT, so no outbox trigger fires for it. It runs as its caller, under
-- the outbox's row-level security.
CREATE FUNCTION tenancy.note_audit(outbox regclass, tenant text, event uuid, event_type text,
                                   payload bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF pg_current_xact_id_if_assigned() IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('INSERT INTO %s (tenant_id, event_id, event_type, payload)'
                 ' VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING', outbox)
    USING tenant, event, event_type, payload;
END $$;
