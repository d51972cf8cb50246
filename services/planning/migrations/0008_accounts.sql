-- People's accounts, the browser's sign-in sessions and the audit log of sign-ins and
-- account changes (AccountService, hosted by the planning program).
--
-- What the planning role may do directly is bounded by Row Level Security: read and
-- create accounts of its request's commune (app.tenant_id), or any as an administrator,
-- and never read a password hash (column grants). Signing in has to look an account up by
-- name before any commune is known; that, and everything touching sessions, happens only
-- inside the SECURITY DEFINER functions below, which do exactly one job each.
CREATE SCHEMA accounts;
GRANT USAGE ON SCHEMA accounts TO dialogue_planning;

CREATE TABLE accounts.accounts (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  tenant_id text REFERENCES tenancy.tenants (id),
  province_id text REFERENCES tenancy.provinces (id),
  display_name text NOT NULL CHECK (display_name <> '' AND length(display_name) <= 200),
  roles text[] NOT NULL CHECK (cardinality(roles) BETWEEN 1 AND 10),
  department text NOT NULL DEFAULT '' CHECK (length(department) <= 200),
  password_hash text NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  create_time timestamptz NOT NULL DEFAULT now(),
  last_sign_in_time timestamptz
);
CREATE INDEX accounts_by_tenant ON accounts.accounts (tenant_id, username);

CREATE TABLE accounts.sessions (
  token_hash bytea PRIMARY KEY,  -- sha256 of the cookie's value; the value is never stored
  username text NOT NULL REFERENCES accounts.accounts (username),
  csrf_token text NOT NULL,
  client text NOT NULL DEFAULT '',
  user_agent text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now(),
  last_seen_time timestamptz NOT NULL DEFAULT now(),
  expire_time timestamptz NOT NULL,
  end_time timestamptz
);
CREATE INDEX sessions_by_account ON accounts.sessions (username, expire_time);

-- Append-only: no role is granted UPDATE or DELETE, and a trigger refuses them to the
-- owner too. tenant_id is '' for province and platform accounts and unknown names.
CREATE TABLE accounts.audit_events (
  tenant_id text NOT NULL DEFAULT '',
  id bigserial,
  time timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL DEFAULT '',
  client text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id)
);

CREATE FUNCTION accounts.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is never changed' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON accounts.audit_events
  FOR EACH ROW EXECUTE FUNCTION accounts.refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON accounts.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION accounts.refuse_change();

ALTER TABLE accounts.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts.accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts.sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts.audit_events FORCE ROW LEVEL SECURITY;

CREATE POLICY accounts_read ON accounts.accounts FOR SELECT USING (
  tenant_id = current_setting('app.tenant_id', true)
  OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ','))
  OR current_setting('app.admin', true) = 'on');
CREATE POLICY accounts_create ON accounts.accounts FOR INSERT WITH CHECK (
  tenant_id = current_setting('app.tenant_id', true)
  OR current_setting('app.admin', true) = 'on');
