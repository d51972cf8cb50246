-- The relay is woken by an insert that added rows, not by every INSERT statement. A
-- statement-level trigger fires also for an INSERT of no rows, and a request's audit note
-- is such an insert in every transaction that only read: each staff read woke its
-- service's relay, which then polled the outbox for nothing.
--   tenancy.wake_relay_on_rows(schema): <schema>.outbox's trigger, NOTIFY <schema>_outbox
--     at commit when the statement added rows (libs/events).
CREATE FUNCTION tenancy.wake_relay_on_rows(schema_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($f$CREATE OR REPLACE FUNCTION %I.outbox_notify() RETURNS trigger
      LANGUAGE plpgsql AS $b$
      BEGIN
        IF EXISTS (SELECT 1 FROM added) THEN
          PERFORM pg_notify(%L, '');
        END IF;
        RETURN NULL;
      END $b$ $f$, schema_name, schema_name || '_outbox');
  EXECUTE format('DROP TRIGGER IF EXISTS outbox_notify ON %I.outbox', schema_name);
  EXECUTE format('CREATE TRIGGER outbox_notify AFTER INSERT ON %I.outbox'
                 ' REFERENCING NEW TABLE AS added'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION %I.outbox_notify()', schema_name, schema_name);
END $$;

-- For the services whose migrations run after this one.
CREATE OR REPLACE FUNCTION tenancy.relay_outbox(schema_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($p$CREATE POLICY outbox_relay ON %I.outbox FOR ALL
      USING (current_setting('app.outbox_relay', true) = 'on')
      WITH CHECK (current_setting('app.outbox_relay', true) = 'on')$p$, schema_name);
  PERFORM tenancy.wake_relay_on_rows(schema_name);
END $$;

REVOKE ALL ON FUNCTION tenancy.wake_relay_on_rows(text) FROM PUBLIC;
SELECT tenancy.wake_relay_on_rows('planning');
