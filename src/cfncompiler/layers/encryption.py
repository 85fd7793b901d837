"""Customer-managed KMS keys, one per layer that stores anything.

A key per layer keeps each stack self-contained: redeploying the platform
never touches the key that protects the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs import kms
from awacs.aws import Allow, ArnLike, AWSPrincipal, Condition, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, Sub
from troposphere import kms as tkms

from cfncompiler.layers.common import Layer

ACCOUNT_ROOT = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
LOG_GROUPS_IN_ACCOUNT = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"


def layer_key(layer: Layer, purpose: str, *, for_log_groups: bool, also: Sequence[Statement] = ()) -> tkms.Key:
    """The layer's key; ``for_log_groups`` lets CloudWatch Logs in this account use it; ``also`` adds statements."""
    statements = [
        # AWS's default key policy: the account (through IAM) administers and uses the key.
        # In a key policy "Resource: *" means this key only.
        Statement(
            Sid="AccountUsesIam",
            Effect=Allow,
            Principal=AWSPrincipal(Sub(ACCOUNT_ROOT)),
            Action=[kms.Action("*")],
            Resource=["*"],
        )
    ]
    if for_log_groups:
        statements.append(
            Statement(
                Sid="CloudWatchLogsEncrypt",
                Effect=Allow,
                Principal=Principal("Service", Sub("logs.${AWS::Region}.amazonaws.com")),
                Action=[
                    kms.Encrypt,
                    kms.Decrypt,
                    kms.ReEncryptFrom,
                    kms.ReEncryptTo,
                    kms.GenerateDataKey,
                    kms.DescribeKey,
                ],
                Resource=["*"],
                Condition=Condition(ArnLike("kms:EncryptionContext:aws:logs:arn", Sub(LOG_GROUPS_IN_ACCOUNT))),
            )
        )
    statements.extend(also)
    key = layer.add(
        tkms.Key(
            "EncryptionKey",
            Description=f"{layer.spec.project} {layer.name} layer: {purpose}",
            EnableKeyRotation=True,
            KeyPolicy=PolicyDocument(Version="2012-10-17", Statement=statements),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        )
    )
    layer.add(
        tkms.Alias("EncryptionKeyAlias", AliasName=f"alias/{layer.spec.project}/{layer.name}", TargetKeyId=Ref(key))
    )
    return key


def key_arn(key: tkms.Key) -> GetAtt:
    return GetAtt(key, "Arn")
