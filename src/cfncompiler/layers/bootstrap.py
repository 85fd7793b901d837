"""The database bootstrap: each application's own database and login, made by the master user.

A service that uses the database (``data.database.databases``) gets a one-shot init container in its
task. It runs psql as the RDS master user (the master secret reaches this container and no other) and
makes sure that the application's login exists with the password in its own secret, that its database
exists and is owned by that login, that no one else may connect to it, and that whatever the master
user created in it earlier (a database first used as the master, as the README once said) now belongs
to the login. The app container starts only when this succeeded (``dependsOn: SUCCESS``) and receives
only its own login's secret.

Every statement finds its work done or does it, so the bootstrap runs on every task start: a second
run changes nothing, and a rotated login password applies at the next start. Identifiers come from
the validated spec (``PgIdentifier``: lower-case letters, digits and ``_``), and the password never
enters the SQL text: psql reads it from the environment (``\\getenv``) and quotes it as a literal.
"""

from __future__ import annotations

CONTAINER = "bootstrap-database"
# The container's environment: the script itself (no secret in it) and the login's password (an ECS secret).
SCRIPT_VARIABLE = "BOOTSTRAP_SQL"
PASSWORD_VARIABLE = "LOGIN_PASSWORD"
# The same command in the container and in the tests: psql reads the script on its standard input.
COMMAND = ["sh", "-c", f'printf "%s\\n" "${SCRIPT_VARIABLE}" | psql --no-psqlrc']
# Serialises bootstraps that start together (two services share a database, replicas start at once).
# Held until the session ends (the \\connect, or psql's exit).
LOCK = "DO $lock$ BEGIN PERFORM pg_advisory_lock(hashtext('cfncompiler database bootstrap')); END $lock$;"


def script(database: str, login: str) -> str:
    """The bootstrap's SQL for one database and its login, to run as the master user with psql (15+).

    It first connects to the master user's own database (PGDATABASE), then to ``database``.
    """
    owned_by_master = "current_user::regrole"
    user_schema = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"

    def not_in_extension(catalog: str, alias: str) -> str:
        # An extension's members keep the extension's owner; ALTER EXTENSION has no OWNER TO.
        return (
            f"NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = '{catalog}'::regclass "
            f"AND d.objid = {alias}.oid AND d.deptype = 'e')"
        )

    return f"""\
-- The database bootstrap of database "{database}" and its login "{login}", run as the master user.
\\set ON_ERROR_STOP on
\\getenv login_password {PASSWORD_VARIABLE}
\\echo bootstrap: database {database}, login {login}
{LOCK}
SELECT 'CREATE ROLE "{login}" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') \\gexec
-- Every run: a rotated secret applies at the next task start.
ALTER ROLE "{login}" WITH LOGIN PASSWORD :'login_password';
-- The master user may act as the login (PostgreSQL 16 asks it of CREATE DATABASE ... OWNER).
SELECT format('GRANT %I TO %I', '{login}', current_user)
 WHERE NOT EXISTS (SELECT FROM pg_auth_members m WHERE m.roleid = '{login}'::regrole
                      AND m.member = current_user::regrole AND m.grantor = current_user::regrole) \\gexec
SELECT 'CREATE DATABASE "{database}" OWNER "{login}"'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}') \\gexec
ALTER DATABASE "{database}" OWNER TO "{login}";
-- Only the owner (and the master user, through it) may connect: no other application's login.
REVOKE ALL ON DATABASE "{database}" FROM PUBLIC;
\\connect "{database}"
{LOCK}
-- What the master user created here before (an application that logged in as the master user)
-- now belongs to the login, so the application keeps working as its own login.
DO $bootstrap$
DECLARE
  statement text;
BEGIN
  FOR statement IN
    SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, '{login}')
      FROM pg_namespace n
     WHERE n.nspowner = {owned_by_master} AND {user_schema}
       AND {not_in_extension("pg_namespace", "n")}
    UNION ALL
    SELECT format('ALTER %s %s OWNER TO %I',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                  c.oid::regclass, '{login}')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relowner = {owned_by_master} AND {user_schema}
       AND {not_in_extension("pg_class", "c")}
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
       -- A sequence that belongs to a column follows its table.
       AND (c.relkind <> 'S' OR NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                            AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                  t.oid::regtype, '{login}')
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typowner = {owned_by_master} AND {user_schema}
       AND {not_in_extension("pg_type", "t")}
       AND t.typtype IN ('e', 'd', 'r')
    UNION ALL
    SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, '{login}')
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proowner = {owned_by_master} AND {user_schema}
       AND {not_in_extension("pg_proc", "p")}
  LOOP
    RAISE NOTICE '%', statement;
    EXECUTE statement;
  END LOOP;
END
$bootstrap$;
"""