CREATE POLICY audit_read ON accounts.audit_events FOR SELECT USING (
  tenant_id = current_setting('app.tenant_id', true)
  OR tenant_id = ANY (string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')));
CREATE POLICY audit_append ON accounts.audit_events FOR INSERT WITH CHECK (
  tenant_id = current_setting('app.tenant_id', true)
  OR current_setting('app.admin', true) = 'on');
-- accounts.sessions has no policy: the planning role reaches it only through the functions.

GRANT SELECT (username, tenant_id, province_id, display_name, roles, department,
              failed_attempts, locked_until, create_time, last_sign_in_time),
      INSERT ON accounts.accounts TO dialogue_planning;
GRANT SELECT, INSERT ON accounts.audit_events TO dialogue_planning;
GRANT USAGE ON SEQUENCE accounts.audit_events_id_seq TO dialogue_planning;

-- The stored hash and lock of one account, for checking a password.
CREATE FUNCTION accounts.sign_in_lookup(p_username text)
RETURNS TABLE (password_hash text, locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.password_hash, a.locked_until FROM accounts.accounts a WHERE a.username = p_username
$$;

-- A refused sign-in: counted against the account (locked for p_lock_minutes after
-- p_lock_after failures in a row) and written to the log. Returns the lock's end, if any.
CREATE FUNCTION accounts.sign_in_failed(p_username text, p_client text, p_locked_now boolean,
                                        p_lock_after integer, p_lock_minutes integer)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a accounts.accounts%ROWTYPE;
BEGIN
  SELECT * INTO a FROM accounts.accounts WHERE username = p_username FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO accounts.audit_events (tenant_id, actor, action, client)
      VALUES ('', left(p_username, 64), 'SIGN_IN_FAILED', left(p_client, 100));
    RETURN NULL;
  END IF;
  IF p_locked_now THEN
    INSERT INTO accounts.audit_events (tenant_id, actor, action, client)
      VALUES (coalesce(a.tenant_id, ''), a.username, 'SIGN_IN_LOCKED', left(p_client, 100));
    RETURN a.locked_until;
  END IF;
  a.failed_attempts := a.failed_attempts + 1;
  IF a.failed_attempts >= p_lock_after THEN
    a.locked_until := now() + make_interval(mins => p_lock_minutes);
    a.failed_attempts := 0;
  END IF;
  UPDATE accounts.accounts SET failed_attempts = a.failed_attempts, locked_until = a.locked_until
   WHERE username = a.username;
  INSERT INTO accounts.audit_events (tenant_id, actor, action, client)
    VALUES (coalesce(a.tenant_id, ''), a.username, 'SIGN_IN_FAILED', left(p_client, 100));
  RETURN CASE WHEN a.locked_until > now() THEN a.locked_until END;
END $$;

-- A sign-in with the right password: the failure count cleared, a session started (and
-- the account's long-ended sessions dropped), the sign-in written to the log.
CREATE FUNCTION accounts.sign_in_succeeded(p_username text, p_token_hash bytea, p_csrf text,
                                           p_client text, p_user_agent text,
                                           p_lifetime_seconds integer)
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
  INSERT INTO accounts.audit_events (tenant_id, actor, action, client)
    VALUES (tenant, p_username, 'SIGN_IN', left(p_client, 100));
  RETURN expires;
END $$;

-- The live session behind a cookie's hash, with its account; nothing when it has ended,
-- expired or been idle longer than p_idle_seconds. Seeing it keeps it alive.
CREATE FUNCTION accounts.resolve_session(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (username text, display_name text, tenant_id text, province_id text, roles text[],
               department text, csrf_token text, expire_time timestamptz,
               create_time timestamptz, last_sign_in_time timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE accounts.sessions s SET last_seen_time = now()
   WHERE s.token_hash = p_token_hash AND s.end_time IS NULL AND s.expire_time > now()
     AND s.last_seen_time > now() - make_interval(secs => p_idle_seconds)
     AND s.last_seen_time < now() - interval '30 seconds';
  RETURN QUERY
    SELECT a.username, a.display_name, a.tenant_id, a.province_id, a.roles, a.department,
           s.csrf_token, s.expire_time, a.create_time, a.last_sign_in_time
      FROM accounts.sessions s JOIN accounts.accounts a ON a.username = s.username
     WHERE s.token_hash = p_token_hash AND s.end_time IS NULL AND s.expire_time > now()
       AND s.last_seen_time > now() - make_interval(secs => p_idle_seconds);
END $$;

-- Signing out: the session ends at once and the log says so. False when it had ended.
CREATE FUNCTION accounts.end_session(p_token_hash bytea, p_client text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  who text;
  tenant text;
BEGIN
  UPDATE accounts.sessions s SET end_time = now()
   WHERE s.token_hash = p_token_hash AND s.end_time IS NULL
  RETURNING s.username INTO who;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  SELECT coalesce(a.tenant_id, '') INTO tenant FROM accounts.accounts a WHERE a.username = who;
  INSERT INTO accounts.audit_events (tenant_id, actor, action, client)
    VALUES (tenant, who, 'SIGN_OUT', left(p_client, 100));
  RETURN true;
END $$;

REVOKE ALL ON FUNCTION accounts.sign_in_lookup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.sign_in_failed(text, text, boolean, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.sign_in_succeeded(text, bytea, text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.resolve_session(bytea, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.end_session(bytea, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.refuse_change() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.sign_in_lookup(text),
  accounts.sign_in_failed(text, text, boolean, integer, integer),
  accounts.sign_in_succeeded(text, bytea, text, text, text, integer),
  accounts.resolve_session(bytea, integer), accounts.end_session(bytea, text)
  TO dialogue_planning;
