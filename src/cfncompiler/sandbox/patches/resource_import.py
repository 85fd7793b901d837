"""Resource import: an IMPORT change set adopts resources that already exist into a new or existing stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend, Event, Stack
from moto.cloudformation.parsing import get_references_from_template
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id
from moto.core.responses import ActionResult

from cfncompiler.sandbox.patches._importable import IMPORTABLE, DeleteById
from cfncompiler.sandbox.patches.executed_change_set_updates_the_stack import refresh_stack_record
from cfncompiler.sandbox.patches.unmodelled_types_get_placeholders import PlaceholderResource
from cfncompiler.templates.registry import identifier_keys, importable


class ImportedResource(PlaceholderResource):
    """An imported resource moto's CloudFormation cannot represent: the stack keeps its real identifier."""

    def __init__(
        self,
        resource_type: str,
        logical_id: str,
        identifier: str,
        properties: dict[str, Any],
        account_id: str,
        region: str,
        remove: DeleteById,
    ):
        super().__init__(resource_type, logical_id, properties, account_id, region)
        self.identifier = identifier
        self.remove = remove
        if identifier.startswith("arn:"):
            self.arn = identifier  # GetAtt Arn of an imported secret is the secret's own ARN

    @property
    def physical_resource_id(self) -> str:
        return self.identifier

    def updated(self, properties: dict[str, Any], account_id: str, region_name: str) -> PlaceholderResource:
        # Still the same resource: an update must not swap its identifier for a made-up one.
        self.properties = properties
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove(account_id, region_name, self.identifier)


# ----------------------------------------------------------------------------- the change set


@dataclass(frozen=True)
class ToImport:
    """One entry of ResourcesToImport, checked against the template and found in moto."""

    logical_id: str
    resource_type: str
    identifier: dict[str, str]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.identifier[key] for key in identifier_keys(self.resource_type))

    @property
    def physical_id(self) -> str:
        # CloudFormation joins a compound identifier with "|" (a route: "rtb-1|10.0.0.0/16").
        return "|".join(self.values)

    def described(self) -> str:
        return "{" + ", ".join(f"{k}={v}" for k, v in self.identifier.items()) + "}"

    def find(self, account_id: str, region: str) -> Any:
        return IMPORTABLE[self.resource_type].find(account_id, region, self.values)


class ImportChangeSet(ChangeSet):
    """A change set of type IMPORT: its changes are one Import per resource, nothing else."""

    def __init__(self, imports: list[ToImport], **kwargs: Any) -> None:
        self.imports = imports
        super().__init__(change_set_type="IMPORT", **kwargs)

    def diff(self) -> list[Change]:
        changes = []
        for item in self.imports:
            change: Any = Change("Import", item.logical_id, item.resource_type)
            change.physical_resource_id = item.physical_id
            change.replacement, change.scope, change.details = None, [], []
            changes.append(change)
        return changes


def _refuse(stack_name: str, message: str) -> ValidationError:
    return ValidationError(stack_name, message=message)


def _current(stack: Stack | None) -> dict[str, Any]:
    """The stack's deployed template as a fresh dict (moto fills missing Properties into its own copy)."""
    if stack is None or not stack.template:
        return {}
    return Stack.parse_template(stack.template)  # type: ignore[arg-type]


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def normal(resource: dict[str, Any]) -> dict[str, Any]:
        return {**resource, "Properties": resource.get("Properties") or {}}

    return normal(old) == normal(new)


def _entries(stack_name: str, template: dict[str, Any], requested: list[dict[str, Any]]) -> list[ToImport]:
    """ResourcesToImport checked against the template and the registry: types, identifier keys, support."""
    resources = template.get("Resources") or {}
    imports: list[ToImport] = []
    for entry in requested:
        logical_id, resource_type = entry["LogicalResourceId"], entry["ResourceType"]
        if any(item.logical_id == logical_id for item in imports):
            raise _refuse(stack_name, f"Resource {logical_id} is listed more than once in ResourcesToImport.")
        declared = resources.get(logical_id)
        if declared is None or declared.get("Type") != resource_type:
            raise _refuse(
                stack_name,
                f"Resource {logical_id} of type {resource_type} to import is not declared with that type "
                "in the template.",
            )
        if not importable(resource_type):
            raise _refuse(stack_name, f"Resource type {resource_type} does not support resource import.")
        identifier = {str(k): str(v) for k, v in (entry.get("ResourceIdentifier") or {}).items()}
        keys = identifier_keys(resource_type)
        if sorted(identifier) != sorted(keys):
            raise _refuse(
                stack_name,
                f"Invalid ResourceIdentifier for {logical_id}: {resource_type} is identified by "
                f"[{', '.join(keys)}], not [{', '.join(identifier)}].",
            )
        if resource_type not in IMPORTABLE:
            raise _refuse(
                stack_name,
                f"The sandbox cannot import {resource_type} ({logical_id}): it has no way to look that type up "
                "in moto's backends, and will not record a resource it could not find.",
            )
        imports.append(ToImport(logical_id, resource_type, identifier))
    return imports


