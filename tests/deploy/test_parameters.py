"""A layer's Parameters come from the Outputs of the layers above it, by name."""

from __future__ import annotations

from typing import Any

import pytest

from cfncompiler.deploy.parameters import ParameterChange, as_request, changes, effective, fill
from cfncompiler.errors import Refused

DECLARED: dict[str, dict[str, Any]] = {
    "VpcId": {"Type": "AWS::EC2::VPC::Id"},
    "AppSubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"},
    "Replicas": {"Type": "Number", "Default": 2},
}
OUTPUTS = {"VpcId": "vpc-0a1b", "AppSubnetIds": "subnet-1,subnet-2", "NamespaceId": "ns-9"}


def test_parameters_are_filled_from_outputs_of_the_same_name() -> None:
    assert fill("data", DECLARED, OUTPUTS) == {"VpcId": "vpc-0a1b", "AppSubnetIds": "subnet-1,subnet-2"}


def test_a_parameter_no_upstream_output_provides_is_refused_by_name() -> None:
    with pytest.raises(Refused, match="layer data needs AppSubnetIds"):
        fill("data", DECLARED, {"VpcId": "vpc-0a1b"})


def test_the_effective_values_include_defaults_as_describe_stacks_reports_them() -> None:
    sent = fill("data", DECLARED, OUTPUTS)
    assert effective(DECLARED, sent) == {**sent, "Replicas": "2"}


def test_changes_list_only_values_that_differ_in_template_order() -> None:
    deployed = {"VpcId": "vpc-0a1b", "AppSubnetIds": "subnet-1,subnet-3"}
    wanted = {"VpcId": "vpc-0a1b", "AppSubnetIds": "subnet-1,subnet-2", "Replicas": "2"}
    assert changes(deployed, wanted) == [
        ParameterChange("AppSubnetIds", "subnet-1,subnet-3", "subnet-1,subnet-2"),
        ParameterChange("Replicas", None, "2"),
    ]


def test_the_request_form_is_cloudformations() -> None:
    assert as_request({"VpcId": "vpc-0a1b"}) == [{"ParameterKey": "VpcId", "ParameterValue": "vpc-0a1b"}]
