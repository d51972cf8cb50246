-- The file of approved minutes (issue 20): the .docx rendered at approval, kept with its
-- SHA-256 so that what was approved can be shown unchanged, whatever changes later (the
-- commune's name, the template). Row level security: the table's policy already covers it.
ALTER TABLE sessions.minutes
  ADD COLUMN document bytea,
  ADD COLUMN document_hash text NOT NULL DEFAULT '';

-- Approved minutes never change: their text, hash and file are fixed by the database,
-- not only by the service.
CREATE FUNCTION sessions.approved_minutes_are_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'MINUTES_APPROVED' THEN
    RAISE EXCEPTION 'approved minutes never change (%)', OLD.content_hash
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER minutes_fixed_once_approved BEFORE UPDATE OR DELETE ON sessions.minutes
  FOR EACH ROW EXECUTE FUNCTION sessions.approved_minutes_are_fixed();