def _check_policies(stack_name: str, resources: dict[str, Any], imports: list[ToImport]) -> None:
    # A policy decides what happens to the resource if the stack lets it go: AWS wants it said.
    without_policy = sorted(i.logical_id for i in imports if "DeletionPolicy" not in resources[i.logical_id])
    if without_policy:
        raise _refuse(
            stack_name,
            f"The following resources to import [{', '.join(without_policy)}] must have DeletionPolicy "
            "attribute specified in the template.",
        )


def _modified(
    stack: Stack | None, resources: dict[str, Any], parameters: dict[str, Any], importing: set[str]
) -> list[str]:
    """Logical ids the template would add, change (directly or through a changed parameter) or remove."""
    deployed = _current(stack).get("Resources") or {}
    old_parameters = stack.parameters if stack is not None else {}
    changed = {k for k in old_parameters.keys() | parameters.keys() if old_parameters.get(k) != parameters.get(k)}

    def modified(logical_id: str, resource: dict[str, Any]) -> bool:
        if logical_id not in deployed:
            return True
        return not _same(deployed[logical_id], resource) or bool(changed & set(get_references_from_template(resource)))

    kept = [lid for lid, resource in resources.items() if lid not in importing and modified(lid, resource)]
    return kept + [lid for lid in deployed if lid not in resources]


def _check_nothing_else_changes(
    stack_name: str, stack: Stack | None, template: dict[str, Any], parameters: dict[str, Any], imports: list[ToImport]
) -> None:
    """The import may add the listed resources and change nothing else, as CloudFormation requires."""
    importing = {item.logical_id for item in imports}
    current = _current(stack)
    already = sorted(importing & (current.get("Resources") or {}).keys())
    if already:
        raise _refuse(stack_name, f"Resources [{', '.join(already)}] to import are already in stack {stack_name}.")
    modified = _modified(stack, template.get("Resources") or {}, parameters, importing)
    if modified:
        raise _refuse(
            stack_name,
            f"You have modified resources [{', '.join(modified)}] in your template that are not being imported. "
            "Update, create or delete operations cannot be executed during import operations.",
        )
    if (template.get("Outputs") or {}) != (current.get("Outputs") or {}):
        raise _refuse(stack_name, "As part of the import operation, you cannot modify or add [Outputs]")


def _owner(cloudformation: CloudFormationBackend, item: ToImport, found: Any) -> Any:
    """The stack that already holds this resource, if any (CloudFormation lets one stack own it)."""
    for stack in cloudformation.stacks.values():
        for logical_id, recorded in stack.resource_map._parsed_resources.items():
            resource_json = stack.resource_map._resource_json_map.get(logical_id) or {}
            if resource_json.get("Type") != item.resource_type:
                continue
            if recorded is found or getattr(recorded, "physical_resource_id", None) == item.physical_id:
                return stack
    return None


def _check_live(cloudformation: CloudFormationBackend, stack_name: str, imports: list[ToImport]) -> None:
    """Each resource exists in this account and region, and belongs to no stack yet."""
    region = cloudformation.region_name
    found = [(item, item.find(cloudformation.account_id, region)) for item in imports]
    missing = [item for item, live in found if live is None]
    if missing:
        raise _refuse(
            stack_name,
            f"The following resources to import do not exist in {region}: "
            + ", ".join(f"{i.logical_id} ({i.resource_type} {i.described()})" for i in missing),
        )
    for item, live in found:
        owner = _owner(cloudformation, item, live)
        if owner is not None:
            raise _refuse(stack_name, f"{item.physical_id} already exists in stack {owner.stack_id}")


