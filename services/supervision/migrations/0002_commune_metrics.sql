-- Per-commune figures for the operators' metrics (dialogue_commitments_overdue): the open
-- commitments past their due date, from the due tallies; counts only, every commune at
-- once (SECURITY DEFINER: the supervision role reads no other rows through it).
CREATE FUNCTION supervision.overdue_commitments_by_tenant()
RETURNS TABLE (tenant_id text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.id, coalesce(sum(d.n), 0)::bigint
    FROM tenancy.tenants t
    LEFT JOIN supervision.due_tallies d ON d.tenant_id = t.id
      AND d.due_date < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
   GROUP BY t.id
$$;
REVOKE ALL ON FUNCTION supervision.overdue_commitments_by_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION supervision.overdue_commitments_by_tenant() TO dialogue_supervision;
