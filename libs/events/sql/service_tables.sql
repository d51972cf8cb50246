-- What a service needs for libs/events, shown on a schema of its own: an outbox with the
-- relay's policy and NOTIFY trigger, a processed-events table for its consumers, and an
-- `effects` table standing for what a handler writes. Tests and the events benchmark
-- create it with :schema and :role replaced; a service copies the parts it needs into
-- its migrations.
DROP SCHEMA IF EXISTS :schema CASCADE;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ':role') THEN
    CREATE ROLE :role LOGIN;
  END IF;
END $$;
CREATE SCHEMA :schema;
CREATE TABLE :schema.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id));
CREATE INDEX ON :schema.outbox (id) WHERE sent_time IS NULL;
CREATE TABLE :schema.processed_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  processed_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id));
-- No unique key on the event: one applied twice would show as two rows.
CREATE TABLE :schema.effects (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  applied_by text NOT NULL);
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outbox', 'processed_events', 'effects'] LOOP
    EXECUTE format('ALTER TABLE :schema.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE :schema.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON :schema.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$, t || '_tenant', t);
  END LOOP;
END $$;
CREATE POLICY outbox_relay ON :schema.outbox FOR ALL
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
-- Only an insert that added rows wakes the relay (an INSERT of no rows fires it too).
CREATE FUNCTION :schema.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $f$
  BEGIN
    IF EXISTS (SELECT 1 FROM added) THEN PERFORM pg_notify(':schema_outbox', ''); END IF;
    RETURN NULL;
  END $f$;
CREATE TRIGGER outbox_notify AFTER INSERT ON :schema.outbox REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION :schema.outbox_notify();
GRANT USAGE ON SCHEMA :schema TO :role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :schema TO :role;
