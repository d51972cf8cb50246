-- The audit log reads newest first by when each thing happened. Entries of other services
-- arrive through the event stream, not always in the order they happened, so the order of
-- arrival (id) is only the tie-break.
CREATE INDEX audit_events_by_time ON accounts.audit_events (tenant_id, time DESC, id DESC);
