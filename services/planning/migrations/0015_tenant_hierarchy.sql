-- Upper levels: a district (huyện, before 1 July 2025) hosts dialogues with the people of
-- its communes (seed 002: the district secretary meets four communes, each in its own
-- hall). A commune names its district; the district is a tenant of its own, with its own
-- plans, sessions and staff. Townships (thị trấn) are units of the same period.
ALTER TABLE tenancy.tenants DROP CONSTRAINT tenants_kind_check;
ALTER TABLE tenancy.tenants ADD CONSTRAINT tenants_kind_check
  CHECK (kind IN ('COMMUNE', 'WARD', 'SPECIAL_ZONE', 'DISTRICT', 'TOWNSHIP'));
ALTER TABLE tenancy.tenants ADD COLUMN parent_id text REFERENCES tenancy.tenants (id)
  CHECK (parent_id <> id);
CREATE INDEX tenants_by_parent ON tenancy.tenants (parent_id) WHERE parent_id IS NOT NULL;

-- The parent is a district of the same province, and a district has no parent; kind and
-- province cannot then change under a commune that names it.
CREATE FUNCTION tenancy.check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND (NEW.kind = 'DISTRICT' OR NOT EXISTS (
      SELECT 1 FROM tenancy.tenants p
      WHERE p.id = NEW.parent_id AND p.kind = 'DISTRICT' AND p.province_id = NEW.province_id)) THEN
    RAISE EXCEPTION 'tenant %: parent % is not a district of province %', NEW.id, NEW.parent_id,
      NEW.province_id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.kind <> OLD.kind OR NEW.province_id <> OLD.province_id) AND
     EXISTS (SELECT 1 FROM tenancy.tenants c WHERE c.parent_id = NEW.id) THEN
    RAISE EXCEPTION 'tenant %: communes name it as their district', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_parent BEFORE INSERT OR UPDATE ON tenancy.tenants
  FOR EACH ROW EXECUTE FUNCTION tenancy.check_parent();
