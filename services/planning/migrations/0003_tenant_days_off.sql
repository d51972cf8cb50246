-- A commune's own days off (a local event, a storm) on top of the national calendar.
CREATE TABLE planning.tenant_days_off (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (id),
  day date NOT NULL,
  reason text NOT NULL CHECK (reason <> ''),
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day)
);

ALTER TABLE planning.tenant_days_off ENABLE ROW LEVEL SECURITY;
ALTER TABLE planning.tenant_days_off FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_days_off_read ON planning.tenant_days_off FOR SELECT USING (
  tenant_id = current_setting('app.tenant_id', true)
  OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')));
CREATE POLICY tenant_days_off_write ON planning.tenant_days_off FOR ALL
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, DELETE ON planning.tenant_days_off TO dialogue_planning;
