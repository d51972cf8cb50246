-- Notices, their deliveries (one per recipient and channel), each tenant's webhooks, the
-- events already applied (processed_events) and the notices outbox.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_notices') THEN
    CREATE ROLE dialogue_notices LOGIN;
  END IF;
END $$;
GRANT dialogue_service TO dialogue_notices;

CREATE SCHEMA notices;
GRANT USAGE ON SCHEMA notices TO dialogue_notices;

CREATE TABLE notices.notices (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  kind text NOT NULL,
  state text NOT NULL DEFAULT 'NOTICE_DRAFT',
  title text NOT NULL CHECK (title <> ''),
  body text NOT NULL DEFAULT '',
  -- recipients, channels, air times and warnings, as the proto3 JSON of a Notice
  parts jsonb NOT NULL DEFAULT '{}',
  place text NOT NULL DEFAULT '',
  signer text NOT NULL DEFAULT '',
  document_number text NOT NULL DEFAULT '',
  issue_date date,
  session text NOT NULL DEFAULT '',
  due_date date,
  due_explanation text NOT NULL DEFAULT '',
  source_event text,
  request_id text,
  version int NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  issue_time timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, request_id),
  -- One notice per event and kind: a redelivered event drafts nothing twice.
  UNIQUE (tenant_id, source_event, kind)
);
CREATE INDEX notices_feed ON notices.notices (tenant_id, issue_time DESC)
  WHERE state = 'NOTICE_ISSUED';
CREATE INDEX notices_due ON notices.notices (tenant_id, due_date) WHERE state = 'NOTICE_DRAFT';

CREATE TABLE notices.deliveries (
  tenant_id text NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  notice_id uuid NOT NULL,
  channel text NOT NULL,
  recipient text NOT NULL,
  contact text NOT NULL DEFAULT '',
  state text NOT NULL DEFAULT 'DELIVERY_QUEUED',
  attempts int NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT '',
  next_attempt_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, notice_id) REFERENCES notices.notices (tenant_id, id)
);
CREATE INDEX deliveries_due ON notices.deliveries (next_attempt_time)
  WHERE state = 'DELIVERY_QUEUED';

CREATE TABLE notices.webhooks (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  channel text NOT NULL,
  url text NOT NULL,
  secret text NOT NULL,
  PRIMARY KEY (tenant_id, channel)
);

CREATE TABLE notices.processed_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  processed_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);

CREATE TABLE notices.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unsent ON notices.outbox (id) WHERE sent_time IS NULL;

-- Row Level Security as in planning and intake.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notices', 'deliveries', 'webhooks', 'processed_events', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE notices.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE notices.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON notices.%I FOR SELECT USING (
        tenant_id = current_setting('app.tenant_id', true)
        OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')))$p$,
      t || '_read', t);
    EXECUTE format($p$CREATE POLICY %I ON notices.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$,
      t || '_write', t);
  END LOOP;
END $$;

-- The delivery worker sends every tenant's queued deliveries: it reads the notice and
-- the webhook of each and updates the delivery, in transactions that set
-- app.delivery_worker.
CREATE POLICY deliveries_worker ON notices.deliveries FOR ALL
  USING (current_setting('app.delivery_worker', true) = 'on')
  WITH CHECK (current_setting('app.delivery_worker', true) = 'on');
CREATE POLICY notices_worker ON notices.notices FOR SELECT
  USING (current_setting('app.delivery_worker', true) = 'on');
CREATE POLICY webhooks_worker ON notices.webhooks FOR SELECT
  USING (current_setting('app.delivery_worker', true) = 'on');

-- The outbox relay (libs/events), as in planning and intake.
CREATE POLICY outbox_relay ON notices.outbox FOR ALL
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
CREATE FUNCTION notices.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('notices_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON notices.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION notices.outbox_notify();

GRANT SELECT, INSERT, UPDATE ON notices.notices, notices.deliveries TO dialogue_notices;
GRANT SELECT, INSERT, UPDATE, DELETE ON notices.webhooks TO dialogue_notices;
GRANT SELECT, INSERT ON notices.processed_events TO dialogue_notices;
GRANT SELECT, INSERT, DELETE, UPDATE (sent_time) ON notices.outbox TO dialogue_notices;
