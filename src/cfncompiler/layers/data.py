"""DataStack: RDS PostgreSQL, ElastiCache Redis, EFS, S3 buckets, DynamoDB tables, Secrets Manager.

Everything here holds state, so every resource that does carries a deletion
and replacement policy that keeps the data (a final snapshot where the
service offers one, otherwise Retain).
"""

from __future__ import annotations

import json

from awacs import s3 as as3
from awacs.aws import (
    Allow,
    ArnLike,
    AWSPrincipal,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import (
    GetAtt,
    Join,
    Ref,
    Select,
    Sub,
    Template,
    dynamodb,
    efs,
    elasticache,
    iam,
    rds,
    s3,
    secretsmanager,
)
from troposphere import kms as tkms

from cfncompiler import contract
from cfncompiler.layers import Inputs, alarms
from cfncompiler.layers.common import Layer, optional, suppress
from cfncompiler.layers.encryption import key_arn, layer_key
from cfncompiler.layers.iam import service_trust
from cfncompiler.naming import logical_id
from cfncompiler.spec.model import AppDatabase, Bucket, Generate, Secret, Spec

KEEP_SNAPSHOT = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
KEEP = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}

EFS_PERFORMANCE = {"general-purpose": "generalPurpose", "max-io": "maxIO"}
DYNAMODB_TYPES = {"string": "S", "number": "N", "binary": "B"}
# The account ELB delivers ALB access logs from, in regions older than August 2022;
# newer regions use the log-delivery service principal instead. An AWS fact table.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-south-1": "718504428378",
    "sa-east-1": "507241528517",
}
ENHANCED_MONITORING_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
# Secrets Manager has no "alphabet" switch; excluding every other character gets one.
HEX_EXCLUDES = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ"


def build(spec: Spec, inputs: Inputs) -> Template:
    layer = Layer(spec, "data", "PostgreSQL, Redis, EFS, S3, DynamoDB, secrets")
    key = layer_key(layer, "data at rest", for_log_groups=False)
    layer.publish(contract.data_key_arn(), key_arn(key))
    _database(layer, key)
    _cache(layer, key)
    _file_system(layer, key)
    for name, bucket in spec.data.buckets.items():
        with layer.at("data", "buckets", name):
            _bucket(layer, key, name, bucket)
    for name in spec.data.tables:
        with layer.at("data", "tables", name):
            _table(layer, key, name)
    for name, secret in spec.data.secrets.items():
        with layer.at("data", "secrets", name):
            _secret(layer, key, name, secret)
    for name, database in spec.data.database.databases.items():
        with layer.at("data", "database", "databases", name):
            _login_secret(layer, key, name, database)
    alarms.data_alarms(layer)
    return layer.template


