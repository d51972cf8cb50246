-- What every service's migration does to its tables, defined once (the tenancy schema is
-- planning's, and planning's migrations run first):
--   tenancy.isolate_tenants(schema, tables): Row Level Security enabled and forced; rows
--     are read by a transaction of their tenant (app.tenant_id) or of a province reader
--     that may read it (app.read_tenants), and written by a transaction of their tenant.
--   tenancy.relay_outbox(schema): the outbox relay's policy on <schema>.outbox and the
--     trigger that wakes it with NOTIFY <schema>_outbox at commit (libs/events).
CREATE FUNCTION tenancy.isolate_tenants(schema_name text, tables text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', schema_name, t);
    EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', schema_name, t);
    EXECUTE format($p$CREATE POLICY %I ON %I.%I FOR SELECT USING (
        tenant_id = current_setting('app.tenant_id', true)
        OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')))$p$,
      t || '_read', schema_name, t);
    EXECUTE format($p$CREATE POLICY %I ON %I.%I FOR ALL
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$,
      t || '_write', schema_name, t);
  END LOOP;
END $$;

CREATE FUNCTION tenancy.relay_outbox(schema_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($p$CREATE POLICY outbox_relay ON %I.outbox FOR ALL
      USING (current_setting('app.outbox_relay', true) = 'on')
      WITH CHECK (current_setting('app.outbox_relay', true) = 'on')$p$, schema_name);
  EXECUTE format($f$CREATE FUNCTION %I.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $b$
      BEGIN
        PERFORM pg_notify(%L, '');
        RETURN NULL;
      END $b$ $f$, schema_name, schema_name || '_outbox');
  EXECUTE format('CREATE TRIGGER outbox_notify AFTER INSERT ON %I.outbox'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION %I.outbox_notify()', schema_name, schema_name);
END $$;

-- Migrations call them as the administrator; services have no use for them.
REVOKE ALL ON FUNCTION tenancy.isolate_tenants(text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tenancy.relay_outbox(text) FROM PUBLIC;
