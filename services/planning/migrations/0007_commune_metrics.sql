-- Per-commune figures for the operators' metrics (dialogue_conferences_planned): the
-- conferences that the commune's published plans of this year (Vietnam's calendar year)
-- schedule; counts only, every commune at once (SECURITY DEFINER: the planning role reads
-- no other rows through it).
CREATE FUNCTION planning.conferences_planned_by_tenant()
RETURNS TABLE (tenant_id text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.id, coalesce(sum(jsonb_array_length(coalesce(p.body -> 'conferences', '[]'))), 0)::bigint
    FROM tenancy.tenants t
    LEFT JOIN planning.plans p ON p.tenant_id = t.id AND p.state IN ('PUBLISHED', 'CLOSED')
      AND p.year = extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')
   GROUP BY t.id
$$;
REVOKE ALL ON FUNCTION planning.conferences_planned_by_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planning.conferences_planned_by_tenant() TO dialogue_planning;
