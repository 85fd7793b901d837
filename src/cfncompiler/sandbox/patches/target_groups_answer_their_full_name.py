"""Target groups answer Fn::GetAtt TargetGroupFullName, as CloudFormation documents."""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import FakeTargetGroup

# What CloudFormation documents for AWS::ElasticLoadBalancingV2::TargetGroup's Fn::GetAtt.
ATTRIBUTES = ("TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns")


def target_groups_answer_their_full_name() -> None:
    """Gap: moto's target group answers no Fn::GetAtt at all.

    Every route's alarms and the dashboard name a target group by TargetGroupFullName
    (targetgroup/NAME/ID, the TargetGroup dimension of its CloudWatch metrics); in moto
    the GetAtt failed the platform layer. The full name is the ARN's resource part.
    """

    def has_cfn_attr(cls: type[FakeTargetGroup], attr: str) -> bool:
        return attr in ATTRIBUTES

    def get_cfn_attribute(self: FakeTargetGroup, attribute_name: str) -> Any:
        if attribute_name == "TargetGroupFullName":
            return self.arn.split(":")[-1]
        if attribute_name == "TargetGroupName":
            return self.name
        if attribute_name == "LoadBalancerArns":
            return list(self.load_balancer_arns)
        return self.arn

    setattr(FakeTargetGroup, "has_cfn_attr", classmethod(has_cfn_attr))  # noqa: B010
    setattr(FakeTargetGroup, "get_cfn_attribute", get_cfn_attribute)  # noqa: B010
