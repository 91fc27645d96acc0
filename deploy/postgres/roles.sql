-- One PostgreSQL role per Herald service, each owning its schema and nothing else: herald_ingest owns ingest,
-- herald_rules owns rules, herald_dispatcher owns dispatcher. A role has no privilege on another's schema, so the
-- rules-service cannot read dispatcher.matrix_account (the Matrix access tokens), nor ingest the rules.
--
-- Run as the database owner or a superuser, in Herald's database; safe to run again (docker-compose.yml runs it on
-- every start, deploy/local/run.sh too, and the tests before each service's Flyway migrations):
--
--   PGOPTIONS='-c herald.ingest_password=… -c herald.rules_password=… -c herald.dispatcher_password=…' \
--     psql -v ON_ERROR_STOP=1 -h <host> -U <admin> -d herald -f deploy/postgres/roles.sql
--
-- Passwords come from those settings (letters and digits: they pass through PGOPTIONS); a role whose password is not
-- given keeps its password, or has none (CloudNativePG sets the passwords of its managed roles itself).
-- Schemas and tables an earlier, shared role created (earlier Herald versions used one role for all three) are
-- handed to the service's role, so its Flyway can migrate them and its service can use them.
SET client_min_messages = warning;
DO $$
DECLARE
    service text;
    role_name text;
    password text;
    object record;
BEGIN
    FOREACH service IN ARRAY ARRAY['ingest', 'rules', 'dispatcher'] LOOP
        role_name := 'herald_' || service;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        END IF;
        password := current_setting('herald.' || service || '_password', true);
        IF password IS NOT NULL AND password <> '' THEN
            EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', role_name, password);
        END IF;
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service, role_name);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', service, role_name);
        FOR object IN
            SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = service AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND pg_get_userbyid(c.relowner) <> role_name
              -- sequences owned by a table follow the table
              AND NOT (c.relkind = 'S'
                  AND EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        LOOP
            EXECUTE format('ALTER %s %I.%I OWNER TO %I',
                CASE object.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                service, object.relname, role_name);
        END LOOP;
    END LOOP;
    -- Before PostgreSQL 15 everyone could create tables in the schema public.
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
END
$$;
