"""``cfncompiler adopt``: bring a live, Terraform-managed estate into the layer stacks in place.

Per layer, in dependency order: match the compiled template's resources with the Terraform state,
compare before touching anything (a difference that would replace a database, cache, file system,
bucket, table, secret or key is refused, naming the spec line), then one IMPORT change set holding
only the matched resources, kept on delete. Nothing is created, changed or deleted by the import;
what the next deploy would change is shown, never run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfncompiler.adopt import terraform, translate
from cfncompiler.adopt.compare import Difference, differences
from cfncompiler.adopt.match import Candidate, match
from cfncompiler.adopt.plan import LayerPlan, import_template, not_importable
from cfncompiler.adopt.resolve import Context, resolve
from cfncompiler.adopt.where import spec_location
from cfncompiler.deploy import changeset, parameters, plan, stacks
from cfncompiler.deploy.deployer import Deployer
from cfncompiler.deploy.diff import NEW, LayerDiff, rows
from cfncompiler.deploy.operations import failure
from cfncompiler.errors import BadInput, Problem, Refused, SpecError
from cfncompiler.spec.load import LoadedSpec
from cfncompiler.templates.parse import parse_template

# CloudFormation takes at most this many resources in one IMPORT change set.
MAX_IMPORTS = 200


class AdoptRefused(SpecError):
    """Adopting as the spec stands would replace a resource that holds data; nothing was imported.
    Like any spec problem, each names the spec line to change (exit 2)."""

    def lines(self) -> list[str]:
        return [
            *(str(p) for p in self.problems),
            f"{len(self.problems)} difference(s) would replace a resource that holds data; "
            "nothing was imported and no change set was created.",
        ]


@dataclass
class Adoption:
    """What ``adopt`` did, for the release step and ``--json``."""

    plans: list[LayerPlan] = field(default_factory=list)
    imported: dict[str, list[str]] = field(default_factory=dict)  # layer -> Terraform addresses


class Adopter:
    def __init__(self, deployer: Deployer, loaded: LoadedSpec, instances: Sequence[terraform.Instance]) -> None:
        self.deployer = deployer
        self.cf = deployer.cf
        self.loaded = loaded
        self.instances = list(instances)
        self._account: str | None = None

    # ------------------------------------------------------------------ planning

    def account(self) -> str:
        if self._account is None:
            self._account = str(self.deployer.aws.sts.get_caller_identity()["Account"])
        return self._account

    def candidates(self, owned: set[str]) -> list[Candidate]:
        """Terraform's resource instances that can become CloudFormation resources, not already in a stack."""
        found: list[Candidate] = []
        for whole in self.instances:
            for instance in translate.expand(whole):
                kind = translate.cloudformation_type(instance.type)
                if kind is None or instance.deposed is not None:
                    continue
                ref = _identifier(instance)
                candidate = Candidate(
                    instance.address,
                    kind,
                    translate.live_properties(instance, self.instances),
                    translate.match_attributes(instance),
                    ref,
                    str(instance.attributes.get("arn") or ""),
                )
                if not ref or ref not in owned:
                    found.append(candidate)
        return found

    def plan(self, layer: str, pins: Mapping[str, str]) -> LayerPlan:
        outputs = self.deployer.upstream_outputs(layer)
        target = self.deployer.project.target(layer)
        document = target.document
        sent = parameters.fill(layer, target.declared_parameters, outputs)
        refs: dict[str, str] = {}
        arns: dict[str, str] = {}
        context = Context(self.account(), self.deployer.project.region, sent, refs, arns)
        current = self.deployer.describe(layer)
        existing = None
        if current is not None and current.status != stacks.REVIEW:
            existing = parse_template(stacks.deployed_template(self.cf, current.stack_id))
        in_stack = set((existing or {}).get("Resources", {}))
        wanted = {k: v for k, v in document["Resources"].items() if k not in in_stack}
        matching = match(wanted, self.candidates(self._owned()), pins, lambda v: resolve(v, context), refs, arns)
        taken_over = not_importable(matching)
        result = LayerPlan(
            layer,
            target.stack_name,
            matching,
            differences(matching.matches, document["Resources"], lambda v: resolve(v, context)),
            parameters=sent,
            taken_over=taken_over,
        )
        by_address = {i.address: i for i in self.instances}
        for item in matching.matches:
            blocker = terraform.adoption_blocker(by_address[item.candidate.address])
            if blocker:
                result.blocked.append((item.candidate.address, blocker))
        result.import_template, result.deferred = import_template(document, result.to_import, existing)
        return result

    def _owned(self) -> set[str]:
        """Physical ids already held by one of this project's stacks (never imported twice)."""
        owned: set[str] = set()
        for layer in plan.select(()):
            current = self.deployer.describe(layer)
            if current is None:
                continue
            pages = self.cf.get_paginator("list_stack_resources").paginate(StackName=current.stack_id)
            owned |= {r.get("PhysicalResourceId", "") for page in pages for r in page["StackResourceSummaries"]}
        return owned

    def check(self, result: LayerPlan) -> None:
        """Refuse, before any change set exists, what must not go ahead."""
        if result.matching.problems:
            raise BadInput("\n".join(result.matching.problems))
        if result.blocked:
            raise Refused(" ".join(reason for _, reason in result.blocked))
        refusals = result.refusals
        if refusals:
            raise AdoptRefused([self._refusal(d) for d in refusals])

    def _refusal(self, difference: Difference) -> Problem:
        spec = self.loaded.spec
        where = spec_location(spec, difference.resource_type, difference.logical_id, difference.property_name)
        prop = difference.property_name
        message = (
            f"{difference.logical_id} ({difference.resource_type}) is {difference.address} in Terraform, whose "
            f"{prop} is {_shown(difference.live)}; the template says {_shown(difference.template)}. CloudFormation "
            f"can only change {prop} by replacing the resource, and its data would be lost. "
        )
        if where and where[-1] not in ("database", "cache", "file_system") and len(where) > 2:
            message += f"Set this to {_shown(difference.live)} so the spec keeps the live value"
        else:
            message += (
                f"The spec has no setting for {prop} (the compiler always sets it): change the live resource to "
                "match first (for encryption: snapshot, copy the snapshot encrypted, restore under the same name), "
                "then pull the Terraform state again and adopt"
            )
        return self.loaded.problem(where, message, rule="A001")

    # ------------------------------------------------------------------ importing

    def execute(self, result: LayerPlan, *, confirm: bool = True) -> list[str]:
        """Import the plan's resources; return the Terraform addresses Terraform should let go of: those
        now held by the stack, their parts, and those the converge deploy takes over."""
        taken_over = [m.candidate.address for m in result.taken_over]
        if not result.to_import:
            self.deployer.reporter.note(result.layer, "nothing to import")
            return taken_over
        matches = result.matching.matches
        addresses: list[str] = []
        for start in range(0, len(matches), MAX_IMPORTS):
            batch = matches[start : start + MAX_IMPORTS]
            logical = [m.logical_id for m in batch]
            current = self.deployer.describe(result.layer)
            existing = None
            if current is not None and current.status != stacks.REVIEW:
                existing = parse_template(stacks.deployed_template(self.cf, current.stack_id))
            template, _ = import_template(self.deployer.project.target(result.layer).document, logical, existing)
            body = json.dumps(template, sort_keys=True)
            keys = self._identifier_keys(body)
            unknown = [f"{m.logical_id} ({m.resource_type})" for m in batch if not keys.get(m.logical_id)]
            if unknown:
                raise Refused(
                    f"CloudFormation gives no import identifier for {', '.join(unknown)} (GetTemplateSummary "
                    "lists none), so CloudFormation cannot import those types; nothing was imported."
                )
            # An internet gateway and its attachment share one Terraform address: tell them apart by type.
            by_address = {
                (i.address, translate.cloudformation_type(i.type)): i
                for whole in self.instances
                for i in translate.expand(whole)
            }
            imports = [
                {
                    "ResourceType": m.resource_type,
                    "LogicalResourceId": m.logical_id,
                    "ResourceIdentifier": translate.resource_identifier(
                        by_address[m.candidate.address, m.resource_type], keys[m.logical_id]
                    ),
                }
                for m in batch
            ]
            self._import_batch(result, body, imports, new_stack=existing is None, confirm=confirm)
            addresses += [m.candidate.address for m in batch]
        return addresses + self._parts_of(addresses) + taken_over

    def _parts_of(self, addresses: list[str]) -> list[str]:
        """Terraform resources that only configure an adopted one (a bucket's versioning, encryption,
        lifecycle...): CloudFormation holds that configuration now, so they are released with it."""
        wholes = [i for i in self.instances if i.address in addresses]
        return [
            part.address
            for part in self.instances
            if part.address not in addresses and any(translate.belongs_to(part, whole) for whole in wholes)
        ]

    def _identifier_keys(self, body: str) -> dict[str, list[str]]:
        """Each logical id's primary identifier keys, as CloudFormation itself says (GetTemplateSummary)."""
        summary = self.cf.get_template_summary(TemplateBody=body)
        keys: dict[str, list[str]] = {}
        for entry in summary.get("ResourceIdentifierSummaries", []):
            for logical_id in entry.get("LogicalResourceIds", []):
                keys[logical_id] = list(entry.get("ResourceIdentifiers", []))
        return keys

    def _import_batch(
        self,
        result: LayerPlan,
        body: str,
        imports: list[dict[str, Any]],
        *,
        new_stack: bool,
        confirm: bool,
    ) -> None:
        target = self.deployer.project.target(result.layer)
        request = changeset.Request(
            stack_name=target.stack_name,
            create=new_stack,
            parameters=result.parameters,
            capabilities=target.capabilities,
            tags=target.tags,
            body=body,
            imports=imports,
        )
        reporter = self.deployer.reporter
        reporter.note(result.layer, f"creating an IMPORT change set for {target.stack_name} ({len(imports)} resources)")
        created = changeset.create(self.cf, request, poll_seconds=self.deployer.poll_seconds)
        shown = LayerDiff(result.layer, target.stack_name, NEW if new_stack else "import", rows(created.changes))
        reporter.diff(shown)
        if confirm and not reporter.confirm(shown, f"Import these resources into {target.stack_name}?"):
            changeset.delete(self.cf, created.arn)
            if new_stack:
                self.cf.delete_stack(StackName=created.stack_id)
            raise Refused(
                f"Not confirmed: the change set was deleted and nothing was imported into {target.stack_name}."
            )
        ok, history = self.deployer.ops.run(
            result.layer,
            created.stack_id,
            "stack_import_complete",
            "import",
            lambda: changeset.execute(self.cf, created),
        )
        final = stacks.describe(self.cf, created.stack_id)
        status = final.status if final else "DELETE_COMPLETE"
        if not ok or status != "IMPORT_COMPLETE":
            raise failure(target.stack_name, status, history)
        reporter.note(result.layer, status)


def _identifier(instance: terraform.Instance) -> str:
    """The id a stack would list as the PhysicalResourceId of ``instance``, for the owned check."""
    try:
        values = translate.resource_identifier(instance)
    except (BadInput, ValueError):
        return ""
    return next(iter(values.values()), "") if values else ""


def _shown(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)
