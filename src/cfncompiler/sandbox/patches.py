"""Patches that close the gaps between moto's CloudFormation and AWS that the deployer relies on.

Each patch is one function: its docstring names the gap and why the deployer
(or its tests) needs it closed. They are applied by :func:`apply_all` inside
the sandbox server process only, never in the deployer's process, and are
written against the pinned moto version (see pyproject.toml); a moto upgrade
means re-reading each one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import ChangeSet, CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

Patch = Callable[[], None]


def executed_change_set_updates_the_stack() -> None:
    """Gap: ExecuteChangeSet creates or updates the resources but not the stack record around them.

    moto builds a change-set stack from an empty template and never re-reads it,
    so the stack has no Outputs or Description (the next layer's Parameters
    are filled from those Outputs), keeps the Parameters and Tags it had before
    an update, and never gets a LastUpdatedTime (which ``status`` shows and the
    tests use to prove an untouched stack was not updated). AWS sets all four
    from the executed change set.
    """
    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        change_set: Any = self.describe_change_set(change_set_name)
        original(self, change_set_name, stack_name)
        stack: Any = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = change_set.parameters
        stack.output_map = stack._create_output_map()
        if change_set.tags:
            stack.tags = change_set.tags
        if change_set.change_set_type == "UPDATE":
            stack.last_updated_time = utcnow()

    setattr(CloudFormationBackend, "execute_change_set", execute_change_set)  # noqa: B010


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
        updated = cls(original_resource.cf_resource_type, original_resource.name, {}, account_id, region_name)
        updated.properties = cloudformation_json["Properties"]
        return updated

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        return None


class RequestedCertificate(PlaceholderResource):
    """An AWS::CertificateManager::Certificate that exists in moto's ACM, so listeners can use it."""

    def __init__(self, resource_type: str, name: str, properties: dict[str, Any], account_id: str, region: str):
        from moto.acm.models import acm_backends

        super().__init__(resource_type, name, properties, account_id, region)
        acm: Any = acm_backends[account_id][region]
        self.arn = acm.request_certificate(
            domain_name=properties["DomainName"],
            idempotency_token=None,
            subject_alt_names=properties.get("SubjectAlternativeNames", []),
            tags=properties.get("Tags", []),
        )


# Types whose stand-in must exist in another moto service, not just answer Ref and GetAtt.
_STAND_INS: dict[str, type[PlaceholderResource]] = {}


def unmodelled_types_get_placeholders() -> None:
    """Gap: types moto does not model (secrets, Redis, CloudMap, certificates, alarms...) resolve to nothing.

    ``Ref``/``Fn::GetAtt`` on them yield None, so the Outputs that publish them
    vanish and the next layer cannot fill its Parameters; CreateStack even
    fails validating such an Output. A :class:`PlaceholderResource` gives
    every ``AWS::`` type moto lacks an id and attributes, so each layer's
    Outputs exist as they would on AWS.
    """
    original = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> type[CloudFormationModel] | None:
        found = original(resource_type)
        if found is None and resource_type.startswith("AWS::") and resource_type not in parsing.NULL_MODELS:
            return _STAND_INS.get(resource_type, PlaceholderResource)
        return found

    setattr(parsing, "resource_class_from_type", resource_class_from_type)  # noqa: B010


def certificates_are_issued_in_acm() -> None:
    """Gap: moto's ELBv2 refuses an HTTPS listener whose certificate is not in moto's ACM.

    ACM certificates are not modelled by moto's CloudFormation, so the
    platform layer's listener fails with CertificateNotFound. The stand-in for
    AWS::CertificateManager::Certificate requests the certificate from moto's
    ACM, as CloudFormation does from ACM, and its Ref is that ARN.
    """
    _STAND_INS["AWS::CertificateManager::Certificate"] = RequestedCertificate