def _database(layer: Layer, key: tkms.Key) -> None:
    db = layer.spec.data.database
    subnets = layer.add(
        rds.DBSubnetGroup(
            "DatabaseSubnetGroup",
            DBSubnetGroupDescription=f"{db.subnet_tier} subnets for PostgreSQL",
            SubnetIds=layer.upstream(contract.subnet_ids(db.subnet_tier)),
        )
    )
    parameters = layer.add(
        rds.DBParameterGroup(
            "DatabaseParameters",
            Description=f"{layer.spec.project} PostgreSQL {db.major_version} parameters",
            Family=f"{db.engine}{db.major_version}",
            Parameters={"rds.force_ssl": "1" if db.require_ssl else "0"},
        )
    )
    monitoring = {}
    if db.enhanced_monitoring_seconds:
        role = layer.add(
            iam.Role(
                "DatabaseMonitoringRole",
                Description="Lets RDS publish enhanced monitoring metrics",
                AssumeRolePolicyDocument=service_trust("monitoring.rds.amazonaws.com"),
                ManagedPolicyArns=[Sub(ENHANCED_MONITORING_POLICY)],
            )
        )
        monitoring = {"MonitoringInterval": db.enhanced_monitoring_seconds, "MonitoringRoleArn": GetAtt(role, "Arn")}
    instance = rds.DBInstance(
        "Database",
        **optional(DBInstanceIdentifier=db.identifier),
        Engine=db.engine,
        EngineVersion=db.version,
        DBInstanceClass=db.instance_class,
        MultiAZ=db.multi_az,
        AllocatedStorage=str(db.storage_gb),
        MaxAllocatedStorage=db.max_storage_gb,
        StorageType="gp3",
        StorageEncrypted=True,
        KmsKeyId=key_arn(key),
        BackupRetentionPeriod=db.backup_retention_days,
        DBName=db.name,
        MasterUsername=db.username,
        # RDS generates the password and keeps it in Secrets Manager; it never passes through a template.
        ManageMasterUserPassword=True,
        MasterUserSecret=rds.MasterUserSecret(KmsKeyId=key_arn(key)),
        Port=str(db.port),
        DBSubnetGroupName=Ref(subnets),
        DBParameterGroupName=Ref(parameters),
        VPCSecurityGroups=[layer.upstream(contract.security_group_id(db.security_group))],
        PubliclyAccessible=False,
        DeletionProtection=True,
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        EnableCloudwatchLogsExports=["postgresql", "upgrade"],
        EnableIAMDatabaseAuthentication=True,
        **monitoring,
        **KEEP_SNAPSHOT,
    )
    if not db.multi_az:
        suppress(
            instance,
            "CKV_AWS_157",
            "spec data.database.multi_az is false: the design runs single-AZ for cost and recovers from backups",
        )
    layer.add(instance)
    layer.publish(contract.database_endpoint(), GetAtt(instance, "Endpoint.Address"))
    layer.publish(contract.database_port(), GetAtt(instance, "Endpoint.Port"))
    layer.publish(contract.database_secret_arn(), GetAtt(instance, "MasterUserSecret.SecretArn"))


def _cache(layer: Layer, key: tkms.Key) -> None:
    cache = layer.spec.data.cache
    subnets = layer.add(
        elasticache.SubnetGroup(
            "CacheSubnetGroup",
            Description=f"{cache.subnet_tier} subnets for Redis",
            SubnetIds=layer.upstream(contract.subnet_ids(cache.subnet_tier)),
        )
    )
    failover = cache.replicas > 0
    group = layer.add(
        elasticache.ReplicationGroup(
            "Cache",
            **optional(ReplicationGroupId=cache.identifier),
            ReplicationGroupDescription=f"{layer.spec.project} Redis",
            Engine=cache.engine,
            EngineVersion=cache.version,
            CacheNodeType=cache.node_type,
            NumCacheClusters=1 + cache.replicas,
            AutomaticFailoverEnabled=failover,
            MultiAZEnabled=failover,
            Port=cache.port,
            CacheSubnetGroupName=Ref(subnets),
            SecurityGroupIds=[layer.upstream(contract.security_group_id(cache.security_group))],
            TransitEncryptionEnabled=True,
            AtRestEncryptionEnabled=True,
            KmsKeyId=key_arn(key),
            AutoMinorVersionUpgrade=True,
            SnapshotRetentionLimit=7,
            # A dynamic reference: CloudFormation reads the token from Secrets Manager; no template holds it.
            AuthToken=Sub(
                "{{resolve:secretsmanager:${Token}}}", Token=Ref(logical_id("secret", cache.auth_token_secret))
            ),
            **KEEP_SNAPSHOT,
        )
    )
    layer.publish(contract.cache_endpoint(), GetAtt(group, "PrimaryEndPoint.Address"))
    layer.publish(contract.cache_port(), GetAtt(group, "PrimaryEndPoint.Port"))


