-- Plans (Kế hoạch), their preparation tasks, and the planning outbox.
CREATE SCHEMA planning;
GRANT USAGE ON SCHEMA planning TO dialogue_planning;

-- The plan document is kept whole as proto3 JSON in `body`; the columns beside it are
-- what queries filter and sort on, and are the truth for state and versions.
CREATE TABLE planning.plans (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  title text NOT NULL,
  state text NOT NULL CHECK (state IN ('DRAFT', 'APPROVED', 'PUBLISHED', 'CLOSED', 'CANCELLED',
                                       'SUPERSEDED')),
  revision integer NOT NULL DEFAULT 1,
  revises uuid,
  superseded_by uuid,
  cancel_reason text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  body jsonb NOT NULL,
  request_id text,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  approve_time timestamptz,
  publish_time timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, request_id),
  FOREIGN KEY (tenant_id, revises) REFERENCES planning.plans (tenant_id, id)
);
CREATE INDEX plans_by_year ON planning.plans (tenant_id, year, id);

-- One row a preparation task, projected from the plan body when the plan is written, so
-- that tasks due soon or overdue are found across plans without reading documents.
CREATE TABLE planning.plan_tasks (
  tenant_id text NOT NULL,
  plan_id uuid NOT NULL,
  task_id text NOT NULL,
  due_date date,
  done boolean NOT NULL DEFAULT false,
  task jsonb NOT NULL,
  PRIMARY KEY (tenant_id, plan_id, task_id),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES planning.plans (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_tasks_open_by_due ON planning.plan_tasks (tenant_id, due_date) WHERE NOT done;

-- Events written in the same transaction as the change that causes them; a relay
-- publishes them to Redis Streams and sets sent_time.
CREATE TABLE planning.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unsent ON planning.outbox (id) WHERE sent_time IS NULL;

-- Row Level Security: a transaction sees the rows of app.tenant_id and reads those of
-- app.read_tenants (province readers); it writes only those of app.tenant_id.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['plans', 'plan_tasks', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE planning.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE planning.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON planning.%I FOR SELECT USING (
        tenant_id = current_setting('app.tenant_id', true)
        OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')))$p$,
      t || '_read', t);
    EXECUTE format($p$CREATE POLICY %I ON planning.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$,
      t || '_write', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON planning.plans, planning.plan_tasks TO dialogue_planning;
GRANT SELECT, INSERT ON planning.outbox TO dialogue_planning;
