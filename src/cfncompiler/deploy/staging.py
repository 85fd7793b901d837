"""S3 for what does not fit in an API call: templates over 51,200 bytes, and content-addressed files.

The staging bucket is the deployer's own, one per account and region,
created the first time a template needs it: encrypted, closed to the public,
TLS only, and emptied of old templates by a lifecycle rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from awacs.aws import Bool, Condition, Deny, PolicyDocument, Principal, Statement
from awacs.s3 import ARN as S3_ARN
from awacs.s3 import Action as S3Action
from botocore.exceptions import ClientError

from cfncompiler.templates.assets import AssetFile

# CloudFormation's hard limit for TemplateBody; larger templates must be passed by URL.
TEMPLATE_BODY_LIMIT = 51_200
# A staged template is read once, when its change set is created; a week is ample.
EXPIRE_AFTER_DAYS = 7
TEMPLATES_PREFIX = "templates/"


def bucket_name(account: str, region: str) -> str:
    return f"cfncompiler-staging-{account}-{region}"


def object_url(bucket: str, region: str, key: str) -> str:
    """The virtual-hosted S3 URL CloudFormation fetches a TemplateURL from."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"


def template_key(stack_name: str, body: str) -> str:
    return f"{TEMPLATES_PREFIX}{stack_name}/{hashlib.sha256(body.encode('utf-8')).hexdigest()}.yaml"


def tls_only_policy(bucket: str) -> str:
    statement = Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[S3Action("*")],
        Resource=[S3_ARN(bucket), S3_ARN(f"{bucket}/*")],
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )
    text: str = PolicyDocument(Version="2012-10-17", Statement=[statement]).to_json(indent=2)
    return text


def exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def create_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create the staging bucket with every safeguard set before anything is put in it."""
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, ObjectOwnership="BucketOwnerEnforced", **location)
    s3.get_waiter("bucket_exists").wait(Bucket=bucket)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-staged-templates",
                    "Status": "Enabled",
                    "Filter": {"Prefix": TEMPLATES_PREFIX},
                    "Expiration": {"Days": EXPIRE_AFTER_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))


def upload_files(s3: Any, bucket: str, prefix: str, files: Iterable[AssetFile]) -> list[str]:
    """Put each file at ``prefix + relative`` unless it is already there; return the keys uploaded.

    Keys are content-addressed by the prefix, so an existing key already holds these bytes.
    """
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    present = {obj["Key"] for page in pages for obj in page.get("Contents", [])}
    uploaded = []
    for f in files:
        key = prefix + f.relative
        if key not in present:
            s3.put_object(Bucket=bucket, Key=key, Body=f.data)
            uploaded.append(key)
    return uploaded


class Staging:
    """The staging bucket of this account and region, looked up (and created) only when first needed."""

    def __init__(self, s3: Any, sts: Any, region: str) -> None:
        self._s3, self._sts, self._region = s3, sts, region
        self._bucket: str | None = None

    def bucket(self) -> str:
        if self._bucket is None:
            account = self._sts.get_caller_identity()["Account"]
            name = bucket_name(account, self._region)
            if not exists(self._s3, name):
                create_bucket(self._s3, name, self._region)
            self._bucket = name
        return self._bucket

    def template_url(self, stack_name: str, body: str) -> str:
        bucket = self.bucket()
        key = template_key(stack_name, body)
        self._s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
        return object_url(bucket, self._region, key)
