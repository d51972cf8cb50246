-- The optional second factor of a built-in account (AccountService.BeginTotp/ConfirmTotp):
-- a TOTP secret that the planning role can never read (no column grant); it is used only
-- inside the SECURITY DEFINER functions below, for the account that is signing in or
-- enrolling itself. A step once used is kept, so that no code is taken twice.
ALTER TABLE accounts.accounts
  ADD COLUMN totp_secret bytea,
  ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
GRANT SELECT (totp_enabled) ON accounts.accounts TO dialogue_planning;

-- The second factor of one account, for checking a code after its password matched.
CREATE FUNCTION accounts.totp_lookup(p_username text)
RETURNS TABLE (secret bytea, enabled boolean, last_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.totp_secret, a.totp_enabled, a.totp_last_step
    FROM accounts.accounts a WHERE a.username = p_username
$$;

-- A code of `p_step` was accepted: kept as the last one used. False when that step (or a
-- later one) was used already, by a concurrent sign-in with the same code.
CREATE FUNCTION accounts.totp_used(p_username text, p_step bigint)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE accounts.accounts SET totp_last_step = p_step
   WHERE username = p_username AND totp_last_step < p_step;
  RETURN FOUND;
END $$;

-- Enrolling: a new secret, not yet in use. False when the account already has one in use.
CREATE FUNCTION accounts.totp_begin(p_username text, p_secret bytea)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE accounts.accounts SET totp_secret = p_secret, totp_last_step = 0
   WHERE username = p_username AND NOT totp_enabled;
  RETURN FOUND;
END $$;

-- The app's first code matched: the second factor is on from now, and the log says so.
CREATE FUNCTION accounts.totp_confirm(p_username text, p_step bigint, p_client text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tenant text;
BEGIN
  UPDATE accounts.accounts SET totp_enabled = true, totp_last_step = p_step
   WHERE username = p_username AND totp_secret IS NOT NULL AND NOT totp_enabled
  RETURNING coalesce(tenant_id, '') INTO tenant;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO accounts.audit_events (tenant_id, actor, action, target, client)
    VALUES (tenant, p_username, 'TOTP_ENABLED', p_username, left(p_client, 100));
  RETURN true;
END $$;

-- A password reset also turns the second factor off: it is how a lost phone is dealt with.
CREATE OR REPLACE FUNCTION accounts.reset_password(p_username text, p_password_hash text,
                                                   p_tenant text, p_actor text, p_client text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tenant text;
BEGIN
  UPDATE accounts.accounts a
     SET password_hash = p_password_hash, failed_attempts = 0, locked_until = NULL,
         totp_secret = NULL, totp_enabled = false, totp_last_step = 0
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

REVOKE ALL ON FUNCTION accounts.totp_lookup(text), accounts.totp_used(text, bigint),
  accounts.totp_begin(text, bytea), accounts.totp_confirm(text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.totp_lookup(text), accounts.totp_used(text, bigint),
  accounts.totp_begin(text, bytea), accounts.totp_confirm(text, bigint, text)
  TO dialogue_planning;
