-- Intake consumes events too (sessions' SessionConcluded: opinions answered in the room).
-- The events its consumer has applied, so that each is applied once (libs/events).
CREATE TABLE intake.processed_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  processed_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
SELECT tenancy.isolate_tenants('intake', ARRAY['processed_events']);
GRANT SELECT, INSERT ON intake.processed_events TO dialogue_intake;

-- A round that holds no opinion may be deleted (DeleteRound checks; the opinions' foreign
-- key refuses the rest).
GRANT DELETE ON intake.rounds TO dialogue_intake;