@cache
def _create_only_properties(resource_type: str) -> frozenset[str]:
    """Properties whose change replaces the resource, from the resource schemas cfn-lint ships."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except ResourceNotFoundError:
        return frozenset()
    paths = schema.get("createOnlyProperties", [])
    return frozenset(path.split("/")[2] for path in paths if path.startswith("/properties/"))


def _modified_details(resource_type: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
    create_only = _create_only_properties(resource_type)
    changed = sorted(k for k in old_props.keys() | new_props.keys() if old_props.get(k) != new_props.get(k))
    return [
        {
            "Target": {
                "Attribute": "Properties",
                "Name": name,
                "RequiresRecreation": "Always" if name in create_only else "Never",
            },
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
        for name in changed
    ]


def change_sets_say_what_is_replaced() -> None:
    """Gap: moto's ResourceChange has only Action, LogicalResourceId and ResourceType.

    AWS adds Replacement (True/False/Conditional), Scope and Details naming
    each changed property, which the diff prints and the data-loss guard reads.
    This computes them statically, as AWS does for literal changes: a property
    that is create-only in the resource's schema means replacement. (AWS's
    dynamic cases, a new value that only exists after another resource is
    replaced, are not modelled.)
    """
    original = ChangeSet.diff

    def diff(self: ChangeSet) -> list[Any]:
        changes: list[Any] = original(self)
        old_resources = self.stack.resource_map._resource_json_map
        new_resources = self.template_dict.get("Resources", {})
        for change in changes:
            change.replacement = None
            change.scope = []
            change.details = []
            if change.action == "Modify":
                details = _modified_details(
                    change.resource_type,
                    old_resources[change.logical_resource_id],
                    new_resources[change.logical_resource_id],
                )
                always = any(d["Target"]["RequiresRecreation"] == "Always" for d in details)
                change.replacement = "True" if always else "False"
                change.scope = ["Properties"] if details else []
                change.details = details
            if change.action == "Remove":
                policy = old_resources[change.logical_resource_id].get("DeletionPolicy", "Delete")
                change.policy_action = policy
        return changes

    setattr(ChangeSet, "diff", diff)  # noqa: B010


def termination_protection_is_a_real_switch() -> None:
    """Gap: moto has no UpdateTerminationProtection and DeleteStack ignores the flag.

    A stack created through a change set can only be protected afterwards, with
    UpdateTerminationProtection, which the deployer calls. AWS then refuses
    DeleteStack until protection is turned off; without that refusal here a
    destroy that forgot to turn it off would pass locally and fail on AWS.
    """

    def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
        return ActionResult({"StackId": stack.stack_id})

    setattr(CloudFormationResponse, "update_termination_protection", update_termination_protection)  # noqa: B010

    original = CloudFormationBackend.delete_stack

    def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        protected = [
            s
            for s in self.stacks.values()
            if name_or_stack_id in (s.name, s.stack_id) and s.enable_termination_protection
        ]
        if protected:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(
                name_or_stack_id,
                message=f"Stack [{protected[0].name}] cannot be deleted while TerminationProtection is enabled",
            )
        original(self, name_or_stack_id)

    setattr(CloudFormationBackend, "delete_stack", delete_stack)  # noqa: B010


def rds_parameter_group_ref_is_its_name() -> None:
    """Gap: ``Ref`` to an AWS::RDS::DBParameterGroup yields moto's Python object, not the group's name.

    moto's DBInstance then fails with an internal error (HTTP 500) reading
    ``DBParameterGroupName``, so the data layer cannot be created at all. On
    AWS the Ref is the name, which is what this returns.
    """
    from moto.rds.models import DBParameterGroup

    setattr(DBParameterGroup, "physical_resource_id", property(lambda self: self.name))  # noqa: B010


def short_form_getatt_splits_at_the_first_dot() -> None:
    """Gap: moto reads ``!GetAtt Database.Endpoint.Address`` as attribute ``Endpoint`` of ``Database``.

    CloudFormation splits the short form at the first dot only (resource
    ``Database``, attribute ``Endpoint.Address``); moto splits at every dot and
    rejects the template, so the data layer's Outputs cannot be resolved.
    """
    from moto.cloudformation import models, responses, utils

    yaml: Any = import_module("yaml")  # moto's own dependency; its stubs are not installed

    def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
        key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
        if isinstance(node, yaml.SequenceNode):
            return {key: loader.construct_sequence(node, deep=True)}
        if isinstance(node, yaml.MappingNode):
            return {key: loader.construct_mapping(node, deep=True)}
        value = loader.construct_scalar(node)
        return {key: value.split(".", 1) if tag == "!GetAtt" else value}

    for module in (utils, models, responses):
        setattr(module, "yaml_tag_constructor", yaml_tag_constructor)  # noqa: B010


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


def conditional_denials_do_not_deny_everything() -> None:
    """Gap: moto skips Condition operators it does not implement (``Bool``, ``IpAddress``...).

    A conditional Deny then denies every request. The deployer's staging
    bucket carries the usual TLS-only policy (Deny s3:* when
    ``aws:SecureTransport`` is false); on AWS every SDK call is TLS, so it
    never applies, but in moto it denied every upload. A Deny whose condition
    moto cannot evaluate is treated as not applying. (The sandbox is plain HTTP
    on 127.0.0.1, so there is no transport to check anyway.)
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.iam.policy_conditions import CONDITION_OPERATIONS

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self: IAMPolicyStatement, action: str, *args: Any, **kwargs: Any) -> PermissionResult:
        statement: dict[str, Any] = self._statement
        operators = set(statement.get("Condition") or {})
        if statement.get("Effect") == "Deny" and operators - set(CONDITION_OPERATIONS):
            return PermissionResult.NEUTRAL
        result: PermissionResult = original(self, action, *args, **kwargs)
        return result

    setattr(IAMPolicyStatement, "is_action_permitted", is_action_permitted)  # noqa: B010


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


PATCHES: tuple[Patch, ...] = (
    executed_change_set_updates_the_stack,
    unmodelled_types_get_placeholders,
    certificates_are_issued_in_acm,
    change_sets_say_what_is_replaced,
    termination_protection_is_a_real_switch,
    rds_parameter_group_ref_is_its_name,
    short_form_getatt_splits_at_the_first_dot,
    rds_instance_has_its_master_user_secret,
    list_parameters_read_back_as_sent,
    efs_access_point_answers_ref_and_getatt,
    conditional_denials_do_not_deny_everything,
    drift_detection_compares_what_it_can_read_back,
)


def apply_all() -> list[str]:
    """Apply every patch once; return their names for the start-up banner."""
    for patch in PATCHES:
        patch()
    return [patch.__name__ for patch in PATCHES]
