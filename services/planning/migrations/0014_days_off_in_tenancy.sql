-- A commune's own days off are part of the commune, like its rules and hamlets: every
-- service that counts working days for it (intake's answer dates, the notices' deadlines,
-- supervision's report dates) reads them from tenancy, as planning already did. Planning
-- alone still writes them; the row-level policies move with the table.
ALTER TABLE planning.tenant_days_off SET SCHEMA tenancy;
GRANT SELECT ON tenancy.tenant_days_off TO dialogue_service;