def _file_system(layer: Layer, key: tkms.Key) -> None:
    fs = layer.spec.data.file_system
    system = layer.add(
        efs.FileSystem(
            "FileSystem",
            Encrypted=True,
            KmsKeyId=key_arn(key),
            PerformanceMode=EFS_PERFORMANCE[fs.performance_mode],
            ThroughputMode=fs.throughput_mode,
            LifecyclePolicies=[efs.LifecyclePolicy(TransitionToIA=_ia_transition(fs.transition_to_ia_days))],
            BackupPolicy=efs.BackupPolicy(Status="ENABLED"),
            FileSystemTags=layer.name_tags("efs"),
            **KEEP,
        )
    )
    subnet_ids = layer.upstream(contract.subnet_ids(fs.mount_tier))
    group = layer.upstream(contract.security_group_id(fs.security_group))
    for index, subnet in enumerate(layer.spec.network.subnets_in(fs.mount_tier)):
        layer.add(
            efs.MountTarget(
                logical_id("mount-target", subnet),
                FileSystemId=Ref(system),
                SubnetId=Select(index, subnet_ids),
                SecurityGroups=[group],
            )
        )
    layer.publish(contract.file_system_id(), Ref(system))


def _ia_transition(days: int) -> str:
    return "AFTER_1_DAY" if days == 1 else f"AFTER_{days}_DAYS"


def _bucket(layer: Layer, key: tkms.Key, name: str, spec: Bucket) -> None:
    log_bucket = layer.spec.data.access_log_bucket
    bucket = s3.Bucket(
        logical_id("bucket", name),
        # Account id in the name: bucket names are global, the spec's are not.
        BucketName=bucket_name(layer, name),
        BucketEncryption=s3.BucketEncryption(ServerSideEncryptionConfiguration=[_encryption(key, spec)]),
        PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
        ),
        OwnershipControls=s3.OwnershipControls(Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        **KEEP,
        **optional(
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled") if spec.versioned else None,
            LifecycleConfiguration=_expire_old_versions(spec.old_versions_days),
            LoggingConfiguration=s3.LoggingConfiguration(
                DestinationBucketName=Ref(logical_id("bucket", log_bucket)), LogFilePrefix=f"s3/{name}/"
            )
            if log_bucket and not spec.receives_access_logs
            else None,
        ),
    )
    if spec.receives_access_logs:
        suppress(bucket, "CKV_AWS_18", "this is the access-log bucket; logging it into itself would loop")
    layer.add(bucket)
    arn = GetAtt(bucket, "Arn")
    statements = [
        Statement(
            Sid="DenyInsecureTransport",
            Effect=Deny,
            Principal=AWSPrincipal("*"),
            Action=[as3.Action("*")],
            Resource=[arn, Join("", [arn, "/*"])],
            Condition=Condition(Bool("aws:SecureTransport", False)),
        )
    ]
    if spec.receives_access_logs:
        statements += _log_delivery(layer, arn)
    layer.add(
        s3.BucketPolicy(
            logical_id("bucket", name, "policy"),
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
        )
    )
    layer.publish(contract.bucket_name(name), Ref(bucket))


def bucket_name(layer: Layer, name: str) -> Sub | str:
    own = layer.spec.data.buckets[name].name
    return own if own is not None else Sub(f"{layer.spec.project}-{name}-${{AWS::AccountId}}")


def _encryption(key: tkms.Key, spec: Bucket) -> s3.ServerSideEncryptionRule:
    if spec.receives_access_logs:
        # S3 server access logs and ALB access logs are only delivered to SSE-S3 buckets.
        return s3.ServerSideEncryptionRule(
            ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
        )
    return s3.ServerSideEncryptionRule(
        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
            SSEAlgorithm="aws:kms", KMSMasterKeyID=key_arn(key)
        ),
        BucketKeyEnabled=True,
    )


def _expire_old_versions(days: int | None) -> s3.LifecycleConfiguration | None:
    if days is None:
        return None
    return s3.LifecycleConfiguration(
        Rules=[
            s3.LifecycleRule(
                Id="expire-old-versions",
                Status="Enabled",
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=days),
                AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=7),
            )
        ]
    )


