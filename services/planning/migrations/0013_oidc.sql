-- Signing in at the province's OpenID Connect provider (AccountService.BeginOidcSignIn /
-- FinishOidcSignIn). An account is mapped to the provider's subject (`sub`, stable and never
-- reassigned, unlike a name or an e-mail address); the planning role finds the account
-- behind a verified subject only through oidc_lookup, before any commune is known.
ALTER TABLE accounts.accounts
  ADD COLUMN oidc_subject text UNIQUE
    CHECK (oidc_subject <> '' AND length(oidc_subject) <= 255);
GRANT SELECT (oidc_subject) ON accounts.accounts TO dialogue_planning;

-- The account a verified subject signs in as, with its lock.
CREATE FUNCTION accounts.oidc_lookup(p_subject text)
RETURNS TABLE (username text, locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.username, a.locked_until FROM accounts.accounts a WHERE a.oidc_subject = p_subject
$$;

-- sign_in_succeeded again, now saying how the person signed in ('' for the built-in password,
-- 'oidc' for the province's provider) as the log entry's target.
DROP FUNCTION accounts.sign_in_succeeded(text, bytea, text, text, text, integer);
CREATE FUNCTION accounts.sign_in_succeeded(p_username text, p_token_hash bytea, p_csrf text,
                                           p_client text, p_user_agent text,
                                           p_lifetime_seconds integer, p_method text)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  expires timestamptz := now() + make_interval(secs => p_lifetime_seconds);
  tenant text;
BEGIN
  UPDATE accounts.accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in_time = now()
   WHERE username = p_username RETURNING coalesce(tenant_id, '') INTO tenant;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no account %', p_username USING ERRCODE = 'no_data_found';
  END IF;
  DELETE FROM accounts.sessions
   WHERE username = p_username AND expire_time < now() - interval '30 days';
  INSERT INTO accounts.sessions (token_hash, username, csrf_token, client, user_agent, expire_time)
    VALUES (p_token_hash, p_username, p_csrf, left(p_client, 100), left(p_user_agent, 300), expires);
  INSERT INTO accounts.audit_events (tenant_id, actor, action, target, client)
    VALUES (tenant, p_username, 'SIGN_IN', left(p_method, 20), left(p_client, 100));
  RETURN expires;
END $$;

REVOKE ALL ON FUNCTION accounts.oidc_lookup(text),
  accounts.sign_in_succeeded(text, bytea, text, text, text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.oidc_lookup(text),
  accounts.sign_in_succeeded(text, bytea, text, text, text, integer, text) TO dialogue_planning;
