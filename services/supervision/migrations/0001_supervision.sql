-- Supervision: the commitments that conferences concluded, their history (every change,
-- check and petitioner's feedback), the petitioners' feedback, what supervision knows of
-- plans and conferences (from events), the sweep's reminders, tallies that keep the
-- province report small, the processed events and the outbox.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_supervision') THEN
    CREATE ROLE dialogue_supervision LOGIN;
  END IF;
END $$;
GRANT dialogue_service TO dialogue_supervision;

CREATE SCHEMA supervision;
GRANT USAGE ON SCHEMA supervision TO dialogue_supervision;

CREATE TABLE supervision.commitments (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  session text NOT NULL,
  item_id text NOT NULL,
  year int NOT NULL,  -- of the conference
  conference_date date NOT NULL,
  agency text NOT NULL,
  due_date date,
  report_due_date date NOT NULL,
  report_due_final boolean NOT NULL DEFAULT false,
  state text NOT NULL,
  resolve_date date,
  resolved_on_time boolean,
  reopen_requested boolean NOT NULL DEFAULT false,
  opinions text[] NOT NULL DEFAULT '{}',
  -- summary, action, session title, reason and counts, as the Commitment's proto3 JSON
  doc jsonb NOT NULL,
  version int NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- one commitment per conclusion item, however often its event is delivered
  UNIQUE (tenant_id, session, item_id)
);
CREATE INDEX commitments_by_year ON supervision.commitments (tenant_id, year, state);
CREATE INDEX commitments_open_due ON supervision.commitments (tenant_id, due_date)
  WHERE state IN ('COMMITMENT_ASSIGNED', 'COMMITMENT_REPORTED', 'COMMITMENT_IN_PROGRESS',
                  'COMMITMENT_ESCALATED');
CREATE INDEX commitments_opinions ON supervision.commitments USING gin (opinions);

CREATE TABLE supervision.changes (
  tenant_id text NOT NULL,
  commitment_id uuid NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  change jsonb NOT NULL,  -- the CommitmentChange as proto3 JSON
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, commitment_id, seq),
  FOREIGN KEY (tenant_id, commitment_id) REFERENCES supervision.commitments (tenant_id, id)
);

CREATE TABLE supervision.feedback (
  tenant_id text NOT NULL,
  commitment_id uuid NOT NULL,
  receipt_code text NOT NULL,
  satisfied boolean NOT NULL,
  reopen_requested boolean NOT NULL DEFAULT false,
  comment text NOT NULL DEFAULT '',
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, commitment_id, receipt_code),
  FOREIGN KEY (tenant_id, commitment_id) REFERENCES supervision.commitments (tenant_id, id)
);

-- Plans as published (PlanPublished): the conferences each foresees. A revision replaces
-- the plan it revises.
CREATE TABLE supervision.plans (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  plan text NOT NULL,
  year int NOT NULL,
  conferences int NOT NULL,
  replaced boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, plan)
);

-- Conferences held (SessionConcluded) and their conclusion notice (NoticeIssued).
CREATE TABLE supervision.conferences (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  session text NOT NULL,
  year int,
  conference_date date,
  title text NOT NULL DEFAULT '',
  notice_due_date date,
  notice_issue_date date,
  PRIMARY KEY (tenant_id, session)
);

-- What the sweep has already announced: one event per commitment, kind and date.
CREATE TABLE supervision.reminders (
  tenant_id text NOT NULL,
  commitment_id uuid NOT NULL,
  kind text NOT NULL,
  about date NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, commitment_id, kind, about)
);

-- Kept by the triggers below, so the province report reads a few rows per commune:
-- commitments by year, state and on-time result, and the open ones by due date (overdue
-- is counted from these against the day asked, never stored).
CREATE TABLE supervision.state_tallies (
  tenant_id text NOT NULL,
  year int NOT NULL,
  state text NOT NULL,
  on_time boolean NOT NULL,
  n int NOT NULL,
  PRIMARY KEY (tenant_id, year, state, on_time)
);
CREATE TABLE supervision.due_tallies (
  tenant_id text NOT NULL,
  year int NOT NULL,
  due_date date NOT NULL,
  n int NOT NULL,
  PRIMARY KEY (tenant_id, year, due_date)
);

CREATE FUNCTION supervision.is_open(state text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
  $f$ SELECT state IN ('COMMITMENT_ASSIGNED', 'COMMITMENT_REPORTED', 'COMMITMENT_IN_PROGRESS',
                       'COMMITMENT_ESCALATED') $f$;

-- The tallies follow every statement on commitments: the rows it removed count -1, the
-- rows it added +1, netted per key.
CREATE TYPE supervision.tally_row AS (tenant_id text, year int, state text, on_time boolean,
                                      due_date date, d int);
CREATE FUNCTION supervision.tally() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  delta supervision.tally_row[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(ROW(tenant_id, year, state, coalesce(resolved_on_time, false), due_date,
                         d)::supervision.tally_row) INTO delta
      FROM (SELECT *, -1 AS d FROM old_rows UNION ALL SELECT *, 1 FROM new_rows) r;
  ELSE
    SELECT array_agg(ROW(tenant_id, year, state, coalesce(resolved_on_time, false), due_date,
                         1)::supervision.tally_row) INTO delta FROM new_rows;
  END IF;
  INSERT INTO supervision.state_tallies AS t (tenant_id, year, state, on_time, n)
    SELECT tenant_id, year, state, on_time, sum(d) FROM unnest(delta)
    GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, year, state, on_time) DO UPDATE SET n = t.n + excluded.n;
  INSERT INTO supervision.due_tallies AS t (tenant_id, year, due_date, n)
    SELECT tenant_id, year, due_date, sum(d) FROM unnest(delta)
    WHERE supervision.is_open(state) AND due_date IS NOT NULL
    GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, year, due_date) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $f$;

CREATE TRIGGER tally_insert AFTER INSERT ON supervision.commitments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION supervision.tally();
CREATE TRIGGER tally_update AFTER UPDATE ON supervision.commitments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION supervision.tally();

CREATE TABLE supervision.processed_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  processed_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);

CREATE TABLE supervision.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unsent ON supervision.outbox (id) WHERE sent_time IS NULL;

SELECT tenancy.isolate_tenants('supervision', ARRAY['commitments', 'changes', 'feedback', 'plans',
  'conferences', 'reminders', 'state_tallies', 'due_tallies', 'processed_events', 'outbox']);
SELECT tenancy.relay_outbox('supervision');

-- The sweep reads the open commitments of every commune (app.sweep), then writes each
-- commune's reminders in that commune's own scope.
CREATE POLICY commitments_sweep ON supervision.commitments FOR SELECT
  USING (current_setting('app.sweep', true) = 'on');

GRANT SELECT, INSERT, UPDATE ON supervision.commitments, supervision.feedback,
  supervision.plans, supervision.conferences, supervision.state_tallies,
  supervision.due_tallies TO dialogue_supervision;
GRANT SELECT, INSERT ON supervision.changes, supervision.reminders,
  supervision.processed_events TO dialogue_supervision;
GRANT SELECT, INSERT, DELETE, UPDATE (sent_time) ON supervision.outbox TO dialogue_supervision;
