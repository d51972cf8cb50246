-- Per-commune figures for the operators' metrics (dialogue_opinions_past_answer_date):
-- opinions whose answer is due before today (their own date, else their round's) and not
-- yet approved; counts only, every commune at once (SECURITY DEFINER: the intake role
-- reads no other rows through it).
CREATE FUNCTION intake.unanswered_past_due_by_tenant()
RETURNS TABLE (tenant_id text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.id, count(o.id)
    FROM tenancy.tenants t
    LEFT JOIN intake.rounds r ON r.tenant_id = t.id
    LEFT JOIN intake.opinions o ON o.tenant_id = r.tenant_id AND o.round_id = r.id
      AND o.state IN ('RECEIVED', 'CLASSIFIED', 'ASSIGNED', 'ANSWER_DRAFTED')
      AND coalesce(o.answer_due, r.answer_due) < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
   GROUP BY t.id
$$;
REVOKE ALL ON FUNCTION intake.unanswered_past_due_by_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.unanswered_past_due_by_tenant() TO dialogue_intake;
