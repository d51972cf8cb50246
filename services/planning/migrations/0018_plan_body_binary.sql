-- A plan is read far more often than it is written, and parsing its JSON body was most of
-- the CPU a read cost. `body_pb` holds the same document as serialized protobuf, which the
-- service reads instead; `body` stays the truth for SQL (the task projection, the session
-- lookup, the commune metrics).
--
-- A row whose `body_pb` is NULL is read from `body`: rows written before this migration,
-- and any row whose `body` an UPDATE changed without writing `body_pb` with it (the trigger
-- clears the copy, so it can never disagree with the JSON).
ALTER TABLE planning.plans ADD COLUMN body_pb bytea;

CREATE FUNCTION planning.forget_stale_body_pb() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body IS DISTINCT FROM OLD.body AND NEW.body_pb IS NOT DISTINCT FROM OLD.body_pb THEN
    NEW.body_pb := NULL;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER forget_stale_body_pb BEFORE UPDATE OF body ON planning.plans
  FOR EACH ROW EXECUTE FUNCTION planning.forget_stale_body_pb();