def create_import_change_set(
    cloudformation: CloudFormationBackend,
    stack_name: str,
    change_set_name: str,
    template_body: str,
    parameters: dict[str, Any],
    requested: list[dict[str, Any]],
    **change_set: Any,
) -> tuple[str, str]:
    """Check an IMPORT change set as CloudFormation does and keep it for ExecuteChangeSet: (change set, stack) ids."""
    existing = next((s for s in cloudformation.stacks.values() if s.name == stack_name), None)
    # A stack still in review (an unexecuted CREATE or IMPORT change set) has nothing deployed yet.
    deployed = existing if existing is not None and existing.status != "REVIEW_IN_PROGRESS" else None
    template = Stack.parse_template(template_body)
    imports = _entries(stack_name, template, requested)
    _check_policies(stack_name, template["Resources"], imports)
    _check_nothing_else_changes(stack_name, deployed, template, parameters, imports)
    _check_live(cloudformation, stack_name, imports)
    stack = existing or _review_stack(cloudformation, stack_name, parameters, change_set)
    change_set_id = generate_changeset_id(change_set_name, cloudformation.region_name, cloudformation.account_id)
    created = ImportChangeSet(
        imports,
        change_set_id=change_set_id,
        change_set_name=change_set_name,
        stack=stack,
        template=template_body,
        parameters=parameters,
        **change_set,
    )
    created.status, created.execution_status = "CREATE_COMPLETE", "AVAILABLE"
    cloudformation.change_sets[change_set_id] = created
    return change_set_id, stack.stack_id


def _review_stack(
    cloudformation: CloudFormationBackend, stack_name: str, parameters: dict[str, Any], change_set: dict[str, Any]
) -> Stack:
    """A new stack waiting for its first change set, as CreateChangeSet makes one on AWS."""
    stack = Stack(  # type: ignore[abstract]
        stack_id=generate_stack_id(stack_name, cloudformation.region_name, cloudformation.account_id),
        name=stack_name,
        template={},
        parameters=parameters,
        account_id=cloudformation.account_id,
        region_name=cloudformation.region_name,
        notification_arns=change_set.get("notification_arns"),
        tags=change_set.get("tags"),
        role_arn=change_set.get("role_arn"),
    )
    stack.status = "REVIEW_IN_PROGRESS"
    stack._add_stack_event("REVIEW_IN_PROGRESS", resource_status_reason="User Initiated")
    cloudformation.stacks[stack.stack_id] = stack
    return stack


# ----------------------------------------------------------------------------- executing it


def _resource_event(stack: Stack, item: ToImport, status: str, reason: str | None = None) -> None:
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=item.logical_id,
            physical_resource_id=item.physical_id,
            resource_type=item.resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _recorded(stack: Stack, item: ToImport, found: Any, resource_json: dict[str, Any]) -> Any:
    """What the stack's resource map holds for the imported resource: the live object itself, where moto can."""
    remove = IMPORTABLE[item.resource_type].remove
    if remove is None:
        record = found
    else:
        properties = resource_json.get("Properties") or {}
        record = ImportedResource(
            item.resource_type,
            item.logical_id,
            item.physical_id,
            properties,
            stack.account_id,
            stack.region_name,
            remove,
        )
    record.cf_resource_type = item.resource_type
    record.logical_resource_id = item.logical_id
    return record


