"""IAM building blocks shared by the layers, with least privilege enforced where statements are made.

``Resource: "*"`` is allowed only for actions that have no resource-level
form in IAM; :data:`UNSCOPED_ACTIONS` lists each one with the reason, and
:func:`allow` refuses any other action on "*". Nothing ever grants ``"*"``
as an action.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs.aws import Action, Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from awacs.sts import AssumeRole
from troposphere import Sub, iam

# The only actions that may be granted on Resource "*", and why.
UNSCOPED_ACTIONS: dict[str, str] = {
    "ecr:GetAuthorizationToken": "returns a registry-wide token; IAM has no resource for it",
    "ecs:RegisterTaskDefinition": "task definitions do not exist before registration; IAM has no resource for it",
    "ecs:DeregisterTaskDefinition": "IAM has no resource-level permission for it",
    "ecs:DescribeTaskDefinition": "IAM has no resource-level permission for it",
    "ecs:ListTaskDefinitions": "list actions have no resource in IAM",
    "elasticloadbalancing:DescribeTargetGroups": "Describe* actions of ELB have no resource in IAM",
    "elasticloadbalancing:DescribeTargetHealth": "Describe* actions of ELB have no resource in IAM",
    "elasticloadbalancing:DescribeRules": "Describe* actions of ELB have no resource in IAM",
    "elasticloadbalancing:DescribeListeners": "Describe* actions of ELB have no resource in IAM",
    "elasticloadbalancing:DescribeLoadBalancers": "Describe* actions of ELB have no resource in IAM",
    "elasticloadbalancing:DescribeTags": "Describe* actions of ELB have no resource in IAM",
    "elasticfilesystem:DescribeAccessPoints": "listing access points by file system is authorised on '*'",
}

EVERYTHING = "*"


class UnscopedGrant(ValueError):
    pass


def allow(actions: Sequence[Action], resources: Sequence[object], condition: Condition | None = None) -> Statement:
    """An Allow statement; raises when it would grant an action on "*" that is not in UNSCOPED_ACTIONS."""
    names = [action.JSONrepr() for action in actions]
    if any(name == EVERYTHING or name.endswith(":*") for name in names):
        raise UnscopedGrant(f"wildcard action in {names}")
    if EVERYTHING in resources:
        unlisted = [name for name in names if name not in UNSCOPED_ACTIONS]
        if unlisted:
            raise UnscopedGrant(f"{', '.join(unlisted)} on Resource '*' (not in UNSCOPED_ACTIONS)")
    statement = Statement(Effect=Allow, Action=list(actions), Resource=list(resources))
    if condition is not None:
        statement.Condition = condition
    return statement


def policy(statements: Sequence[Statement]) -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=list(statements))


def service_trust(service: str) -> PolicyDocument:
    """An AWS service may assume the role, acting for this account only (no confused deputy)."""
    return policy(
        [
            Statement(
                Effect=Allow,
                Principal=Principal("Service", service),
                Action=[AssumeRole],
                Condition=Condition(StringEquals("aws:SourceAccount", Sub("${AWS::AccountId}"))),
            )
        ]
    )


def ecs_tasks_trust() -> PolicyDocument:
    return service_trust("ecs-tasks.amazonaws.com")


def task_role(title: str, description: str, statements: Sequence[Statement]) -> iam.Role:
    """A task role with exactly ``statements``."""
    props: dict[str, object] = {}
    if statements:
        props["Policies"] = [iam.Policy(PolicyName="least-privilege", PolicyDocument=policy(statements))]
    return iam.Role(title, Description=description, AssumeRolePolicyDocument=ecs_tasks_trust(), **props)
