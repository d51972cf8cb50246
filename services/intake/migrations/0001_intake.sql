-- Opinion intake: collection rounds, opinions with their history, topics, requests for a
-- dialogue, and the intake outbox. Texts are also kept without diacritics (norm_text,
-- written by the service) so that search and duplicate detection ignore them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_intake') THEN
    CREATE ROLE dialogue_intake LOGIN;
  END IF;
END $$;
GRANT dialogue_service TO dialogue_intake;

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA intake;
GRANT USAGE ON SCHEMA intake TO dialogue_intake;

CREATE TABLE intake.rounds (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (title <> ''),
  plan text NOT NULL DEFAULT '',
  conference_id text NOT NULL DEFAULT '',
  opinion_deadline date,
  answer_due date,
  request_id text,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, request_id)
);

CREATE TABLE intake.opinions (
  tenant_id text NOT NULL,
  id uuid NOT NULL,
  round_id uuid NOT NULL,
  receipt_code text NOT NULL,
  hamlet text NOT NULL,
  channel text NOT NULL,
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
  norm_text text NOT NULL,
  submitter_name text NOT NULL DEFAULT '',
  submitter_contact text NOT NULL DEFAULT '',
  state text NOT NULL CHECK (state IN ('RECEIVED', 'CLASSIFIED', 'ASSIGNED', 'ANSWER_DRAFTED',
                                       'ANSWER_APPROVED', 'ANSWERED', 'ROUTED_ELSEWHERE',
                                       'MERGED')),
  topic text NOT NULL DEFAULT '',
  suggested_topic text NOT NULL DEFAULT '',
  suggested_individual boolean NOT NULL DEFAULT false,
  routed_to text NOT NULL DEFAULT '',
  route_reason text NOT NULL DEFAULT '',
  department text NOT NULL DEFAULT '',
  answer_due date,
  answer text NOT NULL DEFAULT '',
  return_note text NOT NULL DEFAULT '',
  merged_into uuid,
  state_before_merge text NOT NULL DEFAULT '',
  supporter_count integer NOT NULL DEFAULT 1 CHECK (supporter_count >= 1),
  created_by text NOT NULL DEFAULT '',
  request_id text,
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, receipt_code),
  UNIQUE (tenant_id, request_id),
  FOREIGN KEY (tenant_id, round_id) REFERENCES intake.rounds (tenant_id, id),
  FOREIGN KEY (tenant_id, merged_into) REFERENCES intake.opinions (tenant_id, id)
);
CREATE INDEX opinions_by_round ON intake.opinions (tenant_id, round_id, state);
CREATE INDEX opinions_due ON intake.opinions (tenant_id, answer_due)
  WHERE state IN ('ASSIGNED', 'ANSWER_DRAFTED');
CREATE INDEX opinions_merged_into ON intake.opinions (tenant_id, merged_into)
  WHERE merged_into IS NOT NULL;
CREATE INDEX opinions_norm_text ON intake.opinions USING gin (norm_text gin_trgm_ops);

-- Every change of state, with who made it and why. Receiving is the opinion's own row.
CREATE TABLE intake.opinion_history (
  tenant_id text NOT NULL,
  opinion_id uuid NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  from_state text NOT NULL,
  to_state text NOT NULL,
  actor text NOT NULL,
  note text NOT NULL DEFAULT '',
  time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, opinion_id, seq),
  FOREIGN KEY (tenant_id, opinion_id) REFERENCES intake.opinions (tenant_id, id)
);

-- The tenant's own topics; while it has none, the service uses the defaults of domain.md.
CREATE TABLE intake.topics (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  position integer NOT NULL,
  display_name text NOT NULL CHECK (display_name <> ''),
  keywords text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id)
);

-- Voters asking for an extra dialogue; one open request per voter (name, hamlet, contact).
CREATE TABLE intake.dialogue_requests (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  voter_key text NOT NULL,
  voter_name text NOT NULL,
  hamlet text NOT NULL,
  contact text NOT NULL,
  matter text NOT NULL,
  state text NOT NULL CHECK (state IN ('OPEN', 'FORWARDED', 'REJECTED')),
  reject_reason text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX dialogue_requests_one_open ON intake.dialogue_requests (tenant_id, voter_key)
  WHERE state = 'OPEN';

CREATE TABLE intake.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unsent ON intake.outbox (id) WHERE sent_time IS NULL;

-- Row Level Security as in planning: read app.tenant_id and app.read_tenants, write only
-- app.tenant_id.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rounds', 'opinions', 'opinion_history', 'topics',
                           'dialogue_requests', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE intake.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE intake.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON intake.%I FOR SELECT USING (
        tenant_id = current_setting('app.tenant_id', true)
        OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')))$p$,
      t || '_read', t);
    EXECUTE format($p$CREATE POLICY %I ON intake.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$,
      t || '_write', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON intake.rounds, intake.opinions, intake.dialogue_requests
  TO dialogue_intake;
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.topics TO dialogue_intake;
GRANT SELECT, INSERT ON intake.opinion_history, intake.outbox TO dialogue_intake;
