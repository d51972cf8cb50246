-- Each commune's own texts for the drafts that sessions' events cause; a kind without a
-- row uses the default of the service.
CREATE TABLE notices.templates (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind)
);
ALTER TABLE notices.templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE notices.templates FORCE ROW LEVEL SECURITY;
CREATE POLICY templates_read ON notices.templates FOR SELECT USING (
  tenant_id = current_setting('app.tenant_id', true)
  OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')));
CREATE POLICY templates_write ON notices.templates FOR ALL
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON notices.templates TO dialogue_notices;
