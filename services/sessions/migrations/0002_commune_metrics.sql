-- Per-commune figures for the operators' metrics (dialogue_conferences_held): the
-- conferences held this year (concluded, or closed with approved minutes); counts only,
-- every commune at once (SECURITY DEFINER: the sessions role reads no other rows through it).
CREATE FUNCTION sessions.conferences_held_by_tenant()
RETURNS TABLE (tenant_id text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.id, count(s.id)
    FROM tenancy.tenants t
    LEFT JOIN sessions.sessions s ON s.tenant_id = t.id
      AND s.state IN ('SESSION_CONCLUDED', 'SESSION_CLOSED')
      AND extract(year FROM s.session_date) = extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')
   GROUP BY t.id
$$;
REVOKE ALL ON FUNCTION sessions.conferences_held_by_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sessions.conferences_held_by_tenant() TO dialogue_sessions;
