-- Reference data every service reads: provinces and their tenants (communes, wards,
-- special zones). Only an administrator's transaction (app.admin = 'on') may change it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_service') THEN
    CREATE ROLE dialogue_service NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dialogue_planning') THEN
    CREATE ROLE dialogue_planning LOGIN;
  END IF;
END $$;
GRANT dialogue_service TO dialogue_planning;

CREATE SCHEMA tenancy;
GRANT USAGE ON SCHEMA tenancy TO dialogue_service;

CREATE TABLE tenancy.provinces (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  display_name text NOT NULL CHECK (display_name <> ''),
  create_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenancy.tenants (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  province_id text NOT NULL REFERENCES tenancy.provinces (id),
  display_name text NOT NULL CHECK (display_name <> ''),
  kind text NOT NULL CHECK (kind IN ('COMMUNE', 'WARD', 'SPECIAL_ZONE')),
  hamlets jsonb NOT NULL DEFAULT '[]',
  voter_count integer NOT NULL DEFAULT 0 CHECK (voter_count >= 0),
  rules jsonb NOT NULL DEFAULT '{}',
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenants_by_province ON tenancy.tenants (province_id);

ALTER TABLE tenancy.provinces ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenancy.provinces FORCE ROW LEVEL SECURITY;
ALTER TABLE tenancy.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenancy.tenants FORCE ROW LEVEL SECURITY;

-- Names of communes and provinces are public; changing them is for administrators.
CREATE POLICY provinces_read ON tenancy.provinces FOR SELECT USING (true);
CREATE POLICY provinces_admin ON tenancy.provinces FOR ALL
  USING (current_setting('app.admin', true) = 'on')
  WITH CHECK (current_setting('app.admin', true) = 'on');
CREATE POLICY tenants_read ON tenancy.tenants FOR SELECT USING (true);
CREATE POLICY tenants_admin ON tenancy.tenants FOR ALL
  USING (current_setting('app.admin', true) = 'on')
  WITH CHECK (current_setting('app.admin', true) = 'on');

GRANT SELECT ON tenancy.provinces, tenancy.tenants TO dialogue_service;
-- The planning program hosts TenantService; RLS above still limits it to admin requests.
GRANT INSERT, UPDATE ON tenancy.provinces, tenancy.tenants TO dialogue_planning;
