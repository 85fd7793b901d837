"""The database bootstrap: what the compiled tasks give each container, and what the compiled bootstrap
does to a real PostgreSQL 16 when it runs twice.

The server is the pgserver wheel's (tests/postgres_support.py), set up as RDS leaves an instance: a
master user with CREATEROLE and CREATEDB (not a superuser) owning the database created at launch. The
bootstrap runs as the container runs it (the compiled command and environment; only the host, port
and TLS mode point at the local server), once per service that uses a database, then all again.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cfncompiler import contract
from cfncompiler.layers import bootstrap
from cfncompiler.naming import logical_id
from tests.postgres_support import SUPERUSER, Server, postgres_server, run
from tests.spec_edit import Compiled, TemplateDict, container, production, ref

# service -> (layer, the database it uses); the others use none.
USERS = {
    "coder": ("platform", "coder"),
    "litellm": ("platform", "litellm"),
    "langfuse-web": ("observability", "langfuse"),
    "langfuse-worker": ("observability", "langfuse"),
}
NON_USERS = {"key-provisioner": "platform", "clickhouse": "observability"}
MASTER_PASSWORD = "master-password"
# One worker starts the one server this module needs.
pytestmark = pytest.mark.xdist_group("postgres")
APP_DATABASES = ("coder", "litellm", "langfuse")


def password_of(login: str) -> str:
    # Quotes and a semicolon: the password is a psql literal, never SQL text.
    return f"{login}-pw-'; DROP ROLE {login}; --"


def task_containers(compiled: Compiled, layer: str, service: str) -> list[TemplateDict]:
    task: list[TemplateDict] = compiled.templates[layer]["Resources"][logical_id(service, "task")]["Properties"][
        "ContainerDefinitions"
    ]
    return task


def secret_sources(definition: TemplateDict) -> dict[str, Any]:
    return {s["Name"]: s["ValueFrom"] for s in definition.get("Secrets", [])}


def secret_parameters(definitions: list[TemplateDict]) -> set[str]:
    """The Parameters (secret ARNs) the Secrets of these containers read from."""
    found = set()
    for definition in definitions:
        for value in secret_sources(definition).values():
            found.add(value["Ref"] if "Ref" in value else value["Fn::Join"][1][0]["Ref"])
    return found


def json_key(parameter: str, key: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [ref(parameter), f":{key}::"]]}


MASTER = contract.database_secret_arn().name


# --------------------------------------------------------------------------- the compiled tasks


@pytest.mark.parametrize("service", list(USERS))
def test_an_app_container_gets_its_own_login_and_never_the_master_secret(compiled: Compiled, service: str) -> None:
    layer, database = USERS[service]
    own = contract.secret_arn(compiled.spec.data.database.databases[database].secret).name
    app = container(compiled.templates[layer], logical_id(service, "task"), service)
    assert json_key(own, "password") in secret_sources(app).values()
    logins = {contract.secret_arn(db.secret).name for db in compiled.spec.data.database.databases.values()}
    assert secret_parameters([app]) & (logins | {MASTER}) == {own}


@pytest.mark.parametrize("service", list(USERS))
def test_the_bootstrap_alone_reads_the_master_secret_and_the_app_waits_for_it(compiled: Compiled, service: str) -> None:
    layer, database = USERS[service]
    db = compiled.spec.data.database
    init = container(compiled.templates[layer], logical_id(service, "task"), bootstrap.CONTAINER)
    assert init["Essential"] is False
    assert init["Image"] == db.bootstrap_image
    assert init["Command"] == bootstrap.COMMAND
    assert secret_sources(init) == {
        "PGPASSWORD": json_key(MASTER, "password"),
        bootstrap.PASSWORD_VARIABLE: json_key(contract.secret_arn(db.databases[database].secret).name, "password"),
    }
    env = {e["Name"]: e["Value"] for e in init["Environment"]}
    assert env["PGHOST"] == ref("DatabaseEndpoint")
    assert (env["PGUSER"], env["PGDATABASE"], env["PGPORT"]) == ("coder_admin", "coder", "5432")
    assert env["PGSSLMODE"] == "require"  # data.database.require_ssl: RDS refuses plain connections
    assert env[bootstrap.SCRIPT_VARIABLE] == bootstrap.script(database, db.databases[database].login)
    app = container(compiled.templates[layer], logical_id(service, "task"), service)
    assert {"ContainerName": bootstrap.CONTAINER, "Condition": "SUCCESS"} in app["DependsOn"]
    # Only the bootstrap container holds the master secret in this task.
    holders = [c["Name"] for c in task_containers(compiled, layer, service) if MASTER in secret_parameters([c])]
    assert holders == [bootstrap.CONTAINER]


@pytest.mark.parametrize(("service", "layer"), list(NON_USERS.items()))
def test_a_service_without_a_database_runs_no_bootstrap(compiled: Compiled, service: str, layer: str) -> None:
    names = [c["Name"] for c in task_containers(compiled, layer, service)]
    assert bootstrap.CONTAINER not in names
    assert MASTER not in secret_parameters(task_containers(compiled, layer, service))


def test_the_script_takes_the_password_from_the_environment_not_its_text() -> None:
    text = bootstrap.script("litellm", "litellm")
    assert f"\\getenv login_password {bootstrap.PASSWORD_VARIABLE}" in text
    assert "PASSWORD :'login_password'" in text


# --------------------------------------------------------------------------- a real PostgreSQL


@dataclass(frozen=True)
class Ran:
    server: Server
    first: dict[str, subprocess.CompletedProcess[str]]
    second: dict[str, subprocess.CompletedProcess[str]]
    before_second: str
    after_second: str


def run_bootstrap(server: Server, init: TemplateDict, password: str) -> subprocess.CompletedProcess[str]:
    """The bootstrap container as ECS runs it, against the local server: its command and environment,
    with the host, port and TLS mode of this server, the master's and the login's passwords as ECS puts them."""
    env = {e["Name"]: e["Value"] for e in init["Environment"] if isinstance(e["Value"], str)}
    env |= server.env(env["PGUSER"], MASTER_PASSWORD, env["PGDATABASE"], **{bootstrap.PASSWORD_VARIABLE: password})
    return run(init["Command"], env, check=False)


# What the bootstrap could change: roles, memberships, databases with their owners and ACLs, and who owns
# each object in each application database. (Not the stored password hash: a new salt each run.)
STATE = """
SELECT string_agg(row, E'\\n' ORDER BY row) FROM (
  SELECT format('role %s login=%s super=%s createdb=%s createrole=%s', rolname, rolcanlogin, rolsuper,
                rolcreatedb, rolcreaterole) AS row FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT format('member %s in %s by %s admin=%s inherit=%s set=%s', member::regrole, roleid::regrole,
                grantor::regrole, admin_option, inherit_option, set_option) FROM pg_auth_members
  UNION ALL
  SELECT format('database %s owner %s acl %s', datname, datdba::regrole, datacl) FROM pg_database
) AS state;
"""
OBJECTS = """
SELECT string_agg(format('%s %s owner %s', relkind, oid::regclass, relowner::regrole), E'\\n'
                  ORDER BY oid::regclass::text)
  FROM pg_class WHERE relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%'
                                                                          OR nspname = 'information_schema');