def _roll_back(stack: Any, change_set: ImportChangeSet, item: ToImport) -> None:
    """A resource gone since the change set was made: CloudFormation rolls the import back, recording nothing."""
    _resource_event(stack, item, "IMPORT_FAILED", f"{item.physical_id} no longer exists")
    reason = f"The following resource(s) failed to import: [{item.logical_id}]."
    stack._add_stack_event("IMPORT_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    stack.status = "IMPORT_ROLLBACK_COMPLETE"
    stack._add_stack_event("IMPORT_ROLLBACK_COMPLETE")
    change_set.execution_status = "EXECUTE_FAILED"


def _read_template(stack: Any, change_set: ImportChangeSet) -> None:
    """The resource map takes the new template and parameters as an update would, creating nothing."""
    resource_map = stack.resource_map
    resource_map._template = change_set.template_dict
    resource_map._resource_json_map = change_set.template_dict["Resources"]
    resource_map.input_parameters = change_set.parameters
    resource_map.load_mapping()
    resource_map.load_parameters()
    resource_map.load_conditions()


def execute_import(change_set: ImportChangeSet) -> None:
    """IMPORT_IN_PROGRESS, each resource adopted as it is (nothing created or changed), IMPORT_COMPLETE."""
    stack: Any = change_set.stack
    first_deploy = stack.status == "REVIEW_IN_PROGRESS"
    stack.status = "IMPORT_IN_PROGRESS"
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    found = {}
    for item in change_set.imports:
        _resource_event(stack, item, "IMPORT_IN_PROGRESS")
        found[item.logical_id] = item.find(stack.account_id, stack.region_name)
        if found[item.logical_id] is None:
            _roll_back(stack, change_set, item)
            return
    _read_template(stack, change_set)
    resources = change_set.template_dict["Resources"]
    for item in change_set.imports:
        recorded = _recorded(stack, item, found[item.logical_id], resources[item.logical_id])
        stack.resource_map._parsed_resources[item.logical_id] = recorded
        _resource_event(stack, item, "IMPORT_COMPLETE")
    stack.template = change_set.template
    refresh_stack_record(stack, change_set, updated=not first_deploy)
    stack.status = "IMPORT_COMPLETE"
    stack._add_stack_event("IMPORT_COMPLETE")
    change_set.execution_status = "EXECUTE_COMPLETE"


# ----------------------------------------------------------------------------- GetTemplateSummary


def identifier_summaries(template: dict[str, Any]) -> list[dict[str, Any]]:
    """GetTemplateSummary's ResourceIdentifierSummaries: per importable type, its logical ids and identifier keys."""
    by_type: dict[str, list[str]] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        resource_type = resource.get("Type", "")
        if importable(resource_type):
            by_type.setdefault(resource_type, []).append(logical_id)
    return [
        {"ResourceType": t, "LogicalResourceIds": ids, "ResourceIdentifiers": identifier_keys(t)}
        for t, ids in by_type.items()
    ]


# ----------------------------------------------------------------------------- the patch


def _request_parameters(response: CloudFormationResponse, stack: Stack | None) -> dict[str, Any]:
    return {
        p["ParameterKey"]: stack.parameters[p["ParameterKey"]]
        if p.get("UsePreviousValue") and stack is not None
        else p["ParameterValue"]
        for p in response._get_param("Parameters", [])
    }


def resource_import() -> None:
    """Gap: moto has no resource import: an IMPORT change set is run as a CREATE.

    Importing an existing table failed with ResourceInUseException, importing
    into an existing stack made a second stack of the same name, and
    GetTemplateSummary had no ResourceIdentifierSummaries, so adopting
    resources made outside CloudFormation (a Terraform state bucket, a
    database) could not be tried locally. This gives IMPORT change sets
    CloudFormation's behaviour: the resources must exist (looked up in moto's
    backends through ``_importable.IMPORTABLE``; a type it cannot look up is refused by
    name), belong to no stack, be identified by their type's primaryIdentifier
    and carry a DeletionPolicy, and the template may change nothing else. The
    change set lists one ``Import`` per resource; executing it goes through
    IMPORT_IN_PROGRESS to IMPORT_COMPLETE and records the existing objects in
    the stack, data and all, creating nothing.
    """
    original_create = CloudFormationResponse.create_change_set

    def create_change_set(self: CloudFormationResponse) -> ActionResult:
        if self._get_param("ChangeSetType") != "IMPORT":
            result: ActionResult = original_create(self)
            return result
        stack_name = self._get_param("StackName")
        cloudformation = self.cloudformation_backend
        existing = next((s for s in cloudformation.stacks.values() if s.name == stack_name), None)
        template_url = self._get_param("TemplateURL")
        body = self._get_stack_from_s3_url(template_url) if template_url else self._get_param("TemplateBody")
        if not body:
            # An import names the whole stack's template; there is no previous one to reuse.
            raise _refuse(stack_name, "Either Template URL or Template Body must be specified.")
        change_set_id, stack_id = create_import_change_set(
            cloudformation,
            stack_name,
            self._get_param("ChangeSetName"),
            body,
            _request_parameters(self, existing),
            self._get_param("ResourcesToImport", []),
            description=self._get_param("Description"),
            notification_arns=self._get_param("NotificationARNs", []),
            tags={tag["Key"]: tag["Value"] for tag in self._get_param("Tags", [])},
            role_arn=self._get_param("RoleARN"),
        )
        return ActionResult({"Id": change_set_id, "StackId": stack_id})

    original_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        if isinstance(change_set, ImportChangeSet):
            execute_import(change_set)
        else:
            original_execute(self, change_set_name, stack_name)

    original_summary = CloudFormationResponse.get_template_summary

    def get_template_summary(self: CloudFormationResponse) -> ActionResult:
        result: ActionResult = original_summary(self)
        summary: Any = result.result
        # moto's summary is the parsed template itself, Resources included.
        summary["ResourceIdentifierSummaries"] = identifier_summaries(summary)
        return result

    setattr(CloudFormationResponse, "create_change_set", create_change_set)  # noqa: B010
    setattr(CloudFormationBackend, "execute_change_set", execute_change_set)  # noqa: B010
    setattr(CloudFormationResponse, "get_template_summary", get_template_summary)  # noqa: B010
