-- The audit log of changes: every service writes an AuditRecorded event with each change a
-- signed-in person makes (in the change's own transaction); planning's consumer stores
-- them in accounts.audit_events, each once (planning.processed_events).
CREATE TABLE planning.processed_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  processed_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
SELECT tenancy.isolate_tenants('planning', ARRAY['processed_events']);
GRANT SELECT, INSERT ON planning.processed_events TO dialogue_planning;
