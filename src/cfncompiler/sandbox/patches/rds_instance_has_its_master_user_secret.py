"""An RDS instance answers GetAtt MasterUserSecret.SecretArn."""

from __future__ import annotations

from typing import Any


def rds_instance_has_its_master_user_secret() -> None:
    """Gap: moto's DBInstance answers only ``Endpoint.Address``/``Endpoint.Port`` to GetAtt.

    The data layer publishes ``Database.MasterUserSecret.SecretArn`` (the
    secret RDS manages when ``ManageMasterUserPassword`` is set) for the
    platform layer; moto rejects the attribute and the stack's Outputs cannot
    be read at all. This answers with an ARN shaped like the one RDS creates.
    """
    from moto.rds.models import DBInstance

    attribute = "MasterUserSecret.SecretArn"
    original_get = DBInstance.get_cfn_attribute
    original_has: Any = DBInstance.__dict__["has_cfn_attr"].__func__

    def get_cfn_attribute(self: DBInstance, attribute_name: str) -> Any:
        if attribute_name == attribute:
            return f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:rds!db-{self.dbi_resource_id}"
        return original_get(self, attribute_name)

    def has_cfn_attr(cls: type[DBInstance], attr: str) -> bool:
        return attr == attribute or bool(original_has(cls, attr))

    setattr(DBInstance, "get_cfn_attribute", get_cfn_attribute)  # noqa: B010
    setattr(DBInstance, "has_cfn_attr", classmethod(has_cfn_attr))  # noqa: B010
