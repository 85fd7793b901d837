"""How many of a layer's alarms are in ALARM: the column that makes `status` answer "is it healthy?".

A layer's alarms are found through its stack's resources (their physical ids are the alarm names),
not through a name prefix, so an alarm made by hand with a similar name is never counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from cfncompiler.deploy.session import ACCESS_DENIED

ALARM_TYPE = "AWS::CloudWatch::Alarm"
IN_ALARM = "ALARM"
# DescribeAlarms takes at most 100 names per call.
NAMES_PER_CALL = 100
# How many alarm names the status column spells out before it only counts.
NAMES_SHOWN = 3


@dataclass(frozen=True)
class AlarmCount:
    total: int
    firing: list[str] = field(default_factory=list)
    unreadable: str | None = None

    def render(self) -> str:
        if self.unreadable is not None:
            return f"? ({self.unreadable})"
        if not self.total:
            return "-"
        text = f"{len(self.firing)} of {self.total}"
        if self.firing:
            shown = ", ".join(self.firing[:NAMES_SHOWN])
            more = len(self.firing) - NAMES_SHOWN
            text += f": {shown}" + (f" and {more} more" if more > 0 else "")
        return text


def alarm_names(cloudformation: Any, stack_id: str) -> list[str]:
    """The names of the alarms a stack holds, in logical id order."""
    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_id)
    found = [
        (resource["LogicalResourceId"], resource.get("PhysicalResourceId", ""))
        for page in pages
        for resource in page.get("StackResourceSummaries", [])
        if resource["ResourceType"] == ALARM_TYPE and resource.get("PhysicalResourceId")
    ]
    return [name for _, name in sorted(found)]


def _batches(names: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(names), NAMES_PER_CALL):
        yield names[start : start + NAMES_PER_CALL]


def count_alarms(cloudformation: Any, cloudwatch: Any, stack_id: str) -> AlarmCount:
    """The stack's alarms and which of them are in ALARM; a refused read says so instead of failing status."""
    try:
        names = alarm_names(cloudformation, stack_id)
        states: dict[str, str] = {}
        for batch in _batches(names):
            pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNames=batch, AlarmTypes=["MetricAlarm"])
            for page in pages:
                states.update((alarm["AlarmName"], alarm["StateValue"]) for alarm in page.get("MetricAlarms", []))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") in ACCESS_DENIED:
            operation = exc.operation_name
            service = "cloudwatch" if operation == "DescribeAlarms" else "cloudformation"
            return AlarmCount(0, unreadable=f"not allowed: {service}:{operation}")
        raise
    return AlarmCount(len(names), [name for name in names if states.get(name) == IN_ALARM])
