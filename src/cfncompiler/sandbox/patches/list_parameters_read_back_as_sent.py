"""List parameters read back as the comma-separated string that was sent."""

from __future__ import annotations

from typing import Any


def list_parameters_read_back_as_sent() -> None:
    """Gap: DescribeStacks shows a ``List<...>`` parameter as Python's repr, ``"['subnet-a', 'subnet-b']"``.

    AWS returns the comma-separated string it was given. The deployer compares
    a stack's deployed Parameters with the ones it would send to decide
    whether a layer is up to date, so the repr would make every layer with a
    subnet list look stale forever.
    """
    from moto.cloudformation.models import Stack

    def parameter_list(self: Stack) -> list[dict[str, Any]]:
        hidden = self.resource_map.no_echo_parameter_keys
        return [
            {
                "ParameterKey": key,
                "ParameterValue": "****"
                if key in hidden
                else (",".join(map(str, v)) if isinstance(v, list) else str(v)),
            }
            for key, v in self.resource_map.resolved_parameters.items()
        ]

    setattr(Stack, "parameter_list", property(parameter_list))  # noqa: B010
