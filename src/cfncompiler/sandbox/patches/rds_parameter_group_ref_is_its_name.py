"""Ref to an RDS parameter group is its name."""

from __future__ import annotations


def rds_parameter_group_ref_is_its_name() -> None:
    """Gap: ``Ref`` to an AWS::RDS::DBParameterGroup yields moto's Python object, not the group's name.

    moto's DBInstance then fails with an internal error (HTTP 500) reading
    ``DBParameterGroupName``, so the data layer cannot be created at all. On
    AWS the Ref is the name, which is what this returns.
    """
    from moto.rds.models import DBParameterGroup

    setattr(DBParameterGroup, "physical_resource_id", property(lambda self: self.name))  # noqa: B010
