-- Province readers' reads, computed once per query: the read policy compares tenant_id
-- with app.read_tenants parsed in a scalar subquery (an InitPlan), not parsed again for
-- every row. Over a province's 170 communes the per-row parse cost more than the scan.
-- Tables isolated from here on get this form; the policies already created keep theirs.
CREATE OR REPLACE FUNCTION tenancy.isolate_tenants(schema_name text, tables text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', schema_name, t);
    EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', schema_name, t);
    EXECUTE format($p$CREATE POLICY %I ON %I.%I FOR SELECT USING (
        tenant_id = current_setting('app.tenant_id', true)
        OR tenant_id = ANY ((SELECT string_to_array(
             nullif(current_setting('app.read_tenants', true), ''), ','))::text[]))$p$,
      t || '_read', schema_name, t);
    EXECUTE format($p$CREATE POLICY %I ON %I.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$,
      t || '_write', schema_name, t);
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION tenancy.isolate_tenants(text, text[]) FROM PUBLIC;