def _log_delivery(layer: Layer, arn: GetAtt) -> list[Statement]:
    """Let S3 (for our buckets) and the regional ELB account (for the ALB) write access logs."""
    sources = [
        Sub(f"arn:${{AWS::Partition}}:s3:::{layer.spec.project}-{name}-${{AWS::AccountId}}")
        for name, bucket in layer.spec.data.buckets.items()
        if not bucket.receives_access_logs
    ]
    statements = [
        Statement(
            Sid="S3ServerAccessLogs",
            Effect=Allow,
            Principal=Principal("Service", "logging.s3.amazonaws.com"),
            Action=[as3.PutObject],
            Resource=[Join("", [arn, "/s3/*"])],
            Condition=Condition(
                [ArnLike("aws:SourceArn", sources), StringEquals("aws:SourceAccount", Sub("${AWS::AccountId}"))]
            ),
        )
    ]
    elb_account = ELB_LOG_ACCOUNTS.get(layer.spec.region)
    principal = (
        AWSPrincipal(f"arn:aws:iam::{elb_account}:root")
        if elb_account
        else Principal("Service", "logdelivery.elasticloadbalancing.amazonaws.com")
    )
    statements.append(
        Statement(
            Sid="AlbAccessLogs",
            Effect=Allow,
            Principal=principal,
            Action=[as3.PutObject],
            Resource=[Join("", [arn, Sub("/alb/AWSLogs/${AWS::AccountId}/*")])],
        )
    )
    return statements


def _table(layer: Layer, key: tkms.Key, name: str) -> None:
    table = layer.spec.data.tables[name]
    resource = layer.add(
        dynamodb.Table(
            logical_id("table", name),
            TableName=name,
            AttributeDefinitions=[
                dynamodb.AttributeDefinition(
                    AttributeName=table.hash_key, AttributeType=DYNAMODB_TYPES[table.hash_key_type]
                )
            ],
            KeySchema=[dynamodb.KeySchema(AttributeName=table.hash_key, KeyType="HASH")],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification=dynamodb.SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=key_arn(key)),
            PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
            DeletionProtectionEnabled=True,
            **KEEP,
        )
    )
    layer.publish(contract.table_name(name), Ref(resource))


def _secret(layer: Layer, key: tkms.Key, name: str, secret: Secret) -> None:
    resource = layer.add(
        secretsmanager.Secret(
            logical_id("secret", name),
            Name=name,
            Description=secret.description,
            KmsKeyId=key_arn(key),
            **optional(GenerateSecretString=_generator(secret.generate) if secret.generate else None),
            **KEEP,
        )
    )
    layer.publish(contract.secret_arn(name), Ref(resource))


def _login_secret(layer: Layer, key: tkms.Key, name: str, database: AppDatabase) -> None:
    """A database login's secret: its name and a generated password, as the JSON keys username and password.
    The bootstrap sets the login's password from it; the services that use the database read it."""
    resource = layer.add(
        secretsmanager.Secret(
            logical_id("secret", database.secret),
            Name=database.secret,
            Description=f"Login {database.login} of database {name} (the bootstrap sets its password from here)",
            KmsKeyId=key_arn(key),
            GenerateSecretString=_generator(database.password, username=database.login),
            **KEEP,
        )
    )
    layer.publish(contract.secret_arn(database.secret), Ref(resource))


def _generator(generate: Generate, username: str | None = None) -> secretsmanager.GenerateSecretString:
    """Secrets Manager's generator; with a username, a JSON secret {"username": ..., "password": <generated>}."""
    as_json = (
        {"SecretStringTemplate": json.dumps({"username": username}), "GenerateStringKey": "password"}
        if username is not None
        else {}
    )
    if generate.alphabet == "hex":
        return secretsmanager.GenerateSecretString(
            PasswordLength=generate.length, ExcludePunctuation=True, ExcludeCharacters=HEX_EXCLUDES, **as_json
        )
    return secretsmanager.GenerateSecretString(
        PasswordLength=generate.length,
        ExcludePunctuation=generate.alphabet == "alphanumeric",
        # Characters that break URLs, shells and JSON when a value is pasted somewhere.
        ExcludeCharacters="\"'@/\\`$%&:?#",
        **as_json,
    )