"""


def state(server: Server) -> str:
    shown = [server.psql(STATE, user=SUPERUSER, password=None, database="postgres").stdout]
    shown += [server.psql(OBJECTS, user=SUPERUSER, password=None, database=db).stdout for db in APP_DATABASES]
    return "\n".join(shown)


def as_rds_leaves_it(server: Server) -> None:
    """RDS: a master user that is not a superuser, the launch database it owns; and what the README used
    to ask: litellm created by hand, the apps' tables created by the apps logged in as the master user."""
    server.psql(
        f"CREATE ROLE coder_admin LOGIN CREATEROLE CREATEDB PASSWORD '{MASTER_PASSWORD}';\n"
        "CREATE DATABASE coder OWNER coder_admin;",
        user=SUPERUSER,
        password=None,
        database="postgres",
    )
    server.psql("CREATE DATABASE litellm;", user="coder_admin", password=MASTER_PASSWORD, database="coder")
    server.psql(
        "CREATE TYPE login_type AS ENUM ('password', 'oidc');\n"
        "CREATE TABLE users (id uuid PRIMARY KEY, login_type login_type NOT NULL);",
        user="coder_admin",
        password=MASTER_PASSWORD,
        database="coder",
    )
    server.psql(
        "CREATE TABLE spend (id serial PRIMARY KEY, team text, usd numeric);\n"
        "CREATE VIEW team_spend AS SELECT team, sum(usd) AS usd FROM spend GROUP BY team;\n"
        "CREATE FUNCTION total() RETURNS numeric LANGUAGE sql AS 'SELECT coalesce(sum(usd), 0) FROM spend';\n"
        "CREATE SCHEMA audit;\n"
        "CREATE TABLE audit.events (id bigint GENERATED ALWAYS AS IDENTITY, what text);\n"
        "INSERT INTO spend (team, usd) VALUES ('platform', 12.5);",
        user="coder_admin",
        password=MASTER_PASSWORD,
        database="litellm",
    )


