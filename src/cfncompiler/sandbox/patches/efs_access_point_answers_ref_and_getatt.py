"""EFS access points answer Ref and GetAtt."""

from __future__ import annotations


def efs_access_point_answers_ref_and_getatt() -> None:
    """Gap: moto creates AWS::EFS::AccessPoint from a template but cannot answer Ref or GetAtt on it.

    ``Fn::GetAtt AccessPoint.Arn`` crashes moto (HTTP 500), and the platform
    layer's task roles name their access point by ARN in an IAM condition.
    AWS answers Ref with the access point id and ``Arn``/``AccessPointId``.
    """
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.efs.models import AccessPoint

    def get_cfn_attribute(self: AccessPoint, attribute_name: str) -> str:
        values = {"Arn": self.access_point_arn, "AccessPointId": self.access_point_id}
        if attribute_name not in values:
            raise UnformattedGetAttTemplateException()
        return values[attribute_name]

    setattr(AccessPoint, "get_cfn_attribute", get_cfn_attribute)  # noqa: B010
    setattr(AccessPoint, "physical_resource_id", property(lambda self: self.access_point_id))  # noqa: B010
