-- The outbox relay (libs/events): it reads and marks every tenant's rows, so the outbox
-- admits a transaction that set app.outbox_relay, and deletes rows sent long ago. Each
-- insert wakes the relay with NOTIFY intake_outbox at commit.
CREATE POLICY outbox_relay ON intake.outbox FOR ALL
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
GRANT UPDATE (sent_time), DELETE ON intake.outbox TO dialogue_intake;

CREATE FUNCTION intake.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('intake_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON intake.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION intake.outbox_notify();
