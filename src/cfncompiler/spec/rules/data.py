"""Rules of the data section: the database, buckets, secrets and the cache's AUTH token."""

from __future__ import annotations

from collections.abc import Iterator

from cfncompiler.naming import logical_id
from cfncompiler.spec.model import Bucket, Data, Database, Secret
from cfncompiler.spec.rules.base import BUCKET, DATA, DATABASE, SECRET, Loc, Violation, duplicate_ids, rule

# Names PostgreSQL or RDS keep for themselves: a login or database of these names cannot be an application's.
RESERVED_LOGINS = ("public", "none", "current_user", "current_role", "session_user", "postgres", "rdsadmin")
RESERVED_LOGIN_PREFIXES = ("pg_", "rds")
RESERVED_DATABASES = ("postgres", "template0", "template1", "rdsadmin")


@rule("S201", "the storage autoscaling ceiling is not below the allocated storage", DATABASE)
def storage_can_grow(database: Database) -> Iterator[Violation]:
    if database.max_storage_gb < database.storage_gb:
        yield ("max_storage_gb",), f"{database.max_storage_gb} GB is below the allocated {database.storage_gb} GB"


@rule("S202", "only a versioned bucket expires old versions", BUCKET)
def old_versions_need_versioning(bucket: Bucket) -> Iterator[Violation]:
    if bucket.old_versions_days is not None and not bucket.versioned:
        yield ("old_versions_days",), "only a versioned bucket has old versions to expire"


@rule("S203", "a secret is either provided by an operator or generated, and lists each key once", SECRET)
def secret_has_one_source(secret: Secret) -> Iterator[Violation]:
    if (secret.provided is None) == (secret.generate is None):
        yield (), "give exactly one of 'provided' (operator fills it) or 'generate'"
    elif secret.provided is not None and len(set(secret.provided)) != len(secret.provided):
        yield ("provided",), "a key is listed more than once"


@rule("S204", "bucket, table and secret names stay distinct as CloudFormation names", DATA)
def data_names_stay_distinct(data: Data) -> Iterator[Violation]:
    yield from duplicate_ids("bucket", data.buckets, ("buckets",))
    yield from duplicate_ids("table", data.tables, ("tables",))
    yield from duplicate_ids("secret", data.secrets, ("secrets",))


@rule("S205", "at most one bucket receives the access logs", DATA)
def one_access_log_bucket(data: Data) -> Iterator[Violation]:
    receivers = [name for name, bucket in data.buckets.items() if bucket.receives_access_logs]
    for extra in receivers[1:]:
        yield (
            ("buckets", extra, "receives_access_logs"),
            f"only one bucket can receive access logs; '{receivers[0]}' already does",
        )


@rule("S206", "the cache's AUTH token is a generated alphanumeric secret of at most 128 characters", DATA)
def auth_token_is_usable(data: Data) -> Iterator[Violation]:
    name = data.cache.auth_token_secret
    secret = data.secrets.get(name)
    where: Loc = ("cache", "auth_token_secret")
    if secret is None:
        yield where, f"unknown secret '{name}' (data.secrets has: {', '.join(data.secrets)})"
    elif secret.generate is None or secret.generate.alphabet != "alphanumeric" or secret.generate.length > 128:
        yield (
            where,
            (
                f"secret '{name}' must be generated with alphabet: alphanumeric and length up to 128 "
                '(Redis AUTH tokens allow no punctuation such as / " @)'
            ),
        )


@rule(
    "S207",
    "each application database has a login and a secret of its own, not the master user's nor a system name",
    DATA,
)
def database_logins_are_distinct(data: Data) -> Iterator[Violation]:
    db = data.database
    logins: dict[str, str] = {}
    secrets = {logical_id("secret", name): "a secret under data.secrets" for name in data.secrets}
    for name, database in db.databases.items():
        at: Loc = ("database", "databases", name)
        if name in RESERVED_DATABASES:
            yield at, f"database '{name}' is one PostgreSQL or RDS keeps for itself; choose another name"
        login = database.login
        if login == db.username:
            yield (
                (*at, "login"),
                f"'{login}' is the master user; the application needs a login of its own (only the bootstrap "
                "logs in as the master user)",
            )
        elif login in RESERVED_LOGINS or login.startswith(RESERVED_LOGIN_PREFIXES):
            yield (*at, "login"), f"login '{login}' is a name PostgreSQL or RDS keeps for itself; choose another"
        elif login in logins:
            yield (*at, "login"), f"login '{login}' already owns database '{logins[login]}'; a login owns one database"
        logins.setdefault(login, name)
        key = logical_id("secret", database.secret)
        if key in secrets:
            yield (
                (*at, "secret"),
                f"secret '{database.secret}' is already {secrets[key]}; each login gets a secret of its own",
            )
        secrets.setdefault(key, f"the login of database '{name}'")


@rule("S208", "a bootstrap image runs the bootstrap when the database lists application databases", DATABASE)
def bootstrap_has_an_image(database: Database) -> Iterator[Violation]:
    if database.databases and database.bootstrap_image is None:
        yield (
            ("databases",),
            "the bootstrap creates these databases and logins with psql: name an image that has it in "
            "'bootstrap_image' (e.g. the official postgres image of the engine's major version)",
        )


RULES = (
    storage_can_grow,
    old_versions_need_versioning,
    secret_has_one_source,
    data_names_stay_distinct,
    one_access_log_bucket,
    auth_token_is_usable,
    database_logins_are_distinct,
    bootstrap_has_an_image,
)
