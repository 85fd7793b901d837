"""Resource types moto does not model answer Ref and GetAtt through a placeholder."""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel


class PlaceholderResource(CloudFormationModel):
    """Stands in for a resource type moto accepts but does not model.

    Ref gives an ARN-shaped id; GetAtt gives that ARN for ``Arn``, the
    resource's own property for an attribute named like one (``...Port``),
    and a stable made-up string otherwise.
    """

    def __init__(self, resource_type: str, name: str, properties: dict[str, Any], account_id: str, region: str):
        service, kind = (part.lower() for part in resource_type.split("::")[1:3])
        self.cf_resource_type = resource_type
        self.name = name
        self.properties = properties
        self.arn = f"arn:aws:{service}:{region}:{account_id}:{kind}/{name}"

    @staticmethod
    def cloudformation_type() -> str:
        return "Cfncompiler::Sandbox::Placeholder"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    def is_created(self) -> bool:
        return True

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.arn
        last = attribute_name.split(".")[-1]
        if last in self.properties:
            return str(self.properties[last])
        return f"{self.name}-{attribute_name.replace('.', '-').lower()}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> PlaceholderResource:
        return cls(kwargs["ResourceType"], resource_name, cloudformation_json["Properties"], account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: PlaceholderResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> PlaceholderResource:
        return original_resource.updated(cloudformation_json["Properties"], account_id, region_name)

    def updated(self, properties: dict[str, Any], account_id: str, region_name: str) -> PlaceholderResource:
        """This resource after an update to ``properties``: a new stand-in of the same name (and so the same id)."""
        updated = type(self)(self.cf_resource_type, self.name, {}, account_id, region_name)
        updated.properties = properties
        return updated

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        return None


# Types whose stand-in must exist in another moto service, not just answer Ref and GetAtt.
STAND_INS: dict[str, type[PlaceholderResource]] = {}


def _unmodelled(resource_type: str) -> bool:
    return (
        resource_type.startswith("AWS::")
        and resource_type not in parsing.NULL_MODELS
        and resource_type not in parsing.get_model_map()
    )


def unmodelled_count() -> tuple[int, int]:
    """How many of the AWS resource types in the CloudFormation registry moto does not model, of how many."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    registry = [t for t in PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1") if t.startswith("AWS::")]
    return sum(map(_unmodelled, registry)), len(registry)


def unmodelled_types_get_placeholders() -> None:
    """Gap: types moto does not model (secrets, Redis, CloudMap, certificates, alarms...) resolve to nothing.

    ``Ref``/``Fn::GetAtt`` on them yield None, so the Outputs that publish them
    vanish and the next layer cannot fill its Parameters; CreateStack even
    fails validating such an Output. A :class:`PlaceholderResource` gives
    every ``AWS::`` type moto lacks an id and attributes, so each layer's
    Outputs exist as they would on AWS. moto's own lookup also logged "No Moto
    CloudFormation support" for every such resource of every deploy (about 50
    lines for the four layers), burying the server's output; they are not
    asked for, and the sandbox's banner says once how many types this covers.
    """
    original = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> type[CloudFormationModel] | None:
        if _unmodelled(resource_type):
            return STAND_INS.get(resource_type, PlaceholderResource)
        found: type[CloudFormationModel] | None = original(resource_type)
        return found

    setattr(parsing, "resource_class_from_type", resource_class_from_type)  # noqa: B010
