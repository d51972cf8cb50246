-- A delivery is of a notice, or of a message to one petitioner (PetitionerMessage, from
-- intake): the message's own title, text and follow link, and the event it came from so
-- that a redelivered event queues it once. Same table, same policies.
ALTER TABLE notices.deliveries ALTER COLUMN notice_id DROP NOT NULL;
ALTER TABLE notices.deliveries
  ADD COLUMN title text NOT NULL DEFAULT '',
  ADD COLUMN text text NOT NULL DEFAULT '',
  ADD COLUMN link text NOT NULL DEFAULT '',
  ADD COLUMN about text NOT NULL DEFAULT '',
  ADD COLUMN source_event text,
  ADD CONSTRAINT deliveries_notice_or_message CHECK (notice_id IS NOT NULL OR text <> ''),
  ADD CONSTRAINT deliveries_source_event UNIQUE (tenant_id, source_event);
