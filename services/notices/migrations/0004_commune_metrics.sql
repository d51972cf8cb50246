-- Per-commune figures for the operators' metrics (dialogue_notices_overdue): counts only,
-- every commune at once. SECURITY DEFINER, so the notices role itself still reads no
-- commune's rows but its request's; what it gets here is a number per commune.
CREATE FUNCTION notices.overdue_drafts_by_tenant()
RETURNS TABLE (tenant_id text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.id, count(n.id)
    FROM tenancy.tenants t
    LEFT JOIN notices.notices n ON n.tenant_id = t.id AND n.state = 'NOTICE_DRAFT'
      AND n.due_date < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
   GROUP BY t.id
$$;
REVOKE ALL ON FUNCTION notices.overdue_drafts_by_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notices.overdue_drafts_by_tenant() TO dialogue_notices;
