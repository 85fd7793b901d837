"""Drift detection that compares what moto can read back from the live resources."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

# What the sandbox's drift detection can read back from the live resource, per type: the
# template properties it compares. Each reader returns them, or None when the resource is gone.
DriftReader = Callable[[str, str, str], dict[str, Any] | None]


def _log_group(account_id: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.logs.models import logs_backends

    group = logs_backends[account_id][region].groups.get(physical_id)
    return None if group is None else {"RetentionInDays": group.retention_in_days}


def _ssm_parameter(account_id: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ssm.models import ssm_backends

    parameter = ssm_backends[account_id][region].get_parameter(physical_id)
    return None if parameter is None else {"Value": parameter.value}


def _ecs_service(account_id: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ecs.models import ecs_backends

    services = ecs_backends[account_id][region].services.values()
    found = next((s for s in services if s.arn == physical_id and s.status == "ACTIVE"), None)
    return None if found is None else {"DesiredCount": found.desired_count}


def _rds_instance(account_id: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.rds.models import rds_backends

    db = rds_backends[account_id][region].databases.get(physical_id)
    if db is None:
        return None
    # Not DeletionProtection: moto drops it when CloudFormation creates the instance, so it would always differ.
    return {
        "BackupRetentionPeriod": db.backup_retention_period,
        "DBInstanceClass": db.db_instance_class,
        "AllocatedStorage": db.allocated_storage,
    }


_DRIFT_READERS: dict[str, DriftReader] = {
    "AWS::RDS::DBInstance": _rds_instance,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SSM::Parameter": _ssm_parameter,
    "AWS::ECS::Service": _ecs_service,
}


def _as_text(value: Any) -> str:
    """A property value as a drift report prints it: JSON for a structure, the literal otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per template property whose live value differs (or is gone), as AWS words it."""
    found = []
    for name in sorted(actual.keys() & expected.keys()):
        value = actual[name]
        if value is not None and _as_text(value) == _as_text(expected[name]):
            continue
        entry = {"PropertyPath": f"/{name}", "ExpectedValue": _as_text(expected[name])}
        if value is None:
            entry["DifferenceType"] = "REMOVE"
        else:
            entry.update(ActualValue=_as_text(value), DifferenceType="NOT_EQUAL")
        found.append(entry)
    return found


def _resource_drift(stack: Any, logical_id: str, resource_json: dict[str, Any]) -> dict[str, Any]:
    """A StackResourceDrift for one resource: compared where a reader exists, NOT_CHECKED otherwise."""
    resource = stack.resource_map._parsed_resources.get(logical_id)
    physical_id = str(getattr(resource, "physical_resource_id", "") or "")
    record: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": resource_json["Type"],
        "Timestamp": utcnow(),
    }
    reader = _DRIFT_READERS.get(resource_json["Type"])
    if reader is None or resource is None:
        return {**record, "StackResourceDriftStatus": "NOT_CHECKED"}
    expected = parsing.clean_json(resource_json.get("Properties") or {}, stack.resource_map)
    record["ExpectedProperties"] = json.dumps(expected, sort_keys=True, default=str)
    live = reader(stack.account_id, stack.region_name, physical_id)
    if live is None:
        return {**record, "StackResourceDriftStatus": "DELETED"}
    differences = _differences(expected, live)
    actual = {**expected, **{k: v for k, v in live.items() if k in expected}}
    return {
        **record,
        "ActualProperties": json.dumps({k: v for k, v in actual.items() if v is not None}, sort_keys=True, default=str),
        "PropertyDifferences": differences,
        "StackResourceDriftStatus": "MODIFIED" if differences else "IN_SYNC",
    }


# Detections by id, and each stack's latest resource drifts; this process is the whole sandbox.
_DETECTIONS: dict[str, dict[str, Any]] = {}
_LATEST_DRIFTS: dict[str, list[dict[str, Any]]] = {}


def drift_detection_compares_what_it_can_read_back() -> None:
    """Gap: moto has no drift detection: DetectStackDrift and the calls reading its results are not implemented.

    moto raises NotImplementedError for them, which the server answers with HTTP 500.

    ``cfncompiler drift`` and its tests need a detection that finds a change
    made behind CloudFormation's back. This compares each resource's deployed
    template properties (intrinsics resolved) with the live moto backend for
    the types in ``_DRIFT_READERS`` and the properties they read back (a log
    group's RetentionInDays, an SSM parameter's Value, an ECS service's
    DesiredCount, an RDS instance's class, storage and backup retention;
    only properties moto keeps as the template gave them), reporting
    MODIFIED with AWS's PropertyDifferences or
    DELETED; every other resource is NOT_CHECKED, as AWS reports types it
    cannot check. Detection completes at once (AWS takes seconds to minutes),
    and DescribeStackResourceDrifts pages with MaxResults/NextToken as AWS does.
    """

    def detect_stack_drift(self: CloudFormationResponse) -> ActionResult:
        stack: Any = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        wanted = set(self._get_param("LogicalResourceIds", []))
        resources = stack.resource_map._resource_json_map
        drifts = [_resource_drift(stack, lid, r) for lid, r in resources.items() if not wanted or lid in wanted]
        drifted = sum(d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED") for d in drifts)
        detection_id = str(uuid.uuid4())
        _LATEST_DRIFTS[stack.stack_id] = drifts
        _DETECTIONS[detection_id] = {
            "StackId": stack.stack_id,
            "StackDriftDetectionId": detection_id,
            "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC",
            "DetectionStatus": "DETECTION_COMPLETE",
            "DriftedStackResourceCount": drifted,
            "Timestamp": utcnow(),
        }
        return ActionResult({"StackDriftDetectionId": detection_id})

    def describe_stack_drift_detection_status(self: CloudFormationResponse) -> ActionResult:
        detection_id = self._get_param("StackDriftDetectionId")
        if detection_id not in _DETECTIONS:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(detection_id, message=f"Drift detection [{detection_id}] does not exist")
        return ActionResult(_DETECTIONS[detection_id])

    def describe_stack_resource_drifts(self: CloudFormationResponse) -> ActionResult:
        stack: Any = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        statuses = set(self._get_param("StackResourceDriftStatusFilters", []))
        drifts = [
            d
            for d in _LATEST_DRIFTS.get(stack.stack_id, [])
            if not statuses or d["StackResourceDriftStatus"] in statuses
        ]
        start = int(self._get_param("NextToken") or 0)
        end = start + int(self._get_param("MaxResults") or 100)
        page = {"StackResourceDrifts": drifts[start:end], "NextToken": str(end) if end < len(drifts) else None}
        return ActionResult(page)

    for method in (detect_stack_drift, describe_stack_drift_detection_status, describe_stack_resource_drifts):
        setattr(CloudFormationResponse, method.__name__, method)
