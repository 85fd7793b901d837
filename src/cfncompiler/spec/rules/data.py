"""Rules of the data section: the database, buckets, secrets and the cache's AUTH token."""

from __future__ import annotations

from collections.abc import Iterator

from cfncompiler.spec.model import Bucket, Data, Database, Secret
from cfncompiler.spec.rules.base import BUCKET, DATA, DATABASE, SECRET, Loc, Violation, duplicate_ids, rule


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


RULES = (
    storage_can_grow,
    old_versions_need_versioning,
    secret_has_one_source,
    data_names_stay_distinct,
    one_access_log_bucket,
    auth_token_is_usable,
)
