-- Resetting a built-in account's password (AccountService.ResetPassword): the new hash, the
-- lock lifted, every session of the account ended and the reset logged, at once. The
-- service authorises the caller; the function checks that the account belongs to the
-- commune the caller was authorised for (NULL: an administrator's request).
CREATE FUNCTION accounts.reset_password(p_username text, p_password_hash text, p_tenant text,
                                        p_actor text, p_client text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tenant text;
BEGIN
  UPDATE accounts.accounts a
     SET password_hash = p_password_hash, failed_attempts = 0, locked_until = NULL
   WHERE a.username = p_username
     AND (p_tenant IS NULL OR a.tenant_id = p_tenant)
  RETURNING coalesce(a.tenant_id, '') INTO tenant;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE accounts.sessions SET end_time = now() WHERE username = p_username AND end_time IS NULL;
  INSERT INTO accounts.audit_events (tenant_id, actor, action, target, client)
    VALUES (tenant, p_actor, 'PASSWORD_RESET', p_username, left(p_client, 100));
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION accounts.reset_password(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.reset_password(text, text, text, text, text)
  TO dialogue_planning;
