"""DataStack: RDS PostgreSQL, ElastiCache Redis, EFS, S3 buckets, DynamoDB tables, Secrets Manager.

Everything here holds state, so every resource that does carries a deletion
and replacement policy that keeps the data (a final snapshot where the
service offers one, otherwise Retain).
"""

from __future__ import annotations

from awacs import s3 as as3
from awacs.aws import AWSPrincipal, Bool, Condition, Deny, PolicyDocument, Statement
from troposphere import GetAtt, Join, Ref, Select, Sub, Template, dynamodb, efs, elasticache, rds, s3, secretsmanager

from cfncompiler.layers import Inputs, contract
from cfncompiler.layers.common import Layer, optional
from cfncompiler.layers.encryption import key_arn, layer_key
from cfncompiler.model import Bucket, Generate, Secret, Spec
from cfncompiler.naming import logical_id

KEEP_SNAPSHOT = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
KEEP = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}

EFS_PERFORMANCE = {"general-purpose": "generalPurpose", "max-io": "maxIO"}
DYNAMODB_TYPES = {"string": "S", "number": "N", "binary": "B"}
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
        _bucket(layer, key, name, bucket)
    for name in spec.data.tables:
        _table(layer, key, name)
    for name, secret in spec.data.secrets.items():
        _secret(layer, key, name, secret)
    return layer.template


def _database(layer: Layer, key: object) -> None:
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
    instance = layer.add(
        rds.DBInstance(
            "Database",
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
            **KEEP_SNAPSHOT,
        )
    )
    layer.publish(contract.database_endpoint(), GetAtt(instance, "Endpoint.Address"))
    layer.publish(contract.database_port(), GetAtt(instance, "Endpoint.Port"))
    layer.publish(contract.database_secret_arn(), GetAtt(instance, "MasterUserSecret.SecretArn"))


def _cache(layer: Layer, key: object) -> None:
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
            **KEEP_SNAPSHOT,
        )
    )
    layer.publish(contract.cache_endpoint(), GetAtt(group, "PrimaryEndPoint.Address"))
    layer.publish(contract.cache_port(), GetAtt(group, "PrimaryEndPoint.Port"))


def _file_system(layer: Layer, key: object) -> None:
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


def _bucket(layer: Layer, key: object, name: str, spec: Bucket) -> None:
    bucket = layer.add(
        s3.Bucket(
            logical_id("bucket", name),
            # Account id in the name: bucket names are global, the spec's are not.
            BucketName=Sub(f"{layer.spec.project}-{name}-${{AWS::AccountId}}"),
            BucketEncryption=s3.BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    s3.ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                            SSEAlgorithm="aws:kms", KMSMasterKeyID=key_arn(key)
                        ),
                        BucketKeyEnabled=True,
                    )
                ]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
            ),
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            **optional(
                VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled") if spec.versioned else None
            ),
            **KEEP,
        )
    )
    arn = GetAtt(bucket, "Arn")
    layer.add(
        s3.BucketPolicy(
            logical_id("bucket", name, "policy"),
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    Statement(
                        Sid="DenyInsecureTransport",
                        Effect=Deny,
                        Principal=AWSPrincipal("*"),
                        Action=[as3.Action("*")],
                        Resource=[arn, Join("", [arn, "/*"])],
                        Condition=Condition(Bool("aws:SecureTransport", False)),
                    )
                ],
            ),
        )
    )
    layer.publish(contract.bucket_name(name), Ref(bucket))


def _table(layer: Layer, key: object, name: str) -> None:
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


def _secret(layer: Layer, key: object, name: str, secret: Secret) -> None:
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


def _generator(generate: Generate) -> secretsmanager.GenerateSecretString:
    if generate.alphabet == "hex":
        return secretsmanager.GenerateSecretString(
            PasswordLength=generate.length, ExcludePunctuation=True, ExcludeCharacters=HEX_EXCLUDES
        )
    return secretsmanager.GenerateSecretString(
        PasswordLength=generate.length,
        ExcludePunctuation=generate.alphabet == "alphanumeric",
        # Characters that break URLs, shells and JSON when a value is pasted somewhere.
        ExcludeCharacters="\"'@/\\`$%&:?#",
    )