@pytest.fixture(scope="module")
def ran() -> Iterator[Ran]:
    compiled = production()
    inits = {
        service: container(compiled.templates[layer], logical_id(service, "task"), bootstrap.CONTAINER)
        for service, (layer, _) in USERS.items()
    }
    logins = {service: compiled.spec.data.database.databases[db].login for service, (_, db) in USERS.items()}
    with postgres_server() as server:
        as_rds_leaves_it(server)
        first = {s: run_bootstrap(server, init, password_of(logins[s])) for s, init in inits.items()}
        before = state(server)
        second = {s: run_bootstrap(server, init, password_of(logins[s])) for s, init in inits.items()}
        yield Ran(server, first, second, before, state(server))


def test_every_bootstrap_succeeds_twice(ran: Ran) -> None:
    for service, result in [*ran.first.items(), *ran.second.items()]:
        assert result.returncode == 0, f"{service}:\n{result.stdout}\n{result.stderr}"
    assert "CREATE ROLE" in ran.first["coder"].stdout
    assert "CREATE DATABASE" in ran.first["langfuse-web"].stdout  # litellm and coder existed already
    assert "CREATE DATABASE" not in ran.first["litellm"].stdout


def test_a_second_run_changes_nothing(ran: Ran) -> None:
    assert ran.after_second == ran.before_second
    for service, result in ran.second.items():
        assert "CREATE" not in result.stdout, service
        assert "OWNER TO" not in result.stderr, service
        assert "GRANT" not in result.stdout, service


@pytest.mark.parametrize("login", APP_DATABASES)
def test_each_login_reaches_its_own_database_and_is_refused_on_the_others(ran: Ran, login: str) -> None:
    for database in APP_DATABASES:
        result = ran.server.psql(
            "SELECT current_user || '@' || current_database();",
            user=login,
            password=password_of(login),
            database=database,
            check=False,
        )
        if database == login:
            assert result.returncode == 0, result.stderr
            assert result.stdout.strip() == f"{login}@{database}"
        else:
            assert result.returncode != 0
            assert f'permission denied for database "{database}"' in result.stderr


def test_a_login_is_neither_superuser_nor_able_to_create_roles_or_databases(ran: Ran) -> None:
    roles = ran.before_second.splitlines()
    for login in APP_DATABASES:
        assert f"role {login} login=t super=f createdb=f createrole=f" in roles


def test_what_the_master_user_made_before_now_belongs_to_the_login_and_works(ran: Ran) -> None:
    objects = ran.before_second
    for line in ("r spend owner litellm", "S spend_id_seq owner litellm", "v team_spend owner litellm"):
        assert line in objects
    assert "r audit.events owner litellm" in objects
    assert "r users owner coder" in objects
    assert "owner coder_admin" not in objects
    used = ran.server.psql(
        "INSERT INTO spend (team, usd) VALUES ('ai', 1); INSERT INTO audit.events (what) VALUES ('x');\n"
        "SELECT total(); SELECT usd FROM team_spend WHERE team = 'platform';",
        user="litellm",
        password=password_of("litellm"),
        database="litellm",
    )
    assert used.stdout.split() == ["13.5", "12.5"]
    typed = ran.server.psql(
        "INSERT INTO users VALUES (gen_random_uuid(), 'oidc'); ALTER TYPE login_type ADD VALUE 'github';",
        user="coder",
        password=password_of("coder"),
        database="coder",
    )
    assert typed.returncode == 0


def test_a_rotated_password_applies_at_the_next_start(ran: Ran) -> None:
    init = container(production().templates["platform"], logical_id("litellm", "task"), bootstrap.CONTAINER)
    assert run_bootstrap(ran.server, init, "rotated-password").returncode == 0
    try:
        old = ran.server.psql(
            "SELECT 1", user="litellm", password=password_of("litellm"), database="litellm", check=False
        )
        assert "password authentication failed" in old.stderr
        new = ran.server.psql("SELECT 1", user="litellm", password="rotated-password", database="litellm")
        assert new.stdout.strip() == "1"
    finally:
        assert run_bootstrap(ran.server, init, password_of("litellm")).returncode == 0


def test_bootstraps_that_start_together_both_succeed(ran: Ran) -> None:
    """Langfuse web and worker bootstrap the same database, and start at the same time."""
    env = ran.server.env("coder_admin", MASTER_PASSWORD, "coder", **{bootstrap.PASSWORD_VARIABLE: "together-pw"})
    env[bootstrap.SCRIPT_VARIABLE] = bootstrap.script("together", "together")
    started = [
        subprocess.Popen(bootstrap.COMMAND, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in started]
    assert [process.returncode for process in started] == [0, 0], outputs
    reached = ran.server.psql("SELECT 1", user="together", password="together-pw", database="together")
    assert reached.stdout.strip() == "1"
