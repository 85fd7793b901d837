"""Coder workspaces: the role they run with, and what Coder's Terraform provisioner may do to start them.

Workspaces are ECS tasks and services that Terraform (inside Coder) creates on
the platform's cluster, using the values the Terraform bridge publishes.
"""

from __future__ import annotations

from awacs import ecs as aecs
from awacs import elasticfilesystem, kms, secretsmanager, ssm
from awacs import elasticloadbalancing as elb
from awacs import iam as aiam
from awacs.aws import Condition, Null, Statement, StringEquals
from troposphere import Sub, iam

from cfncompiler import contract
from cfncompiler.layers.common import Layer, file_system_arn
from cfncompiler.layers.iam import allow, task_role


def workspace_role(layer: Layer) -> iam.Role:
    """Workspaces mount their home directories from the shared EFS file system, and only through an
    access point (which Terraform creates per workspace and which pins the directory): never the
    root of the file system, where the platform services keep their data."""
    through_access_point = Condition(Null("elasticfilesystem:AccessPointArn", "false"))
    return task_role(
        "WorkspaceTaskRole",
        "Task role of Coder workspaces",
        [
            allow(
                [elasticfilesystem.ClientMount, elasticfilesystem.ClientWrite],
                [file_system_arn(layer)],
                through_access_point,
            )
        ],
    )


def direct_path_client_statements(layer: Layer) -> list[Statement]:
    """Read the direct path's OIDC client secret, and nothing else in Secrets Manager: workspace templates
    (run by Coder's provisioner) put the same sign-in in front of their own listener rules."""
    direct = layer.spec.platform.direct_path
    if direct is None:
        return []
    secret = layer.resolve(contract.secret_arn(direct.oidc.client.secret))
    return [
        allow([secretsmanager.GetSecretValue], [secret]),
        # Secrets are encrypted with the data layer's key; decrypting is allowed for this secret only.
        allow(
            [kms.Decrypt],
            [layer.resolve(contract.data_key_arn())],
            Condition(
                StringEquals(
                    {
                        "kms:ViaService": Sub("secretsmanager.${AWS::Region}.amazonaws.com"),
                        "kms:EncryptionContext:SecretARN": secret,
                    }
                )
            ),
        ),
    ]


def workspace_admin_statements(layer: Layer) -> list[Statement]:
    """Coder's task role: manage workspace services and tasks on this cluster only."""
    cluster = layer.resolve(contract.cluster_name())
    in_cluster = Condition(StringEquals("ecs:cluster", layer.resolve(contract.cluster_arn())))
    arn = "arn:${AWS::Partition}"
    here = "${AWS::Region}:${AWS::AccountId}"
    return [
        allow(
            [
                aecs.RegisterTaskDefinition,
                aecs.DeregisterTaskDefinition,
                aecs.DescribeTaskDefinition,
                aecs.ListTaskDefinitions,
            ],
            ["*"],
        ),
        allow(
            [aecs.CreateService, aecs.UpdateService, aecs.DeleteService, aecs.DescribeServices, aecs.TagResource],
            [Sub(f"{arn}:ecs:{here}:service/${{Cluster}}/*", Cluster=cluster)],
        ),
        allow([aecs.RunTask], [Sub(f"{arn}:ecs:{here}:task-definition/*")], in_cluster),
        allow(
            [aecs.StopTask, aecs.DescribeTasks],
            [Sub(f"{arn}:ecs:{here}:task/${{Cluster}}/*", Cluster=cluster)],
        ),
        allow([aecs.DescribeClusters], [layer.resolve(contract.cluster_arn())]),
        allow(
            [aiam.PassRole],
            [layer.resolve(contract.workspace_role_arn()), layer.resolve(contract.execution_role_arn())],
            Condition(StringEquals("iam:PassedToService", "ecs-tasks.amazonaws.com")),
        ),
        allow(
            [ssm.GetParameter, ssm.GetParameters, ssm.GetParametersByPath],
            [Sub(f"{arn}:ssm:{here}:parameter{layer.spec.platform.terraform_bridge.parameter_prefix}/*")],
        ),
        allow(
            [elasticfilesystem.CreateAccessPoint, elasticfilesystem.TagResource],
            [file_system_arn(layer)],
        ),
        allow(
            [elasticfilesystem.DeleteAccessPoint],
            [Sub(f"{arn}:elasticfilesystem:{here}:access-point/*")],
        ),
        allow([elasticfilesystem.DescribeAccessPoints], ["*"]),
        allow(
            [elb.CreateRule, elb.DeleteRule, elb.ModifyRule, elb.AddTags],
            [Sub(f"{arn}:elasticloadbalancing:{here}:listener-rule/app/*")],
        ),
        allow(
            [
                elb.CreateTargetGroup,
                elb.DeleteTargetGroup,
                elb.ModifyTargetGroup,
                elb.ModifyTargetGroupAttributes,
                elb.RegisterTargets,
                elb.DeregisterTargets,
                elb.AddTags,
            ],
            [Sub(f"{arn}:elasticloadbalancing:{here}:targetgroup/*")],
        ),
        allow(
            [
                elb.DescribeTargetGroups,
                elb.DescribeTargetHealth,
                elb.DescribeRules,
                elb.DescribeListeners,
                elb.DescribeLoadBalancers,
                elb.DescribeTags,
            ],
            ["*"],
        ),
        *direct_path_client_statements(layer),
    ]
