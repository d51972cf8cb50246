-- Sessions (one conference each), their delegates and speakers, the minutes, each
-- tenant's agenda template, and the sessions outbox. A trigger NOTIFYs every change of a
-- session or its speakers, which the live view's readers wait for.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_sessions') THEN
    CREATE ROLE dialogue_sessions LOGIN;
  END IF;
END $$;
GRANT dialogue_service TO dialogue_sessions;

CREATE SCHEMA sessions;
GRANT USAGE ON SCHEMA sessions TO dialogue_sessions;

CREATE TABLE sessions.sessions (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  plan text NOT NULL,
  conference_id text NOT NULL,
  session_date date NOT NULL,
  state text NOT NULL DEFAULT 'SESSION_SCHEDULED',
  -- everything else of the Session, as its proto3 JSON
  doc jsonb NOT NULL,
  request_id text,
  version int NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, request_id)
);
CREATE INDEX sessions_by_date ON sessions.sessions (tenant_id, session_date);

CREATE TABLE sessions.delegates (
  tenant_id text NOT NULL,
  session_id uuid NOT NULL,
  full_name text NOT NULL,
  group_name text NOT NULL,
  hamlet text NOT NULL DEFAULT '',
  check_in_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, session_id, group_name, full_name),
  FOREIGN KEY (tenant_id, session_id) REFERENCES sessions.sessions (tenant_id, id)
);

CREATE TABLE sessions.speakers (
  tenant_id text NOT NULL,
  session_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- the queue's order; a move puts a speaker between two others
  rank double precision NOT NULL,
  full_name text NOT NULL,
  hamlet text NOT NULL DEFAULT '',
  topic text NOT NULL DEFAULT '',
  receipt_code text NOT NULL DEFAULT '',
  written boolean NOT NULL DEFAULT false,
  state text NOT NULL DEFAULT 'SPEAKER_WAITING',
  -- statement, answers, follow-up, satisfaction and move reason, as proto3 JSON
  record jsonb NOT NULL DEFAULT '{}',
  request_id text,
  register_time timestamptz NOT NULL DEFAULT now(),
  call_time timestamptz,
  end_time timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, session_id, request_id),
  FOREIGN KEY (tenant_id, session_id) REFERENCES sessions.sessions (tenant_id, id)
);
CREATE INDEX speakers_queue ON sessions.speakers (tenant_id, session_id, rank);
-- At most one speaker has the floor.
CREATE UNIQUE INDEX speakers_one_speaking ON sessions.speakers (tenant_id, session_id)
  WHERE state = 'SPEAKER_SPEAKING';

CREATE TABLE sessions.minutes (
  tenant_id text NOT NULL,
  session_id uuid NOT NULL,
  text text NOT NULL,
  state text NOT NULL DEFAULT 'MINUTES_DRAFT',
  -- the approvals, as the proto3 JSON of a Minutes holding only them
  approvals jsonb NOT NULL DEFAULT '{}',
  content_hash text NOT NULL DEFAULT '',
  version int NOT NULL DEFAULT 1,
  update_time timestamptz NOT NULL DEFAULT now(),
  approve_time timestamptz,
  PRIMARY KEY (tenant_id, session_id),
  FOREIGN KEY (tenant_id, session_id) REFERENCES sessions.sessions (tenant_id, id)
);

CREATE TABLE sessions.agenda_templates (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  -- the AgendaTemplate, as proto3 JSON
  agenda jsonb NOT NULL,
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

CREATE TABLE sessions.outbox (
  tenant_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  sent_time timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unsent ON sessions.outbox (id) WHERE sent_time IS NULL;

-- Row Level Security and the outbox relay, as every service has them.
SELECT tenancy.isolate_tenants('sessions', ARRAY['sessions', 'delegates', 'speakers', 'minutes',
                                                 'agenda_templates', 'outbox']);
SELECT tenancy.relay_outbox('sessions');

-- The live view: "tenant/session" on channel sessions_live after every change that the
-- screen shows (NOTIFY folds repeats within a transaction).
CREATE FUNCTION sessions.live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sessions_live', NEW.tenant_id || '/' ||
    coalesce(to_jsonb(NEW) ->> 'session_id', to_jsonb(NEW) ->> 'id'));
  RETURN NULL;
END $$;
CREATE TRIGGER live_notify AFTER INSERT OR UPDATE ON sessions.sessions
  FOR EACH ROW EXECUTE FUNCTION sessions.live_notify();
CREATE TRIGGER live_notify AFTER INSERT OR UPDATE ON sessions.speakers
  FOR EACH ROW EXECUTE FUNCTION sessions.live_notify();
CREATE TRIGGER live_notify AFTER INSERT OR UPDATE ON sessions.delegates
  FOR EACH ROW EXECUTE FUNCTION sessions.live_notify();

GRANT SELECT, INSERT, UPDATE ON sessions.sessions, sessions.speakers, sessions.minutes
  TO dialogue_sessions;
GRANT SELECT, INSERT, UPDATE ON sessions.delegates TO dialogue_sessions;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions.agenda_templates TO dialogue_sessions;
GRANT SELECT, INSERT, DELETE, UPDATE (sent_time) ON sessions.outbox TO dialogue_sessions;
