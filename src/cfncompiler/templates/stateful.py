"""Which CloudFormation resource types hold data that a deletion or replacement would lose.

One list, read by the layer builders' tests (every such resource keeps its
data on delete), by the deployer's data-loss guard (no change set removes or
replaces one unless the user names it) and by the stack policy.
"""

from __future__ import annotations

STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::EFS::FileSystem",
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::SecretsManager::Secret",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
    }
)


def is_stateful(resource_type: str) -> bool:
    return resource_type in STATEFUL_TYPES
